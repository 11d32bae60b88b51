/**
 * Whether the patch's migration code speaks for one field of a class's
 * objects, judged field by field. A warning about a field used to be
 * dropped as soon as the class (or an ancestor) had any migrator:
 * @msgpack/msgpack 2.8 -> 3.1 with the migrator the refusal asked for
 * (`target.mapKeyConverter = …`) committed with no word that every
 * Decoder's `stack` stayed an array where 3.x builds a StackPool, and the
 * first `decode()` threw `this.stack.reset is not a function`.
 *
 * A migrator cannot be run to see what it writes (it runs on every object,
 * at the commit or at first touch, and may do anything), so its text is
 * read: one that names the field where it writes it (`target.stack = …`,
 * `target["stack"]`, `Object.assign(target, { stack: … })`, `"stack"` as a
 * key) is taken to set it. One that does not may still set it by other
 * means (`Object.assign` over a fresh object's keys): the warnings say
 * "unless it sets it", a cheap false alarm against a silent break.
 */
import type { BuildResult, ClassBuild } from "./build.js";

/** What the patch does about a field: an initial value or a migrator naming it, migrators that do not name it, nothing. */
export type FieldCover = "named" | "unnamed" | "none";

const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** The sources of the migrators of class `name` of the new world and of its ancestors (theirs run on its objects too). */
function migratorSources(name: string, build: BuildResult): string[] {
  const sources: string[] = [];
  const visited = new Set<ClassBuild>();
  const parentOf = (c: ClassBuild) =>
    c.definition.superclass === null ? undefined : build.classes.get(c.definition.superclass);
  for (let c = build.classes.get(name); c !== undefined && !visited.has(c); c = parentOf(c)) {
    visited.add(c);
    for (const m of c.migrators) sources.push(Function.prototype.toString.call(m));
  }
  return sources;
}

/**
 * A call that writes an object literal's keys into an object. Without one,
 * a literal's key is no write: `old => ({ unit: "kg" })` (a value returned,
 * which is ignored: targetReplay.ts refuses it) or `const { unit } = old`
 * (a read) hid MM_NO_INITIAL_VALUE.
 */
const WRITES_LITERAL = /\bObject\s*\.\s*(?:assign|defineProperties)\s*\(/;

/** An object literal's or a destructuring pattern's key (`{ stack: … }`, `const { texture } = old`). */
const literalKey = (field: string) => new RegExp(`[{,]\\s*${escaped(field)}\\s*[:,}]`);

/** Whether `source` writes `field` by name (a member write or delete, a quoted key, an object literal's key written by `Object.assign`). */
function namesWrite(source: string, field: string): boolean {
  const f = escaped(field);
  return (
    [
      new RegExp(`\\.\\s*${f}\\s*(?:=(?!=)|\\?\\?=|\\|\\|=|&&=)`),
      new RegExp(`\\bdelete\\s+[\\w$.]*\\.\\s*${f}(?![\\w$])`),
      new RegExp(`(["'\`])${f}\\1`),
    ].some((r) => r.test(source)) ||
    (WRITES_LITERAL.test(source) && literalKey(field).test(source))
  );
}

/** How the patch covers each field of class `className`'s objects. */
export function migratorCover(
  className: string,
  build: BuildResult,
): (field: string) => FieldCover {
  const sources = migratorSources(className, build);
  const initialisers = build.classes.get(className)?.initialisers;
  return (field) => {
    if (initialisers?.has(field) || sources.some((s) => namesWrite(s, field))) return "named";
    return sources.length > 0 ? "unnamed" : "none";
  };
}

/** The advice's tail where the class has migrators that do not name the field. */
export function unlessMigratorSets(className: string, field: string): string {
  return `the migrator of ${className} does not name \`${field}\`: unless it sets it by other means, set it there (\`target.${field} = …\`)`;
}

/** The text of a function that says nothing of what it does: a bound or native one. */
const OPAQUE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * What the patch may do to class `className`'s objects, for the warnings
 * and refusals that used to be dropped as soon as the class (or an
 * ancestor) had any migrator: opossum 8.0 -> 8.5 with the migrator its
 * MM_PRIVATE_STATE refusal asks for (copying the symbol-keyed state)
 * committed with no word that 8.5's `options.coalesceResetOn` was missing
 * from the live breakers, and their first `fire()` threw. A migrator whose
 * text cannot be read (a bound function, which the builder refuses but a
 * patch made of operations may carry) may do anything, as before.
 */
export interface PatchWrites {
  /** Whether the class or an ancestor has a migrator. */
  readonly any: boolean;
  /** An initial value, or a migrator naming it where it writes it; a path (`options.resetOn`) is set where its field or its last key is. */
  sets(name: string): boolean;
  /** A migrator naming it at all, reading it too (`old.texture`, `const { texture } = old`), or setting it. */
  mentions(name: string): boolean;
}

export function patchWrites(className: string, build: BuildResult): PatchWrites {
  const sources = migratorSources(className, build);
  const opaque = sources.some((s) => OPAQUE.test(s));
  const initialisers = build.classes.get(className)?.initialisers;
  const written = (key: string) => sources.some((s) => namesWrite(s, key));
  const sets = (name: string): boolean => {
    const keys = name.split(".");
    if (keys.length > 1) return sets(keys[0]!) || written(keys[keys.length - 1]!);
    return opaque || initialisers?.has(name) === true || written(name);
  };
  const read = (name: string) => new RegExp(`\\.\\s*${escaped(name)}(?![\\w$])`);
  return {
    any: sources.length > 0,
    sets,
    mentions: (name) =>
      sets(name) || sources.some((s) => read(name).test(s) || literalKey(name).test(s)),
  };
}
