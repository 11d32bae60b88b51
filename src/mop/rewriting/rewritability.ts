/**
 * Which objects can be rewritten in place, checked before anything changes:
 * not frozen, sealed or non-extensible, no non-configurable own property, no
 * built-in internal slots, no private `#` members on the class chain.
 */
import { MetamorphError, SwapArgumentError, UnswappableObjectError } from "../../errors.js";
import { classDeclaresPrivateMembers } from "../source/privateMembers.js";
import { constructorOf, describe } from "./applyState.js";
import type { StateTable } from "./stateTable.js";
import { CONFIGURABLE, captureRow, createStateTable } from "./stateTable.js";

// Checks

/**
 * Built-in prototypes whose instances carry internal slots (a Map's entries, a
 * Date's time, a typed array's buffer) that no property rewrite can move.
 */
const SLOTTED_PROTOTYPES: ReadonlyMap<object, string> = (() => {
  const entries: [object | undefined, string][] = [
    [Map.prototype, "Map"],
    [Set.prototype, "Set"],
    [WeakMap.prototype, "WeakMap"],
    [WeakSet.prototype, "WeakSet"],
    [Date.prototype, "Date"],
    [RegExp.prototype, "RegExp"],
    [Promise.prototype, "Promise"],
    [ArrayBuffer.prototype, "ArrayBuffer"],
    [globalThis.SharedArrayBuffer?.prototype, "SharedArrayBuffer"],
    [DataView.prototype, "DataView"],
    [Reflect.getPrototypeOf(Uint8Array.prototype) ?? undefined, "TypedArray"],
    [Number.prototype, "Number"],
    [String.prototype, "String"],
    [Boolean.prototype, "Boolean"],
    [Symbol.prototype, "Symbol"],
    [BigInt.prototype, "BigInt"],
    [globalThis.WeakRef?.prototype, "WeakRef"],
    [globalThis.FinalizationRegistry?.prototype, "FinalizationRegistry"],
  ];
  return new Map(entries.filter((e): e is [object, string] => e[0] !== undefined));
})();

/**
 * Why objects with this prototype cannot be rewritten, or null. Walks the whole
 * chain (a subclass inherits its superclasses' private brands and slots).
 */
function prototypeRefusal(proto: object | null): { rule: string; reason: string } | null {
  for (let p = proto; p !== null; p = Reflect.getPrototypeOf(p)) {
    const slotted = SLOTTED_PROTOTYPES.get(p);
    if (slotted !== undefined) {
      return {
        rule: "internal-slots",
        reason: `it is a ${slotted} (or inherits from one), whose internal state no property rewrite can move`,
      };
    }
    const ctor = constructorOf(p);
    if (ctor !== undefined && classDeclaresPrivateMembers(ctor)) {
      return {
        rule: "private-members",
        reason: `class ${ctor.name || "(anonymous)"} declares private # members, which reflection can neither read nor move; use an instance handle`,
      };
    }
  }
  return null;
}

/** What a check is for: an object that will be rewritten, or one whose state is only copied onto another. */
export type RewriteRole = "target" | "source";

/**
 * Per-call memo of prototype verdicts: the chain walk and source scan run once
 * per distinct prototype in a batch, not once per object. Not kept across
 * calls, because prototypes can change between calls.
 */
export type PrototypeVerdicts = Map<object | null, { rule: string; reason: string } | null>;

function roleOf(roleName: string | undefined, index: number): string | undefined {
  return index >= 0 ? `${roleName}[${index}]` : roleName;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function refuse(
  obj: object,
  roleName: string | undefined,
  index: number,
  rule: string,
  reason: string,
): never {
  const role = roleOf(roleName, index);
  const className = describe(obj);
  throw new UnswappableObjectError(
    `${role ?? "object"} (${className}) cannot be rewritten: ${reason}`,
    {
      ...(role === undefined ? {} : { role }),
      ...(index >= 0 ? { index } : {}),
      object: className,
      rule,
    },
  );
}

/**
 * Checks that `obj` can be rewritten (kind "target") or copied from (kind
 * "source"), and appends its state to `table` (reading every descriptor once),
 * returning the row. Changes nothing else.
 */
export function captureCheckedRow(
  table: StateTable,
  obj: unknown,
  roleName: string | undefined,
  kind: RewriteRole,
  verdicts: PrototypeVerdicts = new Map(),
  /** When given, the role is `${roleName}[${index}]` (built only on refusal: batches are large). */
  index = -1,
): number {
  if (typeof obj !== "object" || obj === null) {
    if (typeof obj === "function") {
      refuse(obj, roleName, index, "function", "a function's code cannot be exchanged");
    }
    const role = roleOf(roleName, index);
    const type = obj === null ? "null" : typeof obj;
    throw new SwapArgumentError(`${role ?? "value"} is not an object (${type})`, {
      ...(role === undefined ? {} : { role }),
      type,
    });
  }
  let row: number;
  try {
    if (kind === "target" && !Reflect.isExtensible(obj)) {
      const reason = Object.isFrozen(obj)
        ? "frozen"
        : Object.isSealed(obj)
          ? "sealed"
          : "non-extensible";
      refuse(obj, roleName, index, reason, `it is ${reason}`);
    }
    const proto = Reflect.getPrototypeOf(obj);
    let verdict = verdicts.get(proto);
    if (verdict === undefined) {
      verdict = prototypeRefusal(proto);
      verdicts.set(proto, verdict);
    }
    if (verdict !== null) refuse(obj, roleName, index, verdict.rule, verdict.reason);
    row = captureRow(table, obj);
  } catch (error) {
    if (error instanceof MetamorphError) throw error;
    // A Proxy trap or an exotic object threw while its state was read: the
    // state cannot be captured, so it could be neither rewritten nor restored.
    refuse(obj, roleName, index, "unreadable", `reading its own state threw: ${messageOf(error)}`);
  }
  for (let j = table.starts[row]!; j < table.starts[row + 1]!; j++) {
    if ((table.attributes[j]! & CONFIGURABLE) === 0) {
      const key = String(table.keys[j]);
      refuse(
        obj,
        roleName,
        index,
        "non-configurable",
        kind === "target"
          ? `its own property ${key} is non-configurable`
          : `its own property ${key} is non-configurable, and copying it would make the receiving object impossible to rewrite or restore`,
      );
    }
  }
  if (table.arrayLengths[row]! >= 0 && kind === "target") {
    const length = Reflect.getOwnPropertyDescriptor(obj, "length");
    if (length && !length.writable) {
      refuse(obj, roleName, index, "read-only-length", "its length is read-only");
    }
  }
  return row;
}

/**
 * Checks, without changing anything, that `obj` can be rewritten in place.
 * Throws UnswappableObjectError naming the object and the rule for frozen,
 * sealed and non-extensible objects, non-configurable own properties (other
 * than an array's `length`), arrays with a read-only length, functions,
 * built-ins with internal state (Map, Set, Date, typed arrays, ...), and
 * instances of classes that declare private `#` members anywhere on their
 * prototype chain (found in the constructors' source text). Throws
 * SwapArgumentError for a non-object.
 */
export function assertRewritable(obj: object, role?: string): void {
  captureCheckedRow(createStateTable(), obj, role, "target");
}
