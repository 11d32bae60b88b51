/**
 * Names a created class's code reads that are bound only after it is
 * compiled: the classes an update adds, whose handles do not exist yet when
 * the classes using them are built (a changed `Orders.place` saying `new
 * Invoice()` where the same patch adds `Invoice`, or two new classes naming
 * each other). The generated code holds them as variables, set once every
 * handle exists (`bindLateNames`); until then they are undefined, which only
 * a static initialiser can see, since it runs as its class is made.
 */
type Scope = Readonly<Record<string, unknown>>;
type Setter = (values: Scope) => void;

interface Late {
  readonly names: readonly string[];
  readonly setters: Setter[];
}

const lateOf = new WeakMap<Scope, Late>();

/** `scope` with `names` bound to undefined until `bindLateNames(scope, …)` binds them. */
export function withLateNames(scope: Scope, names: readonly string[]): Scope {
  if (names.length === 0) return scope;
  const late: Record<string, unknown> = { ...scope };
  for (const name of names) late[name] = undefined;
  lateOf.set(late, { names, setters: [] });
  return late;
}

/** The late names of `scope` that code compiled against it declares. */
export function lateNamesIn(scope: Scope): readonly string[] {
  return lateOf.get(scope)?.names ?? [];
}

/** Remembers the setter of code compiled against `scope`. */
export function noteLateSetter(scope: Scope, setter: Setter): void {
  lateOf.get(scope)?.setters.push(setter);
}

/**
 * Binds the late names of `scope` that `values` has, in the code compiled
 * against it and in the scope itself (what a later version compares when it
 * reuses a field initialiser, initialiserReuse.ts). The others stay late:
 * a class a namespace defines names classes it will define after it.
 */
export function bindLateNames(scope: Scope, values: Scope): void {
  const late = lateOf.get(scope);
  if (late === undefined) return;
  const bound: Record<string, unknown> = {};
  for (const name of late.names) if (Object.hasOwn(values, name)) bound[name] = values[name];
  if (Object.keys(bound).length === 0) return;
  Object.assign(scope as Record<string, unknown>, bound);
  for (const setter of late.setters) setter(bound);
  const names = late.names.filter((n) => !Object.hasOwn(bound, n));
  if (names.length === 0) lateOf.delete(scope);
  else lateOf.set(scope, { names, setters: late.setters });
}

/** Whether `scope` still has names to bind. */
export function hasLateNames(scope: Scope): boolean {
  return lateOf.has(scope);
}
