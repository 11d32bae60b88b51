/**
 * Object states: a full snapshot of one object (`ObjectState`) and the flat
 * table that holds many (`StateTable`), with reading them from live objects.
 */
/**
 * A full snapshot of an object's own state. `keys` is in `Reflect.ownKeys`
 * order (array-index keys ascending, then strings, then symbols, each in
 * insertion order) without an array's `length`; `descriptors[i]` is the
 * complete descriptor of `keys[i]`. The first `elementCount` keys are array
 * indices (they live in V8's elements store, outside the hidden class).
 */
export interface ObjectState {
  readonly prototype: object | null;
  readonly keys: readonly PropertyKey[];
  readonly descriptors: readonly PropertyDescriptor[];
  readonly elementCount: number;
  /** The array's `length` for arrays (holes at the end included), null for every other object. */
  readonly arrayLength: number | null;
}

/**
 * The states of many objects in a few flat arrays, one row per object. A batch
 * of 10^6 objects must hold every state until the last object is rewritten
 * (to restore them on failure); as separate objects and descriptors those
 * would all survive young-generation collections and be copied, which cost
 * more than the rewrites themselves. Here nothing per object survives.
 */
export interface StateTable {
  readonly prototypes: (object | null)[];
  /** Row i's properties are at indices [starts[i], starts[i + 1]) of keys/values/attributes. */
  readonly starts: number[];
  readonly elementCounts: number[];
  /** -1 for objects that are not arrays. */
  readonly arrayLengths: number[];
  readonly keys: PropertyKey[];
  /** The value of a data property, or an AccessorPair. */
  readonly values: unknown[];
  /** WRITABLE | ENUMERABLE | CONFIGURABLE | ACCESSOR bits. */
  readonly attributes: number[];
}

export interface AccessorPair {
  readonly get: (() => unknown) | undefined;
  readonly set: ((v: unknown) => void) | undefined;
}

export const WRITABLE = 1;
export const ENUMERABLE = 2;
export const CONFIGURABLE = 4;
export const ACCESSOR = 8;
export const PLAIN_DATA = WRITABLE | ENUMERABLE | CONFIGURABLE;

export type PropertyBag = Record<PropertyKey, unknown>;

const MAX_ARRAY_INDEX = 4294967294; // 2^32 - 2

/** Whether `key` is a canonical array index (so it lives in the elements store). */
function isIndexKey(key: PropertyKey): boolean {
  if (typeof key !== "string") return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  if (key.length > 1 && first === 48) return false;
  const n = Number(key);
  return Number.isInteger(n) && n <= MAX_ARRAY_INDEX && String(n) === key;
}

const stringValueOf = String.prototype.valueOf;

/**
 * The length of `obj`'s string value when it is a String object, else -1.
 * Its own names are its indices (its characters', then any past them), then
 * its `length` — created with the object, before any field, and fixed (not
 * writable nor configurable): an ordinary object is asked no more than
 * that, so that nothing throws for one (a class whose first field is
 * `length`).
 */
function stringLength(obj: object, names: readonly string[], indices: number): number {
  if (names[indices] !== "length") return -1;
  const length = Reflect.getOwnPropertyDescriptor(obj, "length")!;
  if (length.configurable !== false || length.writable !== false) return -1;
  try {
    return stringValueOf.call(obj).length;
  } catch {
    return -1;
  }
}

/** Array-index keys come first in `Reflect.ownKeys`, so they are a prefix of it. */
function countLeadingIndexKeys(keys: readonly PropertyKey[]): number {
  let n = 0;
  while (n < keys.length && isIndexKey(keys[n]!)) n++;
  return n;
}

export function createStateTable(): StateTable {
  return {
    prototypes: [],
    starts: [0],
    elementCounts: [],
    arrayLengths: [],
    keys: [],
    values: [],
    attributes: [],
  };
}

