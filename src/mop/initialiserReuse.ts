/**
 * A new version of a created class whose fields, superclass link and scope
 * are those of the running version reuses its field initialiser (createClass
 * `previous`): an edit of method bodies then compiles only the methods, and
 * fresh objects are built by the very same initialiser (same hidden class,
 * construction sites keep their type feedback).
 */
import type { ClassDefinition } from "./classDefinition.js";

type Scope = Readonly<Record<string, unknown>>;

/** The scope each created class was compiled with. */
const scopes = new WeakMap<Function, Scope>();
/**
 * The constructor whose [[Prototype]] a created class's field initialiser
 * reads to reach the superclass's (the one it was compiled with), when it is
 * not the class itself.
 */
const holders = new WeakMap<Function, Function>();

/** The constructor whose [[Prototype]] `ctor`'s field initialiser follows to its superclass: `ctor` unless it reuses an earlier version's. */
export function initialiserHolder(ctor: Function): Function {
  return holders.get(ctor) ?? ctor;
}

/** Remembers what `ctor` was compiled against, and whose initialiser it reuses (null: its own). */
export function recordInitialiser(ctor: Function, scope: Scope, reusedFrom: Function | null): void {
  scopes.set(ctor, scope);
  if (reusedFrom !== null) holders.set(ctor, initialiserHolder(reusedFrom));
}

export interface Reuse {
  readonly definition: ClassDefinition;
  readonly superclass: Function | null;
  readonly scope: Scope;
  readonly previous: Function;
  /** The definition createClass made `previous` from, if it did. */
  readonly before: ClassDefinition | undefined;
  /** `previous`'s own field initialiser, if it has one. */
  readonly initialise: Function | undefined;
}

const initialiserText = (expression: string | undefined) =>
  expression === undefined || expression.trim() === "" ? undefined : expression;

/**
 * `previous`'s field initialiser, when it writes exactly what `definition`'s
 * would: same fields with the same initialisers, compiled against the same
 * scope, reaching the same superclass (or none). Else null.
 */
export function reusableInitialiser(reuse: Reuse): Function | null {
  const { definition, before, initialise } = reuse;
  if (before === undefined || initialise === undefined || !compiledAlike(reuse)) return null;
  const fields = definition.fields;
  if (before.fields.length !== fields.length) return null;
  for (let i = 0; i < fields.length; i++) {
    const a = before.fields[i]!;
    const b = fields[i]!;
    if (a.name !== b.name || initialiserText(a.initializer) !== initialiserText(b.initializer))
      return null;
  }
  return initialise;
}

/**
 * Whether code of `reuse.definition` compiled now would see what the code
 * of `previous` sees: the same scope, the same superclass link.
 */
export function compiledAlike(reuse: Reuse): boolean {
  const { superclass, before, previous } = reuse;
  if (before === undefined || !sameScope(scopes.get(previous), reuse.scope)) return false;
  if ((before.superclass === null) !== (superclass === null)) return false;
  return superclass === null || Object.getPrototypeOf(initialiserHolder(previous)) === superclass;
}

/**
 * Whether code compiled against `a` sees what it would compiled against `b`:
 * every name `a` binds, `b` binds to the same value. Names only `b` has
 * (the namespace's classes an update's code sees, updateScopes.ts) were
 * unbound for that code, which reads none of them. Equal scopes only, and
 * the first update after a class was defined recompiled its field code,
 * every construction site losing its type feedback.
 */
function sameScope(a: Scope | undefined, b: Scope): boolean {
  if (a === b) return true;
  if (a === undefined) return false;
  return Object.keys(a).every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * The constructor of a version that reuses an earlier version's field
 * initialiser: made by this closure, not compiled, since only the methods
 * changed. A class handle never calls it (it runs the initialiser itself);
 * a program holding the version's constructor gets what a generated one does.
 * Its name comes from the computed key, as a class's does: no
 * `defineProperty` of `name` afterwards (which replaces the function's name
 * accessor and gives it a map of its own). And it is no function with an
 * inferred name, which the name-keeping helpers of bundlers (esbuild
 * keepNames, under tsx) would wrap at each call.
 */
export function reusingConstructor(name: string, initialise: Function): Function {
  return {
    [name]: function (this: object, init: unknown) {
      if (new.target === undefined)
        throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
      initialise.call(this, init);
    },
  }[name]!;
}
