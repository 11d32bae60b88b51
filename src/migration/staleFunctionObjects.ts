/**
 * MM_STALE_FUNCTION_FIELD for functions a class's objects hold inside a
 * plain object of a field: csv-parse 5.3's Parser keeps `this.api =
 * transform(opts)`, an object of closures its module's transform() made,
 * and calls `this.api.parse(…)`. Upgraded to 5.5.6, every parser alive kept
 * 5.3's closures — 5.3's parsing code, which ignores 5.4's
 * `comment_no_infix` — with no word: staleFunctionFields.ts looked at the
 * functions held in the fields themselves only.
 *
 * A function is the running release's where its code is in a script of the
 * running release's (its classes', or one of a function its classes see by
 * name: csv-parse's `transform`, from `./api/index.js`) and in none of the
 * new release's; and not one the new release's class code writes in the
 * same words (a handler closing over the object alone: `(err, chunk) => {
 * this.emit('skip', err, chunk); }`), whose old copy does what a new one
 * would.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { type BuildResult, type ClassBuild, fromAnotherScope } from "./build.js";
import { functionScripts } from "./functionOrigins.js";
import { migratorCover, unlessMigratorSets } from "./migratorWrites.js";
import { releaseChains } from "./releaseChains.js";
import { scopeBindings } from "./scopeBindings.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** How many objects, functions of a field, and functions in all are looked at. */
const OBJECTS = 16;
const PER_FIELD = 16;
const FUNCTIONS = 64;

const text = (f: Function) => Function.prototype.toString.call(f);
const compact = (t: string) => t.replace(/\s+/g, "");

const isPlain = (value: unknown): value is object => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || prototype === Object.prototype;
};

/** A function of a module's code: not a class, not a built-in (`[native code]`: bound ones too). */
const isCode = (value: unknown): value is Function =>
  typeof value === "function" && !/^class\b|\[native code\]/.test(text(value));

/**
 * The functions in plain objects the objects' fields hold, by field, with
 * their key paths (`parse`; `hooks.parse` one level further in).
 */
function heldFunctions(objects: readonly object[]): Map<string, Map<Function, string>> {
  const byField = new Map<string, Map<Function, string>>();
  let count = 0;
  const visit = (field: string, value: object, path: string, depth: number) => {
    for (const key of Object.keys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d === undefined || !("value" in d)) continue;
      const at = path === "" ? key : `${path}.${key}`;
      if (isPlain(d.value) && depth < 1) visit(field, d.value, at, depth + 1);
      if (!isCode(d.value) || count >= FUNCTIONS) continue;
      let held = byField.get(field);
      if (held === undefined) byField.set(field, (held = new Map()));
      if (held.size < PER_FIELD && !held.has(d.value)) {
        held.set(d.value, at);
        count++;
      }
    }
  };
  for (const object of objects)
    for (const field of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, field);
      if (d !== undefined && "value" in d && isPlain(d.value)) visit(field, d.value, "", 0);
    }
  return byField;
}

/** A release's classes (those both share left out) and the functions their code sees by name. */
function releaseCode(own: readonly Function[]): Function[] {
  const bindings = scopeBindings(own);
  const named = [...bindings.entries().values()].filter(
    (v): v is Function => typeof v === "function",
  );
  return [...own, ...named];
}

export function staleFunctionObjects(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  objects: readonly object[] | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  if (fromAnotherScope(cls, old)?.running === undefined || objects === undefined) return [];
  const cover = migratorCover(className, build);
  const held = [...heldFunctions(objects.slice(0, OBJECTS))].filter(
    ([field]) => cover(field) !== "named",
  );
  if (held.length === 0) return [];
  const chains = releaseChains(className, build, oldDefs);
  const [before, now] = [
    chains.before.filter((c) => !chains.now.includes(c)),
    chains.now.filter((c) => !chains.before.includes(c)),
  ];
  // Written by the new release's class code in the same words: its copy would do the same.
  const rewritten = compact(now.map(text).join("\n"));
  const candidates = held.flatMap(([field, fns]) =>
    [...fns].flatMap(([fn, path]) =>
      rewritten.includes(compact(text(fn))) ? [] : [{ field, fn, path }],
    ),
  );
  if (candidates.length === 0) return [];
  const [running, fresh] = [releaseCode(before), releaseCode(now)];
  const scripts = functionScripts([...running, ...fresh, ...candidates.map((c) => c.fn)]);
  const ids = (from: number, to: number) =>
    new Set(scripts.slice(from, to).flatMap((s) => s ?? []));
  const ours = ids(0, running.length);
  const theirs = ids(running.length, running.length + fresh.length);
  const stale = new Map<string, string[]>();
  candidates.forEach(({ field, path }, i) => {
    const script = scripts[running.length + fresh.length + i];
    if (script === undefined || !ours.has(script) || theirs.has(script)) return;
    stale.set(field, [...(stale.get(field) ?? []), path]);
  });
  return [...stale].map(([field, paths]) =>
    warning(
      "MM_STALE_FUNCTION_FIELD",
      className,
      field,
      `field \`${field}\` holds an object of functions the running release's code made (${quoted(paths.slice(0, 4))}${paths.length > 4 ? ", …" : ""}), from its module; the new implementation comes from another module scope`,
      `existing objects keep calling the running release's code through it, fresh ones get the new release's — ${
        cover(field) === "unnamed"
          ? unlessMigratorSets(className, field)
          : `give ${className} a migrator that rebuilds \`${field}\` as the new release makes it (\`target.${field} = …\`)`
      }, or restart`,
    ),
  );
}
