/**
 * Where a person must decide about one class of the patch (the warnings of
 * src/dev/plan.ts, and what the service would refuse), and the facts about
 * it that need no decision. A TODO says only what the service will do
 * otherwise than the new release says: a removed field whose value nothing
 * keeps, a name the service cannot resolve.
 */
import type { ClassChangeSummary } from "../../dev/common.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import type { ManagedClass, ReleaseInventory } from "./inventory.js";

const list = (names: readonly string[]) => names.join(", ");
const plural = (n: number, word: string) => `${word}${n === 1 ? "" : "s"}`;

/** The warnings of src/dev/plan.ts for a class whose source changed. */
export function classTodos(
  name: string,
  before: ClassDefinition,
  after: ClassDefinition,
  summary: ClassChangeSummary,
  context: { migrationsFile: string; migrator: boolean; resets: readonly string[] },
): string[] {
  const todos: string[] = [];
  const { added, removed } = summary;
  if (before.hasPrivateMembers || after.hasPrivateMembers) {
    todos.push(
      `${name} declares private # members: the methods of a new implementation could not read the private state of existing objects, so the engine refuses this change. Restart to apply it, or use ordinary fields`,
    );
  }
  if (added.length > 0 && removed.length > 0) {
    todos.push(
      `${plural(removed.length, "field")} ${list(removed)} disappeared while ${list(added)} appeared: treated as removed + added (new fields start from their initialisers). If it is a rename, add it to the renames below, e.g. { ${added[0]}: "${removed[0]}" }, and to ${context.migrationsFile}: export const renames = { ${name}: { ${added[0]}: "${removed[0]}" } }`,
    );
  } else if (removed.length > 0 && !context.migrator) {
    todos.push(
      `${plural(removed.length, "field")} ${list(removed)} ${removed.length === 1 ? "is" : "are"} removed and no migrator reads ${removed.length === 1 ? "its value" : "their values"}: ${removed.length === 1 ? "it is" : "they are"} dropped from every live object. If the value must move elsewhere, add .migrate("${name}", (old, object) => { … old.${removed[0]} … })`,
    );
  }
  for (const field of summary.initialisers) {
    if (context.resets.includes(field)) continue;
    const old = before.fields.find((f) => f.name === field)?.initializer;
    const now = after.fields.find((f) => f.name === field)?.initializer;
    todos.push(
      `${name}.${field}: initialiser changed (${old} → ${now}); existing objects keep their values. To give them the new value, list it in ${context.migrationsFile}: export const reset = { ${name}: ["${field}"] }`,
    );
  }
  return todos;
}

/** How the service resolves the module names an implementation reads (running names). */
export interface NameResolution {
  /** Classes the running service manages: the compile scope has them by these names. */
  readonly running: ReadonlySet<string>;
  /** Classes this patch adds: the service does not have them when it compiles the bundle. */
  readonly added: ReadonlySet<string>;
}

/**
 * The module names `cls` refers to (running names: ./runningNames.ts) that
 * the service does not bind when it compiles the bundle. Its managed
 * classes it does (release/compileScope.ts), unless the module binds the
 * name to a function of its own.
 */
export function moduleNamesTodos(
  cls: ManagedClass,
  names: readonly string[],
  resolution: NameResolution,
  next: ReleaseInventory,
): string[] {
  const functions = next.modules.get(cls.file)?.top.functions;
  const unresolved = names.filter((n) => !resolution.running.has(n) || functions?.has(n));
  const added = unresolved.filter((n) => resolution.added.has(n));
  const others = unresolved.filter((n) => !resolution.added.has(n));
  const todos: string[] = [];
  if (others.length > 0) {
    todos.push(
      `the implementation of ${cls.name} refers to ${list(others)}, declared or imported in ${cls.file}: a bundle's code is compiled with the globals and the classes the service manages only (and the names the service passes to listen({ scope })), so ${others.length === 1 ? "it is" : "they are"} not defined there. Rewrite those references, or make the service pass them in its scope`,
    );
  }
  if (added.length > 0) {
    const it = added.length === 1 ? added[0]! : list(added);
    todos.push(
      `the implementation of ${cls.name} refers to ${it}, which the running service does not have: this patch adds ${added.length === 1 ? "it" : "them"}, but the service compiles all of a bundle's code before the update runs, so ${it} ${added.length === 1 ? "is" : "are"} not defined there yet and the apply is refused (MM_INVALID_PATCH "${added[0]} is not defined"; nothing changes). Apply this release in two bundles — first one of only the steps that add ${it} (addClass and its replaceImplementation), then one of the other steps — or restart`,
    );
  }
  return todos;
}

/**
 * Fields both versions initialise with a class the service manages
 * (`kind = Circle`): each object holds the class handle, which the update
 * changes in place, so every object's field is the new version. The
 * engine's MM_STALE_FUNCTION_FIELD, which it gives for any function
 * from the running module, is no reason to act here.
 */
export function classValuedFieldFacts(
  before: ClassDefinition,
  after: ClassDefinition,
  running: ReadonlySet<string>,
): string[] {
  return after.fields.flatMap((f) => {
    const value = f.initializer?.trim();
    if (value === undefined || !running.has(value)) return [];
    if (!before.fields.some((b) => b.name === f.name && b.initializer?.trim() === value)) return [];
    return [
      `field ${f.name} = ${value} holds the class ${value} itself, as the service manages it (an update changes the class in place): existing objects' ${f.name} is the current version after this patch too. metamorph apply may warn MM_STALE_FUNCTION_FIELD for it; nothing to do`,
    ];
  });
}
