/**
 * Whether a reload changes a class's constructor (review advZ26 L6): an
 * edit of the constructor's body alone was printed "(constructor or other
 * code)", or not named at all beside the field whose initial value it
 * sets. A changed constructor runs for objects made from then on; existing
 * ones are not constructed again. Compared as written: a reloaded version
 * reads its module's bindings through accessors (./scopeEvaluate.ts).
 */
import { readClassSource } from "../mop/source/parse.js";
import { asWritten } from "./scopeEvaluate.js";

const constructorOf = (cls: Function) => asWritten(readClassSource(cls).constructorSource ?? "");

/** Whether `next` declares another constructor than `running` (none on either side counts as one). */
export function constructorChanged(running: Function, next: Function): boolean {
  return constructorOf(running) !== constructorOf(next);
}
