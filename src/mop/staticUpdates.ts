/**
 * An update's statics on the class handle: the new version's own, as the
 * handle holds each (staticForms.ts formOf), over what the handle has. What
 * the program defined over a static stays where the update leaves that
 * static as it was (staticWrites.ts keepsProgramStatic); a static the
 * program fixed (froze, sealed, defined with `configurable: false`) that
 * would have to change stops the update before the handle changes.
 */
import { UnswappableObjectError } from "../errors.js";
import { toFastProperties } from "./fastProperties.js";
import type { HandleState } from "./handleState.js";
import { formOf, SKIPPED_STATICS } from "./staticForms.js";
import { followLength } from "./staticForwarders.js";
import { keepsProgramStatic, sameForm } from "./staticWrites.js";

/** A change of one of the handle's statics: its own property now (if any) and what it becomes. */
interface StaticChange {
  readonly key: PropertyKey;
  readonly own: PropertyDescriptor | undefined;
  readonly form: PropertyDescriptor;
}

/** Defines the handle's statics for its current version, which replaces `previous`. */
export function forwardUpdatedStatics(state: HandleState, previous: Function): void {
  forwardStatics(state, previous);
  followLength(state);
}

function forwardStatics(state: HandleState, previous: Function): void {
  const { handle, current } = state;
  const before = state.statics;
  const next = new Map<PropertyKey, PropertyDescriptor>();
  const changes: StaticChange[] = [];
  for (const key of Reflect.ownKeys(current)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(current, key)!;
    const recorded = before.get(key);
    const form = formOf(state, key, d, recorded);
    next.set(key, form);
    const own = Reflect.getOwnPropertyDescriptor(handle, key);
    if (own !== undefined && sameForm(own, form)) continue;
    // The program's own property over it (settleProgramStatics left it: an accessor, or fixed).
    const program = own !== undefined && recorded !== undefined && !sameForm(own, recorded);
    if (program && keepsProgramStatic(previous, key, d)) continue;
    changes.push({ key, own, form });
  }
  const gone = [...before.keys()].filter((key) => !next.has(key));
  const reorder = before.size > 0 && !sameOrder(before, next) && Object.isExtensible(handle);
  if (gone.length > 0 || changes.length > 0 || reorder)
    install(state, next, changes, gone, reorder);
  state.statics = next;
}

function sameOrder(a: ReadonlyMap<PropertyKey, unknown>, b: ReadonlyMap<PropertyKey, unknown>) {
  if (a.size !== b.size) return false;
  const keys = [...b.keys()];
  let i = 0;
  for (const key of a.keys()) if (keys[i++] !== key) return false;
  return true;
}

/**
 * Gives the handle `next`, by `changes` (and without the `gone` statics):
 * in place where the keys keep their order, else by defining every static
 * again in the version's order (`Object.keys(Handle)` lists them as the
 * class does). A static the program fixed (froze, sealed, defined with
 * `configurable: false`) that would have to change refuses the update
 * before the handle changes.
 */
function install(
  state: HandleState,
  next: ReadonlyMap<PropertyKey, PropertyDescriptor>,
  changes: readonly StaticChange[],
  gone: readonly PropertyKey[],
  reorder: boolean,
): void {
  const { handle } = state;
  refuseStuckStatics(handle, changes, gone);
  const changed = new Map(changes.map((c) => [c.key, c.form]));
  let reshaped = gone.length > 0;
  for (const key of gone) Reflect.deleteProperty(handle, key);
  if (reorder) {
    // Each as it is, unless it changes: what the program defined over a static it keeps.
    const now = new Map(
      [...next.keys()].map((k) => [k, Reflect.getOwnPropertyDescriptor(handle, k)]),
    );
    for (const key of next.keys()) {
      const own = now.get(key);
      if (own === undefined || own.configurable === true) Reflect.deleteProperty(handle, key);
    }
    for (const [key, own] of now) {
      if (own !== undefined && own.configurable !== true) continue;
      const d = changed.get(key) ?? own;
      if (d !== undefined) Object.defineProperty(handle, key, d);
    }
    reshaped = true;
  }
  for (const { key, own, form } of changes) {
    if (reorder && own?.configurable !== false) continue;
    redefine(handle, key, own, form);
    if (own !== undefined && "get" in own !== "get" in form) reshaped = true;
  }
  // Redefined, deleted or another kind, the handle went to dictionary mode: `instanceof` 10 ns, not 3.
  if (reshaped) toFastProperties(handle);
}

/** Defines `form` over `own`: only its value where nothing else changes (a sealed handle's method takes a new one). */
function redefine(
  handle: Function,
  key: PropertyKey,
  own: PropertyDescriptor | undefined,
  form: PropertyDescriptor,
): void {
  const valueOnly =
    own !== undefined &&
    "value" in own &&
    "value" in form &&
    own.writable === form.writable &&
    own.enumerable === form.enumerable;
  Object.defineProperty(handle, key, valueOnly ? { value: form.value } : form);
}

/**
 * Refuses the `changes` and removals (`gone`) of the handle's statics that
 * it cannot take: a property the program fixed (`Object.freeze(Handle)`,
 * `seal`, `configurable: false`) or a new static on a handle that takes no
 * new properties. Checked before the handle changes; the update that
 * installs the version is undone.
 */
function refuseStuckStatics(
  handle: Function,
  changes: readonly StaticChange[],
  gone: readonly PropertyKey[],
): void {
  const name = (key: PropertyKey) => (typeof key === "symbol" ? key.toString() : String(key));
  for (const key of gone) {
    const own = Reflect.getOwnPropertyDescriptor(handle, key);
    if (own !== undefined && own.configurable !== true)
      throw stuck(handle, key, `does not have static ${name(key)}, which cannot be removed`);
  }
  for (const { key, own, form } of changes) {
    if (own === undefined) {
      if (!Object.isExtensible(handle)) throw stuck(handle, key, `adds static ${name(key)}`);
    } else if (own.configurable !== true && !valueOnly(own, form)) {
      throw stuck(handle, key, `has another static ${name(key)}, which cannot be redefined`);
    }
  }
}

/** Whether `form` changes only the value of the writable data property `own` (which a sealed object allows). */
function valueOnly(own: PropertyDescriptor, form: PropertyDescriptor): boolean {
  return (
    own.writable === true &&
    "value" in form &&
    form.writable === true &&
    own.enumerable === form.enumerable
  );
}

function stuck(handle: Function, key: PropertyKey, change: string): UnswappableObjectError {
  const name = handle.name;
  const fixed = Object.isExtensible(handle)
    ? `its static ${typeof key === "symbol" ? key.toString() : String(key)} is not configurable (defined with configurable: false)`
    : "it is frozen, sealed or not extensible";
  return new UnswappableObjectError(
    `class ${name} cannot be updated in place: ${fixed}, and the new version ${change}; the update is refused before the class changes. Keep that static the same in the new version, do not freeze a class you update, or restart the program to load the new version`,
    { className: name, object: name, property: key, rule: "non-configurable-static" },
  );
}
