/**
 * Where a person must decide about one class of the patch (the warnings of
 * src/dev/plan.ts, and what the service would refuse), and the facts about
 * it that need no decision. A TODO says only what the service will do
 * otherwise than the new release says: a removed field whose value nothing
 * keeps, a name the service cannot resolve, a change the engine refuses.
 */
import type { ClassChangeSummary } from "../../dev/common.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { boundMethodName } from "../../mop/boundMethod.js";
import type { ManagedClass, ReleaseInventory } from "./inventory.js";

const list = (names: readonly string[]) => names.join(", ");
const plural = (n: number, word: string) => `${word}${n === 1 ? "" : "s"}`;

/**
 * Code quoted in a TODO, on one line and cut: fast-xml-parser's entity
 * tables span screens, and a quoted newline ended the comment, so the
 * written module did not parse (review advZ18).
 */
function quote(code: string): string {
  const line = code.replace(/\s+/g, " ").trim();
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

/** The warnings of src/dev/plan.ts for a class whose source changed. */
export function classTodos(
  name: string,
  before: ClassDefinition,
  after: ClassDefinition,
  summary: ClassChangeSummary,
  context: {
    migrationsFile: string;
    migrator: boolean;
    resets: readonly string[];
    /** Fields whose initialiser reads the module's scope (ParsedClass.moduleBoundFields). */
    moduleBound: readonly string[];
  },
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
  todos.push(...moduleBoundTodos(name, after, summary, context));
  for (const field of summary.initialisers) {
    const bound = context.moduleBound.includes(field);
    if (context.resets.includes(field)) continue;
    const old = before.fields.find((f) => f.name === field)?.initializer;
    const now = after.fields.find((f) => f.name === field)?.initializer;
    const give = bound
      ? `Its new value reads the module, which a bundle's code cannot reach, so a reset cannot give it: set what the service can reach in ${context.migrationsFile}: export const migrate = { ${name}(old, object) { object.${field} = … } }, or restart`
      : `To give them the new value, list it in ${context.migrationsFile}: export const reset = { ${name}: ["${field}"] }`;
    todos.push(
      `${name}.${field}: initialiser changed (${quote(old ?? "none")} → ${quote(now ?? "none")}); existing objects keep their values. ${give}`,
    );
  }
  return todos;
}

/**
 * New fields whose initial value reads the module (`this._call =
 * CALL_DELEGATE`, tapable 2): the engine cannot compute it for the existing
 * objects outside that module and refuses the update (phases/detect.ts)
 * unless the class has a migrator, which then sets them.
 */
function moduleBoundTodos(
  name: string,
  after: ClassDefinition,
  summary: ClassChangeSummary,
  context: { migrationsFile: string; migrator: boolean; moduleBound: readonly string[] },
): string[] {
  const fields = summary.added.filter((f) => context.moduleBound.includes(f));
  if (fields.length === 0 || context.migrator) return [];
  // A field set from the constructor's arguments has no initialiser of its own to quote.
  const values = fields.map((f) => {
    const initializer = after.fields.find((x) => x.name === f)?.initializer;
    return initializer === undefined ? f : `${f} = ${quote(initializer)}`;
  });
  const one = fields.length === 1;
  return [
    `new ${plural(fields.length, "field")} ${list(values)} ${one ? "starts" : "start"} from a value of the module, which the engine cannot compute for the existing objects outside that module: it refuses the update unless a migrator sets ${one ? "it" : "them"}. Add to ${context.migrationsFile}: export const migrate = { ${name}(old, object) { object.${fields[0]} = … } }`,
  ];
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
  // A class the patch adds is bound for the implementations after its own (patch.ts hydrate).
  const others = unresolved.filter((n) => !resolution.added.has(n));
  const todos: string[] = [];
  if (others.length > 0) {
    todos.push(
      `the implementation of ${cls.name} refers to ${list(others)}, declared or imported in ${cls.file}: a bundle's code is compiled with the globals and the classes the service manages only (and the names the service passes to listen({ scope })), so ${others.length === 1 ? "it is" : "they are"} not defined there. Rewrite those references, or make the service pass them in its scope`,
    );
  }
  return todos;
}

/** The definitions from `name` up to its root in `release`. */
function chain(name: string, release: ReleaseInventory): ClassDefinition[] {
  const out: ClassDefinition[] = [];
  const seen = new Set<string>();
  for (let d = release.classes.get(name)?.definition; d && !seen.has(d.name); ) {
    seen.add(d.name);
    out.push(d);
    d = d.superclass === null ? undefined : release.classes.get(d.superclass)?.definition;
  }
  return out;
}

/**
 * Fields named like an instance method of the class's chain: the engine
 * refuses them (validation rule `field-shadows-method`: the field would hide
 * the method on every object) unless the field is the method itself, bound
 * (`this.m.bind(this)`, zod) or copied onto the object (`this.m = this.m`,
 * tapable 2), or the clash was there before.
 */
function clashes(name: string, release: ReleaseInventory): Set<string> {
  const definitions = chain(name, release);
  const methods = new Set(
    definitions.flatMap((d) =>
      d.methods.flatMap((m) =>
        !m.static && m.kind === "method" && typeof m.key === "string" ? [m.key] : [],
      ),
    ),
  );
  const isMethodItself = (field: string, initializer: string | undefined) =>
    boundMethodName(initializer) === field || initializer?.trim() === `this.${field}`;
  return new Set(
    definitions.flatMap((d) =>
      d.fields
        .filter((f) => methods.has(f.name) && !isMethodItself(f.name, f.initializer))
        .map((f) => f.name),
    ),
  );
}

export function shadowedMethodTodos(
  names: { readonly now: string; readonly running: string | null },
  old: ReleaseInventory,
  next: ReleaseInventory,
): string[] {
  const before = names.running === null ? new Set<string>() : clashes(names.running, old);
  const fields = [...clashes(names.now, next)].filter((f) => !before.has(f));
  if (fields.length === 0) return [];
  return [
    `${names.now} would have both a field and a method named ${list(fields)}: the field hides the method on every object, so the engine refuses the update (validation rule field-shadows-method). Rename one of them, or restart`,
  ];
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
