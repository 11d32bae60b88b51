/**
 * Refuses, before anything is compiled or run, a patch whose code carried
 * as source reads names that will not be bound where it runs (its module's
 * helpers, imports). Such code was compiled anyway, the update committed,
 * and the first call threw a ReferenceError in the running service (lru-cache's
 * `isPosInt` in a release's class text, a `metamorph diff` method reading a
 * module function: reviews advY1, advY4). Only the code the patch changes is
 * read: a member the running version has as it is keeps its running function.
 */
import { InvalidPatchError } from "../errors.js";
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import { readUnboundNames } from "../mop/source/parse.js";
import type { SourceKind } from "../mop/source/unboundNames.js";
import type { Namespace } from "../namespace/namespace.js";
import { isGlobalName } from "../mop/globalName.js";
import type { BuildResult } from "./build.js";
import { classesOf, type Scope, updateScopes } from "./building/updateScopes.js";

/** Names the generated code itself binds around what it compiles. */
const GENERATED: ReadonlySet<string> = new Set(["arguments", "__name"]);

interface Unbound {
  readonly className: string;
  readonly where: string;
  readonly names: readonly string[];
}

export function refuseUnboundNames(
  namespace: Namespace,
  patchName: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  hydrateScope: Scope | undefined,
): void {
  const classes = classesAfter(namespace, build);
  // Classes the patch adds with an implementation: hydrate put them in the implementations' scope.
  const added = new Set(
    [...build.classes].flatMap(([n, c]) => (c.oldName === null && c.implementation ? [n] : [])),
  );
  for (const [name, cls] of build.classes) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const handle = cls.oldName === null ? null : namespace.classNamed(cls.oldName);
    const unbound = cls.implementation
      ? handedClass(name, cls.implementation, hydrateScope, added)
      : changedCode(
          name,
          cls.definition,
          old,
          updateScopes(namespace, hydrateScope, handle, classes).compile,
        );
    if (unbound !== undefined) throw unboundError(patchName, unbound, gone(build));
  }
}

/** The names this patch takes away, and what becomes of each (for the refusal's wording). */
function gone(build: BuildResult): ReadonlyMap<string, string> {
  const names = new Map<string, string>();
  for (const name of build.removed) names.set(name, "removes");
  for (const [name, cls] of build.classes)
    if (cls.oldName !== null && cls.oldName !== name && !build.classes.has(cls.oldName))
      names.set(cls.oldName, `renames to ${name}`);
  return names;
}

/** The classes bound by name once the patch is applied: its code runs there. */
function classesAfter(namespace: Namespace, build: BuildResult): Scope {
  const classes: Record<string, unknown> = classesOf(namespace);
  for (const name of build.removed) delete classes[name];
  for (const cls of build.classes.values()) if (cls.oldName !== null) delete classes[cls.oldName];
  for (const name of build.classes.keys()) classes[name] = true;
  return classes;
}

function boundIn(scope: Scope, self: string): (name: string) => boolean {
  return (name) =>
    name === self || GENERATED.has(name) || Object.hasOwn(scope, name) || isGlobalName(name);
}

/** A class handed in as text (a hydrated release): it sees the hydrate scope and the classes the patch adds. */
function handedClass(
  name: string,
  implementation: Function,
  hydrateScope: Scope | undefined,
  added: ReadonlySet<string>,
) {
  // A class of this process keeps its module: only one compiled from text is read.
  if (hydrateScope === undefined) return undefined;
  const source = Function.prototype.toString.call(implementation);
  const inScope = boundIn(hydrateScope, name);
  const names = unboundIn(source, "class", (n) => inScope(n) || added.has(n));
  return names && names.length > 0
    ? { className: name, where: "its class text (compiled with the hydrate scope alone)", names }
    : undefined;
}

function changedCode(
  name: string,
  definition: ClassDefinition,
  old: ClassDefinition | undefined,
  scope: Scope,
): Unbound | undefined {
  const bound = boundIn(scope, name);
  const read = (source: string | undefined, kind: SourceKind, where: string) => {
    if (source === undefined || source.trim() === "") return undefined;
    const names = unboundIn(source, kind, bound);
    return names && names.length > 0 ? { className: name, where, names } : undefined;
  };
  for (const method of definition.methods) {
    if (old && kept(old.methods, method)) continue;
    const found = read(method.source, "member", memberWhere(method));
    if (found) return found;
  }
  for (const [fields, kind] of [
    [definition.fields, "field"],
    [definition.staticFields, "static field"],
  ] as const) {
    const before = kind === "field" ? old?.fields : old?.staticFields;
    for (const field of fields) {
      if (before?.some((f) => f.name === field.name && f.initializer === field.initializer))
        continue;
      const found = read(
        field.initializer,
        "expression",
        `the initialiser of ${kind} ${field.name}`,
      );
      if (found) return found;
    }
  }
  return undefined;
}

/** How a refusal names a method or accessor: `static get size`, `method place`. */
export function memberWhere(method: MethodDefinition): string {
  return `${method.static ? "static " : ""}${method.kind === "method" ? "method" : method.kind} ${memberKeyName(method.key)}`;
}

/**
 * `readUnboundNames`, undefined where no parser runs (the Vite page, whose
 * edits the dev server has read already).
 */
export function unboundIn(
  source: string,
  kind: SourceKind,
  bound: (name: string) => boolean,
): string[] | undefined {
  try {
    return readUnboundNames(source, kind, bound);
  } catch {
    return undefined;
  }
}

function kept(methods: readonly MethodDefinition[], method: MethodDefinition): boolean {
  return methods.some(
    (m) =>
      m.static === method.static &&
      m.kind === method.kind &&
      JSON.stringify(m.key) === JSON.stringify(method.key) &&
      m.source === method.source,
  );
}

function unboundError(
  patchName: string,
  { className, where, names }: Unbound,
  gone: ReadonlyMap<string, string>,
): InvalidPatchError {
  const list = names
    .map((n) => `\`${n}\`${gone.has(n) ? ` (a class this patch ${gone.get(n)})` : ""}`)
    .join(", ");
  return new InvalidPatchError(
    `patch ${patchName}: ${className}, ${where}, reads ${list}, which ${names.length === 1 ? "is" : "are"} not bound where the patch's code runs: code carried as source sees globals, the namespace's classes, the class's scope and the patch's hydrate scope — not the module it was written in. Pass ${names.length === 1 ? "it" : "them"} in a scope (defineClass's \`scope\` option, \`patch.hydrate(scope)\`, \`listen({ scope })\`), or carry what ${names.length === 1 ? "it needs" : "they need"} in the patch; the update was refused before anything changed`,
    { patch: patchName, className, member: where, names },
  );
}
