/**
 * The containers a migrated object holds in its fields. A migrator's
 * `target` starts as a shallow copy of the object's state, so a Map, Set,
 * array or plain object a field holds is the live object's own: migrators
 * commonly convert it in place (`for (const [k, x] of t.data) t.data.set(k,
 * { value: x })`). Such a write happens before the update is decided, and
 * a lazy or progressive update with a dry run (validations, removed
 * classes) ran the migrator twice — on the copy, and again at first touch —
 * converting twice; a refused update left it converted.
 *
 * So, before migration code runs for an object, what each container its
 * fields hold directly contains is recorded here (Map entries, Set values,
 * array elements and length, a plain object's own properties), and put back
 * in place — same container, same entries in the same order — wherever the
 * object's migration is undone or its code run again: a refusal, a commit
 * that fails, a rollback, the end of a dry run, a preparation run again.
 *
 * Not reached: what those containers hold in turn (`t.data.get(k).x = 1`),
 * WeakMaps and WeakSets (they cannot be listed), class instances other than
 * Map and Set, typed arrays, and Proxies (reading them runs their traps).
 * Read through the intrinsic methods (`Map.prototype.forEach`), so that a
 * subclass overriding `set` or `clear` runs no code of its own here.
 */
import { isProxy } from "../mop/proxyObjects.js";
import { isMap, isSet } from "../valueKinds.js";
import { sameDescriptor } from "./ownState.js";

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size")!.get!;
const { forEach: mapForEach, set: mapSet, clear: mapClear } = Map.prototype;
const { forEach: setForEach, add: setAdd, clear: setClear } = Set.prototype;
/** Where an array had no element. */
const HOLE: unique symbol = Symbol("hole");

type Snapshot =
  | { readonly kind: "map"; readonly container: Map<unknown, unknown>; readonly items: unknown[] }
  | { readonly kind: "set"; readonly container: Set<unknown>; readonly items: unknown[] }
  | { readonly kind: "array"; readonly container: unknown[]; readonly items: unknown[] }
  | {
      readonly kind: "object";
      readonly container: object;
      readonly keys: PropertyKey[];
      readonly descriptors: PropertyDescriptor[];
    };

/** What the containers of one object held, in the order recorded; null when it holds none. */
export type HeldContainers = readonly Snapshot[] | null;

function snapshotOf(value: object): Snapshot | undefined {
  // A Proxy's reads run its traps; for any other object `instanceof` and
  // the prototype read run no code, and the brand check (which throws, and
  // costs) is left to what claims to be a Map or a Set.
  if (isProxy(value)) return undefined;
  if (value instanceof Map && isMap(value)) {
    const items: unknown[] = [];
    mapForEach.call(value, (v, k) => items.push(k, v));
    return { kind: "map", container: value, items };
  }
  if (value instanceof Set && isSet(value)) {
    const items: unknown[] = [];
    setForEach.call(value, (v) => items.push(v));
    return { kind: "set", container: value, items };
  }
  if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = i in value ? value[i] : HOLE;
    return { kind: "array", container: value, items };
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const keys = Reflect.ownKeys(value);
  const descriptors = keys.map((k) => Reflect.getOwnPropertyDescriptor(value, k)!);
  return { kind: "object", container: value, keys, descriptors };
}

/**
 * Records the containers among `values` (an object's field values), before
 * migration code runs for it. Costs one `typeof` per field when there are
 * none.
 */
export function recordContainers(values: readonly unknown[]): HeldContainers {
  let held: Snapshot[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== "object" || value === null) continue;
    if (held?.some((s) => s.container === value)) continue;
    const snapshot = snapshotOf(value);
    if (snapshot) (held ??= []).push(snapshot);
  }
  return held;
}

/** Puts every recorded container back as it was (last recorded first). */
export function restoreContainers(held: HeldContainers): void {
  if (held === null) return;
  for (let i = held.length - 1; i >= 0; i--) restoreOne(held[i]!);
}

