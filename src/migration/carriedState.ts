/**
 * Own state a migration does not manage: properties that no field of the old
 * or the new layout names (a field the constructor assigns only conditionally,
 * which reading the source cannot see; a property some other code added),
 * symbol-keyed properties, non-enumerable ones. A migration never deletes
 * them: they are carried over to the migrated object with the same value and
 * the same descriptor, after the new fields, and a rollback puts them back
 * where they were. Migrators see them in the old view and may change them on
 * the new object like any field.
 *
 * Most objects have nothing of the kind, and for them the migration keeps its
 * fast path (`rewriteFields`); an object that has some is rewritten from
 * complete states (`applyState`), which handles every descriptor and order.
 */
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { sameDescriptor } from "./ownState.js";
import { unreadableError } from "../mop/unreadableObjects.js";
import { elementsOf } from "./arrayElements.js";

/** Own properties carried over unchanged, and the object's complete state before the migration. */
export interface Carried {
  readonly before: ObjectState;
  readonly keys: readonly PropertyKey[];
  readonly descriptors: readonly PropertyDescriptor[];
  /**
   * The prototype the migration left the object on, where a migrator run
   * on the object itself could change it (targetReplay.ts): a rollback
   * that still finds it there puts back `before`'s.
   */
  readonly installedPrototype?: object | null;
}

/**
 * Whether `object` may hold state outside `known` (the old and new layouts'
 * field names), given its own enumerable string keys, or a field that is
 * not a plain data field: the fast rewrite would turn an own accessor into
 * a data field holding the getter's value, a read-only field into a
 * writable one, and fail on deleting a non-configurable one, where the
 * rewrite from complete states keeps each as it is (or refuses it). Symbols
 * are looked for only when `withSymbols` (user code reads or writes the
 * object's state): otherwise the field rewrite never touches them, so they
 * stay as they are. With `elementsApart`, an array's elements and `length`
 * are not looked at: its rewrite leaves them where they are (arrayElements.ts).
 */
export function hasUnmanagedState(
  object: object,
  keys: readonly string[],
  known: ReadonlySet<string>,
  withSymbols: boolean,
  elementsApart = true,
): boolean {
  // A Proxy's trap may throw: the object is refused by name (where the
  // update's phase can tell which object it is), not with the trap's Error.
  try {
    for (let i = elementsApart ? elementsOf(object, keys) : 0; i < keys.length; i++) {
      if (!known.has(keys[i]!)) return true;
      const d = Reflect.getOwnPropertyDescriptor(object, keys[i]!);
      if (d === undefined || d.writable !== true || d.configurable !== true) return true;
    }
    const names = Object.getOwnPropertyNames(object).length;
    // An array's one own name besides its enumerable keys is its `length`.
    const array = elementsApart && names === keys.length + 1 && Array.isArray(object);
    if (names !== keys.length && !array) return true;
    return withSymbols && Object.getOwnPropertySymbols(object).length > 0;
  } catch (error) {
    const what = "reading its own properties";
    throw unreadableError(
      { object },
      what,
      "looking for state its migration does not manage",
      error,
    );
  }
}

/** The properties of `state` that are not data fields named in `fields`: what is carried. */
export function unmanagedOf(
  state: ObjectState,
  fields: ReadonlySet<string>,
): { keys: PropertyKey[]; descriptors: PropertyDescriptor[] } {
  const keys: PropertyKey[] = [];
  const descriptors: PropertyDescriptor[] = [];
  state.keys.forEach((key, i) => {
    if (typeof key === "string" && fields.has(key)) return;
    keys.push(key);
    descriptors.push(state.descriptors[i]!);
  });
  return { keys, descriptors };
}

/** What an object whose state was `before` carries: every property no field of either layout names. */
export function carriedFrom(before: ObjectState, known: ReadonlySet<string>): Carried {
  return { before, ...unmanagedOf(before, known) };
}

/** The values the old view shows: every own property, symbols and non-enumerable ones included. */
export function viewEntries(object: object, state: ObjectState): [PropertyKey, unknown][] {
  return state.keys.map((key, i) => {
    const d = state.descriptors[i]!;
    return [key, "value" in d ? d.value : Reflect.get(object, key)];
  });
}

const INDEX = /^(?:0|[1-9]\d*)$/;
const isIndex = (key: PropertyKey): boolean =>
  typeof key === "string" && INDEX.test(key) && Number(key) <= 4294967294;

/**
 * A complete state from properties in the order wanted, put in the order
 * `Reflect.ownKeys` has (array indices, then strings, then symbols), which
 * `applyState` expects.
 */
export function stateOf(
  template: ObjectState,
  keys: readonly PropertyKey[],
  descriptors: readonly PropertyDescriptor[],
): ObjectState {
  const order = keys.map((_, i) => i);
  const rank = (key: PropertyKey) => (isIndex(key) ? 0 : typeof key === "string" ? 1 : 2);
  const indices = order.filter((i) => rank(keys[i]!) === 0);
  indices.sort((a, b) => Number(keys[a]) - Number(keys[b]));
  const sorted = [
    ...indices,
    ...order.filter((i) => rank(keys[i]!) === 1),
    ...order.filter((i) => rank(keys[i]!) === 2),
  ];
  return {
    prototype: template.prototype,
    keys: sorted.map((i) => keys[i]!),
    descriptors: sorted.map((i) => descriptors[i]!),
    elementCount: indices.length,
    arrayLength: template.arrayLength,
  };
}

