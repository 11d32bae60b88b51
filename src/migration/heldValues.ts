/**
 * The objects the fields of a class's objects hold (oldReleaseValues.ts):
 * of which classes, with one object of each, in the field itself or in the
 * arrays it holds, a bounded few.
 */
import { isNativeClass, prototypeStates } from "../mop/classHandle.js";

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

/** How many elements of an array are looked at, and how deep arrays in arrays are (semver's Range#set: arrays of arrays of Comparator). */
const ELEMENTS = 16;
const DEPTH = 3;
/** How many classes of one field are judged. */
const CLASSES = 4;

type Held = Map<Function, { readonly value: object; readonly inArray: boolean }>;

/** The classes of the objects each field holds, itself or in arrays (bounded), with one object of each. */
export function heldByField(objects: readonly object[]): Map<string, Held> {
  const byField = new Map<string, Held>();
  const visit = (field: string, value: unknown, depth: number) => {
    if (Array.isArray(value)) {
      if (depth < DEPTH)
        for (const element of value.slice(0, ELEMENTS)) visit(field, element, depth + 1);
      return;
    }
    const cls = classOfValue(value);
    if (cls === undefined) return;
    let held = byField.get(field);
    if (held === undefined) byField.set(field, (held = new Map()));
    if (!held.has(cls) && held.size < CLASSES)
      held.set(cls, { value: value as object, inArray: depth > 0 });
  };
  for (const object of objects)
    for (const field of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, field);
      if (d !== undefined && "value" in d) visit(field, d.value, 0);
    }
  return byField;
}