/** What a migration log keeps of its general-path objects (migrationLog.ts). */
interface Prepared {
  readonly general: ReadonlyMap<number, { readonly containers: HeldContainers }>;
}

/**
 * Puts back the containers of every object `logs` prepared, last first (a
 * container two objects hold gets what it held before the first): at the
 * end of a dry run, and when an update is refused before its commit.
 */
export function restoreLoggedContainers(logs: readonly Prepared[]): void {
  for (let l = logs.length - 1; l >= 0; l--) {
    const records = [...logs[l]!.general.values()];
    for (let i = records.length - 1; i >= 0; i--) restoreContainers(records[i]!.containers);
  }
}

function restoreOne(s: Snapshot): void {
  if (unchanged(s)) return;
  if (s.kind === "map") restoreMap(s.container, s.items);
  else if (s.kind === "set") restoreSet(s.container, s.items);
  else if (s.kind === "array") restoreArray(s.container, s.items);
  else restoreObject(s.container, s.keys, s.descriptors);
}

/** Whether the container holds just what `s` recorded, in the same order. */
function unchanged(s: Snapshot): boolean {
  if (s.kind === "map") {
    const { container, items } = s;
    let i = 0;
    let same = mapSize.call(container) * 2 === items.length;
    if (same)
      mapForEach.call(container, (v, k) => {
        same &&= Object.is(k, items[i]) && Object.is(v, items[i + 1]);
        i += 2;
      });
    return same;
  }
  if (s.kind === "set") {
    const { container, items } = s;
    let i = 0;
    let same = setSize.call(container) === items.length;
    if (same)
      setForEach.call(container, (v) => {
        same &&= Object.is(v, items[i++]);
      });
    return same;
  }
  if (s.kind === "array") {
    const { container, items } = s;
    if (container.length !== items.length) return false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === HOLE ? i in container : !(i in container) || !Object.is(container[i], item))
        return false;
    }
    return true;
  }
  const now = Reflect.ownKeys(s.container);
  return (
    now.length === s.keys.length &&
    now.every(
      (key, i) =>
        key === s.keys[i] &&
        sameDescriptor(Reflect.getOwnPropertyDescriptor(s.container, key), s.descriptors[i]!),
    )
  );
}

/**
 * What of `held` the object's migration code changed, once it ran: only
 * those are put back by a rollback after the commit, so that what the
 * program writes since into a container the migration left alone stays
 * (and the update holds no second copy of it).
 */
export function changedContainers(held: HeldContainers): HeldContainers {
  if (held === null) return null;
  const changed = held.filter((s) => !unchanged(s));
  return changed.length === 0 ? null : changed;
}

function restoreMap(map: Map<unknown, unknown>, items: readonly unknown[]): void {
  mapClear.call(map);
  for (let k = 0; k < items.length; k += 2) mapSet.call(map, items[k], items[k + 1]);
}

function restoreSet(set: Set<unknown>, items: readonly unknown[]): void {
  setClear.call(set);
  for (const item of items) setAdd.call(set, item);
}

function restoreArray(array: unknown[], items: readonly unknown[]): void {
  if (array.length !== items.length) array.length = items.length;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === HOLE) {
      if (i in array) delete array[i];
    } else if (!(i in array) || !Object.is(array[i], item)) array[i] = item;
  }
}

/** Own properties back, in their order: those from the first out of place on are deleted and defined again. */
function restoreObject(
  object: object,
  keys: readonly PropertyKey[],
  descriptors: readonly PropertyDescriptor[],
): void {
  const now = Reflect.ownKeys(object);
  let same = 0;
  while (same < now.length && same < keys.length && now[same] === keys[same]) same++;
  for (let i = same; i < now.length; i++) Reflect.deleteProperty(object, now[i]!);
  keys.forEach((key, i) => {
    if (!sameDescriptor(Reflect.getOwnPropertyDescriptor(object, key), descriptors[i]!))
      Object.defineProperty(object, key, descriptors[i]!);
  });
}
