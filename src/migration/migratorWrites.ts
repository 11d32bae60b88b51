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
 * `target["stack"]`, `{ stack: … }`, `"stack"` as a key) is taken to set
 * it. One that does not may still set it by other means (`Object.assign`
 * over a fresh object's keys): the warnings say "unless it sets it", a
 * cheap false alarm against a silent break.
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

/** Whether `source` writes `field` by name (a member write, a quoted key, an object literal's key). */
function namesWrite(source: string, field: string): boolean {
  const f = escaped(field);
  return [
    new RegExp(`\\.\\s*${f}\\s*(?:=(?!=)|\\?\\?=|\\|\\|=|&&=)`),
    new RegExp(`(["'\`])${f}\\1`),
    new RegExp(`[{,]\\s*${f}\\s*[:,}]`),
  ].some((r) => r.test(source));
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
