/**
 * MM_STATICS_DROPPED: a class a new release replaces takes the statics the
 * new class declares, but for those the patch keeps (`keepStatics`). A
 * static whose running value holds what the program put there since (a
 * counter, a cache's entries, superjson's `defaultInstance` with the classes
 * `SuperJSON.registerClass` registered in it) is then replaced by the new
 * release's fresh one, and the program's state with it: superjson 2.2.1 ->
 * 2.2.6 committed with no word, and every registration was gone.
 *
 * "Holds what the program put there": a primitive that is not what its
 * initialiser gives (or, where the source shows no initialiser, a number or
 * boolean not the new release's value: a version string is the release's
 * own); an object with collections (Map, Set, array, plain-object registry)
 * whose sizes are not those of the new release's value at the same place,
 * or a setting changed in place (three's `Object3D.DEFAULT_UP.set(0, 0, 1)`,
 * `Client.defaults.timeout = 5000`: review advZ10) — a number or boolean
 * not the new value's at the same place, or a string where the new value
 * has the one the running release's initialiser wrote.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { type ClassBuild, fromAnotherScope } from "./build.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** How deep, and how many properties of an object, the comparison looks. */
const DEPTH = 4;
const KEYS = 32;

export function droppedStatics(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  const change = fromAnotherScope(cls, old);
  if (change?.running === undefined) return [];
  const kept = cls.staticOrigins ?? new Map<string, string | null>();
  const declared = new Set(cls.definition.staticFields.map((f) => f.name));
  const notKept = old!.staticFields.filter(
    (f) => declared.has(f.name) && (kept.get(f.name) ?? null) === null,
  );
  const running = (name: string) => dataValue(change.running!, name);
  // Functions the running release made statics of (bound to a static it holds): kept only if named too.
  const functions = notKept
    .map((f) => f.name)
    .filter((n) => typeof running(n)?.value === "function");
  return notKept.flatMap((f) => {
    const was = running(f.name);
    const now = dataValue(change.implementation, f.name);
    const how = was && now && differs(was.value, now.value, f.initializer);
    if (!how) return [];
    const also =
      functions.length > 0 ? ` with the function statics that use it (${quoted(functions)})` : "";
    return [
      warning(
        "MM_STATICS_DROPPED",
        className,
        f.name,
        `static \`${f.name}\` of the running release ${how}, and the new release's value replaces it`,
        `the class reads the new release's value from now on, and what the program put in the running one is gone — roll this update back and apply it again with \`${f.name}\` in replaceImplementation's keepStatics${also}`,
      ),
    ];
  });
}

function dataValue(ctor: Function, name: string): { readonly value: unknown } | undefined {
  const d = Reflect.getOwnPropertyDescriptor(ctor, name);
  return d !== undefined && "value" in d ? { value: d.value as unknown } : undefined;
}

/** How the running value holds what the new one does not, or undefined. */
function differs(was: unknown, now: unknown, initializer: string | undefined): string | undefined {
  if (typeof was === "function") return undefined;
  if (typeof was !== "object" || was === null) {
    const initial = literal(initializer);
    if (initial !== undefined)
      return Object.is(was, initial.value)
        ? undefined
        : `holds ${shown(was)} where its initialiser gives ${shown(initial.value)}`;
    const state = typeof was === "number" || typeof was === "boolean" || typeof was === "bigint";
    return state && !Object.is(was, now)
      ? `holds ${shown(was)} where the new release's is ${shown(now)}`
      : undefined;
  }
  const [a, b] = [sizes(was), sizes(now)];
  const changed = [...a].filter(([path, n]) => b.has(path) && b.get(path) !== n);
  if (changed.length > 0)
    return `holds ${changed
      .slice(0, 3)
      .map(
        ([path, n]) =>
          `${n} ${n === 1 ? "entry" : "entries"} in \`${path}\` where the new release's value has ${b.get(path)}`,
      )
      .join(", ")}`;
  const [x, y] = [leaves(was), leaves(now)];
  const set = [...x].filter(([path, v]) => {
    if (!y.has(path)) return false;
    const n = y.get(path);
    if (Object.is(v, n)) return false;
    // A string the new release also wrote where the running one's source did: the program's.
    return typeof v !== "string" || (typeof n === "string" && writes(initializer, n));
  });
  if (set.length === 0) return undefined;
  return `holds ${set
    .slice(0, 3)
    .map(
      ([path, v]) =>
        `\`${path}\` = ${shown(v)} where the new release's value has ${shown(y.get(path))}`,
    )
    .join(", ")}`;
}

/** Whether the initialiser's text has `text` as a string literal. */
function writes(initializer: string | undefined, text: string): boolean {
  if (initializer === undefined) return false;
  const inner = JSON.stringify(text).slice(1, -1);
  return ['"', "'", "`"].some((q) => initializer.includes(`${q}${inner}${q}`));
}

/** The value of a literal initialiser (`0`, `"x"`, `true`, `null`), where it is one. */
function literal(initializer: string | undefined): { readonly value: unknown } | undefined {
  if (initializer === undefined) return undefined;
  const text = initializer.trim();
  if (text === "undefined") return { value: undefined };
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? undefined : { value };
  } catch {
    return undefined;
  }
}

const shown = (value: unknown) =>
  typeof value === "string" ? JSON.stringify(value) : `\`${String(value)}\``;

/**
 * The primitive settings `value` holds, by path (`DEFAULT_UP.z`): the own
 * enumerable data properties of plain objects and class instances, a few
 * levels deep, as `sizes` enters them.
 */
function leaves(value: unknown): Map<string, unknown> {
  const found = new Map<string, unknown>();
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth: number) => {
    if (typeof v === "function" || depth > DEPTH) return;
    if (typeof v !== "object" || v === null) return void (path === "" || found.set(path, v));
    if (seen.has(v) || v instanceof Map || v instanceof Set || ArrayBuffer.isView(v)) return;
    seen.add(v);
    for (const key of Object.keys(v).slice(0, KEYS)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d !== undefined && "value" in d)
        visit(d.value, path === "" ? key : `${path}.${key}`, depth + 1);
    }
  };
  visit(value, "", 0);
  return found;
}

/**
 * The sizes of the collections `value` holds, by path (`classRegistry.kv`):
 * Maps, Sets, arrays and plain objects, entered through the own enumerable
 * properties of objects (not collections' elements: their order is not a
 * place), a few levels deep.
 */
function sizes(value: unknown): Map<string, number> {
  const found = new Map<string, number>();
  const seen = new Set<object>();
  const visit = (v: unknown, path: string, depth: number) => {
    if (typeof v !== "object" || v === null || seen.has(v) || depth > DEPTH) return;
    seen.add(v);
    const at = path === "" ? "(the value)" : path;
    if (v instanceof Map || v instanceof Set) return void found.set(at, v.size);
    if (Array.isArray(v)) return void found.set(at, v.length);
    const keys = Object.keys(v);
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === null || proto === Object.prototype) found.set(at, keys.length);
    for (const key of keys.slice(0, KEYS)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d !== undefined && "value" in d)
        visit(d.value, path === "" ? key : `${path}.${key}`, depth + 1);
    }
  };
  visit(value, "", 0);
  return found;
}
