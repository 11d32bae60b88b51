/**
 * Fields whose initial value is code rather than state, in both versions: a
 * method bound to the object (`this.get = this.get.bind(this)`) or a
 * function written in place (an arrow field). On an object made since the
 * commit, such a field that still holds what the new version's initialiser
 * made is that version's code: a rollback makes it again with the old
 * initialiser (reverseObject.ts), which runs nothing but the binding or the
 * making of the closure. A field holding anything else — a callback the
 * program stored since, a function another call returned (`this.off =
 * bus.on(…)`) — is the program's state and stays (review advX5).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { boundMethodName } from "../mop/boundMethod.js";
import { ancestry } from "./changes.js";

/** An arrow or a function expression, as a field initialiser's text. */
const FUNCTION_TEXT =
  /^(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\p{ID_Start}$_][\p{ID_Continue}$]*\s*=>)/u;

const initialisers = (name: string, defs: ReadonlyMap<string, ClassDefinition>) =>
  new Map(
    ancestry(name, defs).flatMap((c) =>
      defs
        .get(c)!
        .fields.flatMap((f) =>
          f.initializer === undefined ? [] : [[f.name, f.initializer.trim()] as const],
        ),
    ),
  );

const isCode = (text: string | undefined): text is string =>
  text !== undefined && (boundMethodName(text) !== undefined || FUNCTION_TEXT.test(text));

/** Whether a value is what the initialiser `text` made: the bound method, or the function of that very text. */
function madeBy(text: string): (value: unknown) => boolean {
  const method = boundMethodName(text);
  if (method !== undefined)
    return (value) =>
      typeof value === "function" &&
      !Object.hasOwn(value, "prototype") &&
      value.name === `bound ${method}`;
  return (value) => typeof value === "function" && Function.prototype.toString.call(value) === text;
}

/** Old field name → whether a value is what the new version's initialiser of it made. */
export function codeFields(
  oldName: string,
  name: string,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  defs: ReadonlyMap<string, ClassDefinition>,
  reverse: ReadonlyMap<string, string>,
): ReadonlyMap<string, (value: unknown) => boolean> {
  const before = initialisers(oldName, oldDefs);
  const after = initialisers(name, defs);
  const out = new Map<string, (value: unknown) => boolean>();
  for (const [field, text] of before) {
    const now = after.get(reverse.get(field) ?? "");
    if (!isCode(text) || !isCode(now)) continue;
    // An arrow of the same text calls through `this`, which the rollback
    // points at the old methods again: kept, its identity with it (a
    // listener added with it can still be removed). A bound method is the
    // new method itself, whatever its text.
    if (boundMethodName(now) === undefined && now === text) continue;
    out.set(field, madeBy(now));
  }
  return out;
}
