/**
 * A class's parsed source where it has one to read: the checks that only
 * look for something in a class's source (state kept outside its objects,
 * lowered private fields, initial values bound to its module) find nothing
 * in a native, bound or ES5 function rather than failing.
 */
import { readClassSource } from "./parse.js";
import type { ParsedClass } from "./parsedClass.js";

export function readableClassSource(cls: Function | undefined): ParsedClass | undefined {
  if (cls === undefined) return undefined;
  try {
    return readClassSource(cls);
  } catch {
    return undefined;
  }
}
