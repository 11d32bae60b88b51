/**
 * MM_UNSEEN_STATE for state other code of the running release wrote into a
 * class's objects, which the class's own source never sets: marked 4.3's
 * Lexer constructor writes `this.tokenizer.rules = rules` (its rule tables)
 * and `this.tokenizer.lexer = this` into the Tokenizer, whose source sets
 * only `options`. With Lexer and Tokenizer upgraded to 12 in one patch the
 * update committed with no word: every Tokenizer kept 4.3's tables, and
 * 12's code, reading `this.rules.inline.anyPunctuation`, threw on every lex.
 * Nothing in the update can address such state by name, so it is carried
 * over unchanged (as the notes' unseen state is, hence the code); a
 * migrator that rebuilds it the new release's way is what fixes it.
 *
 * A field both releases' class code reads and the running one never sets
 * (4.3's Tokenizer reads `this.rules.block` too): not one the migration
 * just gave the objects (a new release's new field, a migrator's); which
 * other code of the running release writes into objects (the namespace's
 * other classes, what the class's module scope holds), not as its own
 * object (`… = this`): state the program hands in is its own. Found on the
 * first objects where the update has them (the prepare phase's sample),
 * holding an object that is not the namespace's; without (a lazy update of
 * a migrating class), from the sources alone.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { classHandleOf, constructorOfDefinition, prototypeStates } from "../mop/classHandle.js";
import type { BuildResult } from "./build.js";
import { ancestry } from "./changes.js";
import { type FieldCover, migratorCover, unlessMigratorSets } from "./migratorWrites.js";
import type { ReleaseChains } from "./releaseChains.js";
import { scopeBindings } from "./scopeBindings.js";
import { unseenFields } from "./unseenFields.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

const IDENTIFIER = "[A-Za-z_$][\\w$]*";
const escaped = (name: string) => name.replace(/[$]/g, "\\$");
const source = (c: Function) => Function.prototype.toString.call(c);
/** How many objects, and how many of the paths read on a field, are looked at. */
const OBJECTS = 16;
const PATHS = 3;

/** The member paths `sources` read on `this.field` (`inline.anyPunctuation`), none where they only write it. */
function pathsRead(sources: readonly string[], field: string): string[] {
  const read = new RegExp(
    `\\bthis\\s*\\.\\s*${escaped(field)}((?:\\s*\\??\\.\\s*${IDENTIFIER}){1,3})(?!\\s*=[^=])`,
    "g",
  );
  const paths = sources.flatMap((s) =>
    [...s.matchAll(read)].map((m) => m[1]!.replace(/[\s?]/g, "").slice(1)),
  );
  return [...new Set(paths)];
}

/** Whether `sources` assign `this.field` themselves. */
const assigns = (sources: readonly string[], field: string) =>
  new RegExp(`\\bthis\\s*\\.\\s*${escaped(field)}\\s*(?:=(?!=)|\\?\\?=|\\|\\|=|&&=)`).test(
    sources.join("\n"),
  );

/** Whether `sources` read `this.field`. */
const reads = (sources: readonly string[], field: string) =>
  new RegExp(
    `\\bthis\\s*\\.\\s*${escaped(field)}(?![\\w$])(?!\\s*(?:=(?!=)|\\?\\?=|\\|\\|=|&&=))`,
  ).test(sources.join("\n"));

/** What code writes into other objects' `field` (`this.tokenizer.rules = rules`): the values' texts. */
function writtenFromOutside(sources: readonly string[], field: string): string[] {
  const write = new RegExp(
    `(?<!\\bthis\\s*)\\.\\s*${escaped(field)}\\s*=(?!=)\\s*([^;,)}\\n]{1,200})`,
    "g",
  );
  return sources.flatMap((s) => [...s.matchAll(write)].map((m) => m[1]!.trim()));
}

/**
 * The part of `path` (`inline.anyPunctuation.exec`) up to the member
 * `value` lacks (`inline.anyPunctuation`), or undefined where it has them
 * all or cannot tell: read through data properties only (no getter runs).
 */
function missing(value: object, path: string): string | undefined {
  let at: unknown = value;
  const keys = path.split(".");
  for (let k = 0; k < keys.length; k++) {
    if (typeof at !== "object" || at === null) return undefined;
    let d: PropertyDescriptor | undefined;
    for (let p: object | null = at; p !== null && d === undefined; p = Object.getPrototypeOf(p))
      d = Object.getOwnPropertyDescriptor(p, keys[k]!);
    if (d === undefined) return keys.slice(0, k + 1).join(".");
    if (!("value" in d)) return undefined;
    at = d.value;
  }
  return undefined;
}

/** What the running release's class code reveals about its objects' fields. */
function revealed(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
) {
  const oldName = build.classes.get(className)?.oldName ?? null;
  const defs =
    oldName === null ? [] : ancestry(oldName, oldDefs).flatMap((n) => oldDefs.get(n) ?? []);
  const unseen = unseenFields(defs);
  return {
    // A constructor writing properties it cannot name: said as such (outOfSightWarnings.ts).
    opaque: unseen.any,
    known: new Set([...defs.flatMap((d) => d.fields.map((f) => f.name)), ...unseen.names]),
    chain: new Set(defs),
  };
}

