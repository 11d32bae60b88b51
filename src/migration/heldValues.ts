/**
 * The objects the fields of a class's objects hold (oldReleaseValues.ts):
 * of which classes, with one object of each, in the field itself or in the
 * arrays, Maps, Sets and plain-object dictionaries it holds, a bounded few.
 */
import { isNativeClass, prototypeStates } from "../mop/classHandle.js";
import { isMap, isSet } from "../valueKinds.js";

/** The class of `value` where it is one a package's or program's code defined (not native, not a plain object or array, not managed). */
function classOfValue(value: unknown): Function | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null || prototype === Object.prototype) return undefined;
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null)
    if (prototypeStates.has(p)) return undefined; // the namespace updates it itself
  const ctor = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value as unknown;
  if (typeof ctor !== "function" || ctor.name === "" || isNativeClass(ctor)) return undefined;
  return ctor;
}

/**
 * How many elements of an array, Map or Set are looked at, and how deep
 * containers in containers are (semver's Range#set: arrays of arrays of
 * Comparator).
 */
const ELEMENTS = 16;
const DEPTH = 3;
/** How many classes of one field are judged. */
const CLASSES = 4;

/** What holds the objects of a class in a field: the field itself (undefined) or the outermost container. */
export type Within = "arrays" | "Maps" | "Sets" | "dictionaries" | undefined;

type Held = Map<Function, { readonly value: object; readonly within: Within }>;

const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

/**
 * The first elements of a container: an array's, a Map's keys and values
 * (graphology's Graph keeps its NodeData in a Map `_nodes`), a Set's; by
 * the platform's own iterators, not what a subclass or the program
 * redefined.
 */
function elementsOf(value: object): [Within, unknown[]] | undefined {
  if (Array.isArray(value)) return ["arrays", value.slice(0, ELEMENTS)];
  const dictionary = entriesOf(value);
  if (dictionary !== undefined) return ["dictionaries", dictionary];
  const [within, iterator] = isMap(value)
    ? (["Maps", Reflect.apply(mapEntries, value, [])] as const)
    : isSet(value)
      ? (["Sets", Reflect.apply(setValues, value, [])] as const)
      : [];
  if (iterator === undefined) return undefined;
  const elements: unknown[] = [];
  for (let n = 0; n < ELEMENTS; n++) {
    const step = (iterator as Iterator<unknown>).next();
    if (step.done === true) break;
    elements.push(...(within === "Maps" ? (step.value as [unknown, unknown]) : [step.value]));
  }
  return [within, elements];
}

/**
 * The first own data values of a plain object or `Object.create(null)` used
 * as a dictionary (ajv's `this.schemas = {}`, tiny-lru's `items`): found as
 * often as Maps (review advZ27 #4). No getter runs.
 */
function entriesOf(value: object): unknown[] | undefined {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== null && prototype !== Object.prototype) return undefined;
  const values: unknown[] = [];
  for (const key of Object.keys(value)) {
    if (values.length === ELEMENTS) break;
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d !== undefined && "value" in d) values.push(d.value);
  }
  return values;
}

/** The classes of the objects each field holds, itself or in arrays, Maps, Sets and dictionaries (bounded), with one object of each. */
export function heldByField(objects: readonly object[]): Map<string, Held> {
  const byField = new Map<string, Held>();
  const visit = (field: string, value: unknown, depth: number, within: Within) => {
    if (typeof value !== "object" || value === null) return;
    const elements = elementsOf(value);
    if (elements !== undefined && depth < DEPTH)
      for (const element of elements[1]) visit(field, element, depth + 1, within ?? elements[0]);
    const cls = classOfValue(value);
    if (cls === undefined) return;
    let held = byField.get(field);
    if (held === undefined) byField.set(field, (held = new Map()));
    if (!held.has(cls) && held.size < CLASSES) held.set(cls, { value, within });
  };
  for (const object of objects)
    for (const field of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, field);
      if (d !== undefined && "value" in d) visit(field, d.value, 0, undefined);
    }
  return byField;
}
