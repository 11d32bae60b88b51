/**
 * Symbol-keyed properties a class's source never writes (a framework's tag,
 * `obj[Symbol.for("x")] = …`; MobX's administration under its symbol) are
 * added after the constructor's fields, so in V8's order they come after
 * them, though `Reflect.ownKeys` cannot say so. A rewrite that deletes
 * fields and leaves such a symbol in place deletes a property in front of
 * it, which drops the object into dictionary mode (review advX4). Where
 * that can happen, an object that has symbols takes the path that rewrites
 * from complete states (carriedState.ts), deleting them first and putting
 * them back after the new fields: it stays fast, and its rollback puts
 * them back where they were. Not for a class whose source writes symbols
 * itself (`[kState] = …`, `this[kId] = …`: their place among the fields is
 * unknown, and left as it is), nor under a platform superclass that puts
 * its own first (EventEmitter's, keptProperties.ts).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { platformSymbols } from "../mop/platformClasses.js";
import { commonPrefix } from "./instanceMigration.js";

/**
 * A reader's note that the source writes an instance property under a
 * symbol or computed key (classAnalysis.ts, bodyFields.ts): not a method's
 * or a static field's computed key, which put nothing on the objects.
 */
const COMPUTED =
  /^(?:field with computed key|symbol-keyed field) |creates properties that cannot be named statically/;

export function trailingSymbolsMove(
  oldFields: readonly string[],
  fields: readonly string[],
  oldChain: readonly (ClassDefinition | undefined)[],
  prototype: object,
): boolean {
  if (commonPrefix(oldFields, fields) === oldFields.length) return false; // deletes nothing
  if (oldChain.some((d) => d?.unsupported?.some((note) => COMPUTED.test(note)))) return false;
  return platformSymbols(prototype).size === 0;
}
