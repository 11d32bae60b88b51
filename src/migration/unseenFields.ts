/**
 * Which fields a version may give its objects although reading its source
 * did not learn them (`ClassDefinition.unsupported`, the reader's notes):
 * a field assigned only conditionally, in a loop or by a method; any field
 * at all when the constructor writes properties it cannot name
 * (`Object.assign(this, rest)`, `this[key] = …`) or returns another object.
 * An old field the new version may hold this way is not the migration's to
 * delete: superstruct 1.0 assigns `validator` in an if/else, and an upgrade
 * from 0.16 (which declares it) deleted it from every live Struct while its
 * own warning said such state was carried over.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";

/** Notes about fields start "field `name`" (src/mop/source/bodyFields.ts, classAnalysis.ts). */
export const FIELD_NOTE = /^field `([^`]+)`/;
/** Notes about prototype members (classAnalysis.ts `analyseMethod`, `addMethod`): no instance state. */
export const MEMBER_NOTE = /^(?:static )?(?:method|getter|setter|get|set) /;
export const ANY_FIELD_NOTE =
  /^the constructor (creates properties that cannot be named statically|returns another object)/;

export interface UnseenFields {
  /** Fields the notes name. */
  readonly names: ReadonlySet<string>;
  /** Whether the version may create fields no note names. */
  readonly any: boolean;
}

export function unseenFields(definitions: readonly ClassDefinition[]): UnseenFields {
  const names = new Set<string>();
  let any = false;
  for (const definition of definitions) {
    for (const note of definition.unsupported ?? []) {
      const named = FIELD_NOTE.exec(note)?.[1];
      if (named !== undefined) names.add(named);
      else if (ANY_FIELD_NOTE.test(note)) any = true;
    }
  }
  return { names, any };
}
