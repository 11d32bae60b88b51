/**
 * What an object's migration starts from: its own fields, and its complete
 * state where it carries state the migration does not manage
 * (carriedState.ts).
 */
import type { ObjectState } from "../mop/rewriting/stateTable.js";
import { captureState } from "../mop/rewriting/stateTable.js";
import { elementsOf } from "./arrayElements.js";
import { hasUnmanagedState } from "./carriedState.js";

/**
 * An object's own fields before its migration (`keys`: `Object.keys`), and
 * its complete state where it has unmanaged state, else null. User code
 * sees an array's elements on the old view and its target, and may write
 * them: there they are carried state, and elsewhere left apart.
 */
export function ownStateOf(
  object: object,
  keys: string[],
  plan: OwnStatePlan,
): { oldKeys: string[]; before: ObjectState | null } {
  const userCode = plan.needsOldView || plan.needsCopy;
  const symbols = userCode || plan.symbolsMove;
  if (!hasUnmanagedState(object, keys, plan.known, symbols, !userCode)) {
    const elements = userCode ? 0 : elementsOf(object, keys);
    return { oldKeys: elements === 0 ? keys : keys.slice(elements), before: null };
  }
  const before = captureState(object);
  const oldKeys = before.keys.filter((k): k is string => plan.known.has(k as string));
  return { oldKeys, before };
}

interface OwnStatePlan {
  readonly known: ReadonlySet<string>;
  readonly symbolsMove: boolean;
  readonly needsOldView: boolean;
  readonly needsCopy: boolean;
}