export function outsideState(
  className: string,
  build: BuildResult,
  chains: ReleaseChains,
  objects: readonly object[] | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  const { opaque, known, chain } = revealed(className, build, oldDefs);
  if (opaque) return [];
  const before = chains.before.map(source);
  // The new release's own code: a platform superclass both share reads what it always read.
  const now = chains.now.filter((c) => !chains.before.includes(c)).map(source);
  // Read by the running class's code too, which never sets it: what the
  // objects had before the update, not a field the migration just gave
  // them (a new release's new field, a migrator's).
  const outside = (field: string) =>
    !known.has(field) && !assigns(before, field) && reads(before, field);
  const cover = migratorCover(className, build);
  const said = (field: string, note: string) => unseen(className, field, note, cover(field));
  // What the running release's other code writes there: the program's own
  // state (a DOM element the page hands a widget) is not the release's.
  let writers: string[] | undefined;
  const written = (field: string) => {
    writers ??= writingCode(chains.before, oldDefs, chain).map(source);
    const values = writtenFromOutside(writers, field);
    // `… = this`: the writer's own object, the namespace's where it is a class of it.
    return values.every((v) => v === "this") ? undefined : values.find((v) => v !== "this");
  };
  if (objects === undefined) {
    return readFields(now).flatMap((field) => {
      const value = outside(field) ? written(field) : undefined;
      if (value === undefined) return [];
      return said(
        field,
        `field \`${field}\` may hold state ${className}'s running source never sets, which other code of the running release writes into its objects (\`….${field} = ${value}\`); the new release's code reads it (${quoted(
          pathsRead(now, field)
            .slice(0, PATHS)
            .map((p) => `this.${field}.${p}`),
        )})`,
      );
    });
  }
  return [...heldOutside(className, objects, outside)].flatMap(([field, value]) => {
    const paths = pathsRead(now, field);
    if (paths.length === 0 || written(field) === undefined) return [];
    const lacking = [...new Set(paths.flatMap((p) => missing(value, p) ?? []))];
    const reads = (list: readonly string[]) =>
      quoted(list.slice(0, PATHS).map((p) => `this.${field}.${p}`));
    return said(
      field,
      `field \`${field}\` holds state ${className}'s running source never sets (other code of the running release wrote it into the objects); ${lacking.length > 0 ? `the new release's code reads ${reads(lacking)} on it, which the value held lacks` : `the new release's code reads it (${reads(paths)})`}`,
    );
  });
}

/**
 * The running release's code outside the class's chain: the namespace's
 * other classes (marked's Lexer), and the functions and classes the
 * chain's module scope holds (a bundle's every class).
 */
function writingCode(
  before: readonly Function[],
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  chain: ReadonlySet<ClassDefinition>,
): Function[] {
  const others = [...oldDefs.values()]
    .filter((d) => !chain.has(d))
    .flatMap((d) => constructorOfDefinition(d) ?? []);
  let scope: Function[] = [];
  try {
    scope = [...scopeBindings(before).entries().values()].filter(
      (v): v is Function => typeof v === "function" && !before.includes(v),
    );
  } catch {
    // No scope to read (a page): the namespace's classes alone.
  }
  return [...new Set([...others, ...scope])];
}

/** The warning for `field`, unless a migrator names it. */
function unseen(className: string, field: string, note: string, covered: FieldCover) {
  if (covered === "named") return [];
  const tail =
    covered === "unnamed"
      ? unlessMigratorSets(className, field)
      : `give ${className} a migrator that rebuilds it as the new release makes it (\`target.${field} = …\`), under an eager update (other code reads it straight off the objects, which runs no lazy migration)`;
  return [
    warning(
      "MM_UNSEEN_STATE",
      className,
      field,
      note,
      `the update carried it over unchanged, the running release's value, which the new release's code then reads as its own — ${tail}, or restart`,
    ),
  ];
}

/** The fields of the first `objects` that `outside` admits holding an object not the namespace's, with one such object each. */
function heldOutside(
  className: string,
  objects: readonly object[],
  outside: (field: string) => boolean,
): Map<string, object> {
  const found = new Map<string, object>();
  for (const o of objects.slice(0, OBJECTS)) {
    // Its own class's objects: a subclass's fields are its own code's.
    const state = prototypeStates.get(Object.getPrototypeOf(o) as object);
    if (state !== undefined && state.definition.name !== className) continue;
    for (const field of Object.keys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, field);
      const value: unknown = d !== undefined && "value" in d ? d.value : undefined;
      // An object of the namespace's own is updated with its class; a primitive has no code to go stale.
      if (typeof value !== "object" || value === null || classHandleOf(value) !== undefined)
        continue;
      if (!found.has(field) && outside(field)) found.set(field, value);
    }
  }
  return found;
}

/** The fields `sources` read members of (`this.rules.block`). */
function readFields(sources: readonly string[]): string[] {
  const read = new RegExp(`\\bthis\\s*\\.\\s*(${IDENTIFIER})\\s*\\??\\.\\s*${IDENTIFIER}`, "g");
  return [...new Set(sources.flatMap((s) => [...s.matchAll(read)].map((m) => m[1]!)))];
}