/** Appends `obj`'s state as a new row of `table` and returns the row. */
export function captureRow(table: StateTable, obj: object): number {
  const isArray = Array.isArray(obj);
  // The same keys in the same order as Reflect.ownKeys (indices, strings,
  // symbols), but measured 3-10× cheaper on Node 20 for ordinary objects.
  const names = Object.getOwnPropertyNames(obj);
  const symbols = Object.getOwnPropertySymbols(obj);
  const indices = countLeadingIndexKeys(names);
  // A typed array's elements live in its buffer, not in properties: they
  // cannot be deleted or defined, and a rewrite that tried (a subclass of
  // Float64Array with a field) failed half-way. Like an array's `length`,
  // they are state that is never rewritten. So are a String object's
  // characters, its first indices (`class Name extends String`).
  const characters = isArray ? -1 : stringLength(obj, names, indices);
  const inValue = ArrayBuffer.isView(obj) ? indices : Math.max(characters, 0);
  const elementCount = indices - inValue;
  const hasLength = isArray || characters >= 0;
  for (let i = inValue; i < names.length; i++) {
    // An array's `length` follows its indices, a String object's is its
    // value's; state, but not a property we redefine.
    if (hasLength && i === indices && names[i] === "length") continue;
    captureProperty(table, obj, names[i]!);
  }
  for (let i = 0; i < symbols.length; i++) captureProperty(table, obj, symbols[i]!);
  table.prototypes.push(Reflect.getPrototypeOf(obj));
  table.elementCounts.push(elementCount);
  table.arrayLengths.push(isArray ? (obj as unknown[]).length : -1);
  table.starts.push(table.keys.length);
  return table.prototypes.length - 1;
}

function captureProperty(table: StateTable, obj: object, key: PropertyKey): void {
  const d = Reflect.getOwnPropertyDescriptor(obj, key)!;
  let attributes = (d.enumerable ? ENUMERABLE : 0) | (d.configurable ? CONFIGURABLE : 0);
  if ("value" in d) {
    if (d.writable) attributes |= WRITABLE;
    table.values.push(d.value);
  } else {
    attributes |= ACCESSOR;
    table.values.push({ get: d.get, set: d.set } satisfies AccessorPair);
  }
  table.keys.push(key);
  table.attributes.push(attributes);
}

export function descriptorAt(table: StateTable, j: number): PropertyDescriptor {
  const attributes = table.attributes[j]!;
  const enumerable = (attributes & ENUMERABLE) !== 0;
  const configurable = (attributes & CONFIGURABLE) !== 0;
  if ((attributes & ACCESSOR) !== 0) {
    const pair = table.values[j] as AccessorPair;
    return { get: pair.get, set: pair.set, enumerable, configurable };
  }
  const writable = (attributes & WRITABLE) !== 0;
  return { value: table.values[j], writable, enumerable, configurable };
}

export function captureState(obj: object): ObjectState {
  const table = createStateTable();
  captureRow(table, obj);
  return rowToState(table, 0);
}

function rowToState(table: StateTable, row: number): ObjectState {
  const start = table.starts[row]!;
  const end = table.starts[row + 1]!;
  const descriptors: PropertyDescriptor[] = [];
  for (let j = start; j < end; j++) descriptors.push(descriptorAt(table, j));
  const arrayLength = table.arrayLengths[row]!;
  return {
    prototype: table.prototypes[row]!,
    keys: table.keys.slice(start, end),
    descriptors,
    elementCount: table.elementCounts[row]!,
    arrayLength: arrayLength < 0 ? null : arrayLength,
  };
}

export function stateToTable(state: ObjectState): StateTable {
  const table = createStateTable();
  state.keys.forEach((key, i) => {
    const d = state.descriptors[i]!;
    let attributes = (d.enumerable ? ENUMERABLE : 0) | (d.configurable ? CONFIGURABLE : 0);
    if ("get" in d || "set" in d) {
      attributes |= ACCESSOR;
      table.values.push({ get: d.get, set: d.set } satisfies AccessorPair);
    } else {
      if (d.writable) attributes |= WRITABLE;
      table.values.push(d.value);
    }
    table.keys.push(key);
    table.attributes.push(attributes);
  });
  table.prototypes.push(state.prototype);
  table.elementCounts.push(state.elementCount);
  table.arrayLengths.push(state.arrayLength ?? -1);
  table.starts.push(table.keys.length);
  return table;
}
