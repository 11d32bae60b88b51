/**
 * What a class `defineClass` makes reads by name: the namespace's classes
 * (a method saying `new Line()` gets the managed Line), its `scope` option
 * over them, and globals — as a patch's code does (README). It saw its
 * `scope` option and globals only, and `new Line()` in a method threw a
 * ReferenceError at its first call (review advZ13). A class defined later
 * (Order's method names Line, defined after Order; or two classes naming
 * each other) is a late name of the generated code, bound when the
 * namespace binds a class of that name (lateNames.ts).
 */
import { isGlobalName } from "../mop/globalName.js";
import { type ClassDefinition, codeOfDefinition } from "../mop/classDefinition.js";
import { isValidClassName } from "../mop/createClass.js";
import { bindLateNames, hasLateNames, withLateNames } from "../mop/lateNames.js";
import { readUnboundNames } from "../mop/source/parse.js";

type Scope = Readonly<Record<string, unknown>>;

/** Names the generated code binds around what it compiles. */
const GENERATED: ReadonlySet<string> = new Set(["arguments", "__name"]);

/**
 * The scope `definition`'s code is compiled against, given the classes
 * bound now; added to `waiting` while it names classes not bound yet.
 */
export function definitionScope(
  definition: ClassDefinition,
  own: Scope,
  classes: Scope,
  waiting: Set<Scope>,
): Scope {
  const scope = { ...classes, ...own };
  const bound = (name: string) =>
    Object.hasOwn(scope, name) ||
    isGlobalName(name) ||
    GENERATED.has(name) ||
    name === definition.name;
  const compiled = withLateNames(scope, unbound(definition, bound).filter(isValidClassName));
  if (hasLateNames(compiled)) waiting.add(compiled);
  return compiled;
}

/** Binds, in every scope still waiting, the classes `classes` now has. */
export function bindDefinedClasses(waiting: Set<Scope>, classes: Scope): void {
  for (const scope of waiting) {
    bindLateNames(scope, classes);
    if (!hasLateNames(scope)) waiting.delete(scope);
  }
}

/** The names the definition's code reads that nothing binds; none where no parser is at hand (the Vite page). */
function unbound(definition: ClassDefinition, bound: (name: string) => boolean): string[] {
  const names = new Set<string>();
  try {
    for (const { source, kind } of codeOfDefinition(definition))
      for (const name of readUnboundNames(source, kind, bound) ?? []) names.add(name);
  } catch {
    return [];
  }
  return [...names];
}

/** A namespace or a shadow, as far as its class bindings go (namespace.ts imports this file). */
interface World {
  readonly snapshot: {
    readonly bindings: Readonly<
      Record<string, { readonly kind: string; readonly handle?: unknown }>
    >;
  };
}

/** The classes bound by name in a namespace or a shadow, under the names code can read. */
export function classesOf(world: World): Record<string, unknown> {
  const classes: Record<string, unknown> = {};
  const bindings = world.snapshot.bindings;
  for (const name in bindings) {
    const binding = bindings[name]!;
    if (binding.kind === "class" && isValidClassName(name)) classes[name] = binding.handle;
  }
  return classes;
}