export const dataField = (value: unknown): PropertyDescriptor => ({
  value,
  writable: true,
  enumerable: true,
  configurable: true,
});

/**
 * The descriptor of a new field carried from old field `from` (same name or
 * a rename) with `value`: the attributes the old property had, which are
 * the program's (pg's Client defines `password` non-enumerable so that it
 * is never printed). An own accessor stays one while the migration did not
 * change its value (no migrator ran: the value is what its getter gave);
 * otherwise, like a field that is new, a plain data field.
 */
function carriedField(
  before: ObjectState,
  from: string | undefined,
  value: unknown,
  keepAccessor: boolean,
): PropertyDescriptor {
  const j = from === undefined ? -1 : before.keys.indexOf(from);
  if (j < 0) return dataField(value);
  const was = before.descriptors[j]!;
  if (!("value" in was) && !("writable" in was)) {
    if (keepAccessor) return was;
    return { value, writable: true, enumerable: was.enumerable, configurable: was.configurable };
  }
  return {
    value,
    writable: was.writable,
    enumerable: was.enumerable,
    configurable: was.configurable,
  };
}

/**
 * The migrated state: the carried properties the object had in front of its
 * fields, the new layout's fields, then the other carried properties.
 * `from[i]` is the old field the new field `fields[i]` is carried from, if any.
 */
export function migratedState(
  carried: Carried,
  fields: readonly string[],
  values: readonly unknown[],
  from: readonly (string | undefined)[],
  keepAccessors: boolean,
): ObjectState {
  const { before, keys, descriptors } = carried;
  const front = leading(carried);
  const at = (inFront: boolean) => keys.flatMap((_, i) => (front.has(i) === inFront ? [i] : []));
  const [ahead, behind] = [at(true), at(false)];
  return stateOf(
    before,
    [...ahead.map((i) => keys[i]!), ...fields, ...behind.map((i) => keys[i]!)],
    [
      ...ahead.map((i) => descriptors[i]!),
      ...values.map((value, i) => carriedField(before, from[i], value, keepAccessors)),
      ...behind.map((i) => descriptors[i]!),
    ],
  );
}

/**
 * Positions in `carried.keys` of the properties the object had in front of
 * its first field: what an external superclass's constructor set before the
 * class's own (EventEmitter's `_events`, `_eventsCount`, `_maxListeners`).
 * They stay in front, where a fresh object of the new version has them:
 * moved behind the fields, every migrated object had another key order and
 * hidden class than fresh ones, and a non-configurable one (which cannot be
 * moved) made the update refused.
 */
function leading({ before, keys, descriptors }: Carried): Set<number> {
  const carried = new Map(keys.map((key, i) => [key, i] as const));
  const front = new Set<number>();
  for (const key of before.keys) {
    if (typeof key !== "string" || isIndex(key)) continue;
    const i = carried.get(key);
    if (i === undefined) return front;
    front.add(i);
  }
  // No field at all: what the program added cannot be told from what a
  // superclass or a helper set, and the new fields come first — except in
  // front of a property that cannot move (ethers' read-only `type`, set by
  // `defineProperties(this, …)`): it and what precedes it stay in front.
  const order = [...front];
  let last = -1;
  order.forEach((i, at) => {
    if (descriptors[i]!.configurable === false) last = at;
  });
  return new Set(order.slice(0, last + 1));
}

/**
 * The state a rollback gives back: the old layout's fields with `values`,
 * and every own property that is not a field of the new layout as it is now
 * — the program may have changed it since the commit — unless it is still
 * what the migration installed (a migrator's change), which goes back to
 * what it was; in the order the object had before the migration where
 * known, else after the old fields.
 */
export function rolledBackState(
  object: object,
  newFields: ReadonlySet<string>,
  oldKeys: readonly string[],
  values: readonly unknown[],
  carried: Carried | undefined,
  /**
   * It had the old layout's fields alone, in order, before it migrated (its
   * log kept no complete state): they come back first, what the program
   * added since after them, as it had them without the update. Otherwise,
   * with no state from before (an object made since the commit), they go
   * around what it holds, in its order (see inOrder).
   */
  hadOldLayout = false,
  now: ObjectState = captureState(object),
): ObjectState {
  const before = carried?.before;
  // By key, once: an object with many own keys (a 40,000-element array) was
  // looked up by a scan of its keys for each key, n² at every rollback.
  const descriptorBefore = descriptorsOf(before);
  const descriptorNow = before === undefined ? descriptorsOf(now) : descriptorBefore;
  const installed = new Map<PropertyKey, PropertyDescriptor>();
  carried?.keys.forEach((key, i) => {
    installed.set(key, carried.descriptors[i]!);
  });
  const kept = new Map<PropertyKey, PropertyDescriptor>();
  const current = unmanagedOf(now, newFields);
  current.keys.forEach((key, i) => {
    const d = current.descriptors[i]!;
    const put = installed.get(key);
    const was = descriptorBefore.get(key);
    // What the program added since stays; so does a value it wrote since to
    // state the object had before too. State the migration made that the
    // object did not have (a release's own symbol key a migrator moved a
    // value to) goes, written since or not: it is the new version's.
    if (put === undefined || (was && !sameDescriptor(put, d))) kept.set(key, d);
    else if (was) kept.set(key, was);
  });
  // What a migrator deleted, and the program did not add back, returns.
  for (const [key, was] of unmanagedPairs(before, newFields)) {
    if (!installed.has(key) && !kept.has(key) && !oldKeys.includes(key as string))
      kept.set(key, was);
  }
  const restored = new Map<PropertyKey, PropertyDescriptor>();
  oldKeys.forEach((key, i) => {
    // A field keeps the attributes it had (a non-enumerable one stays so),
    // and an own accessor comes back as it was (the migration read its
    // value into a data field); an object made since the commit keeps those
    // both versions gave it (a read-only `id` cannot be redefined writable).
    const was = descriptorNow.get(key);
    restored.set(
      key,
      was === undefined
        ? dataField(values[i])
        : "value" in was
          ? { ...was, value: values[i] }
          : was,
    );
  });
  const order = before?.keys ?? (hadOldLayout ? oldKeys : undefined);
  const { keys, descriptors } = inOrder(kept, restored, order, now.keys, oldKeys);
  return stateOf({ ...now, prototype: prototypeBack(carried, now) }, keys, descriptors);
}

/**
 * The prototype a rollback gives back: the one the object had before its
 * migration where a migrator moved it (`Object.setPrototypeOf(target, …)`
 * run on the object itself) and it is still there; otherwise where it is
 * now — the program may have moved it since, and keeps that.
 */
function prototypeBack(carried: Carried | undefined, now: ObjectState): object | null {
  const installed = carried?.installedPrototype;
  if (installed === undefined || now.prototype !== installed) return now.prototype;
  return carried!.before.prototype;
}

function descriptorsOf(state: ObjectState | undefined): Map<PropertyKey, PropertyDescriptor> {
  const byKey = new Map<PropertyKey, PropertyDescriptor>();
  state?.keys.forEach((key, i) => {
    byKey.set(key, state.descriptors[i]!);
  });
  return byKey;
}

/**
 * The rolled-back state's properties in order: as the object had them
 * before the update; for an object made since the commit, which never had
 * an old state, its old fields where the old version puts them, around
 * what it holds besides, in the order it holds it — so that a property that
 * cannot be deleted (three's `Object.defineProperty(this, "id", { value })`)
 * stays where it is, and the rewrite never has to move it (the rollback
 * threw half done). `kept` and `restored` are consumed.
 */
function inOrder(
  kept: Map<PropertyKey, PropertyDescriptor>,
  restored: Map<PropertyKey, PropertyDescriptor>,
  before: readonly PropertyKey[] | undefined,
  now: readonly PropertyKey[],
  oldKeys: readonly string[],
): { keys: PropertyKey[]; descriptors: PropertyDescriptor[] } {
  const keys: PropertyKey[] = [];
  const descriptors: PropertyDescriptor[] = [];
  const take = (key: PropertyKey) => {
    // An old field's value is the one the rollback computed (from its new
    // name, where the program wrote since): a property the program made
    // under the old name meanwhile (an old closure's `this.count++` after a
    // rename) does not replace it.
    const d = restored.get(key) ?? kept.get(key);
    if (d === undefined) return;
    keys.push(key);
    descriptors.push(d);
    kept.delete(key);
    restored.delete(key);
  };
  if (before) for (const key of before) take(key);
  else {
    let next = 0;
    for (const key of now) {
      if (restored.has(key)) {
        for (const at = oldKeys.indexOf(key as string); next <= at; next++) take(oldKeys[next]!);
      } else if (kept.has(key)) take(key);
    }
  }
  for (const key of [...oldKeys, ...restored.keys(), ...kept.keys()]) take(key);
  return { keys, descriptors };
}

function unmanagedPairs(
  state: ObjectState | undefined,
  fields: ReadonlySet<string>,
): [PropertyKey, PropertyDescriptor][] {
  if (state === undefined) return [];
  const { keys, descriptors } = unmanagedOf(state, fields);
  return keys.map((key, i) => [key, descriptors[i]!]);
}

/**
 * The string-keyed data fields a migrated object has beyond its class's:
 * the carried ones it had before, which conformance accepts (a field a
 * migrator adds is still an extra field).
 */
export function carriedFieldNames(carried: Carried, known: ReadonlySet<string>): string[] {
  const had = new Set(unmanagedOf(carried.before, known).keys);
  return carried.keys.filter((key, i): key is string => {
    const d = carried.descriptors[i]!;
    return typeof key === "string" && had.has(key) && "value" in d && d.enumerable === true;
  });
}
