/**
 * Whether a patch's code may be compiled. A patch the program builds itself
 * (the `patch()` builder, `new Patch`) is its own code; a patch read with
 * `Patch.fromJSON` is inert data, untrusted until someone vouches for it —
 * the program, explicitly (`{ trust: "in-process" }`), or a signature
 * verified against a trusted key (`{ trust: { verifiedBy: keyId } }`, what
 * the signed-bundle verification passes). Untrusted operations are marked,
 * with every object in them, so composing or copying them (andThen,
 * `new Patch(name, ops)`, `{ ...op }`, `toJSON()`) keeps the result
 * untrusted, and the engine refuses them before it compiles anything. Code
 * carried as text in operation data that no builder or trusted patch made
 * (a deep copy, JSON data given to `new Patch`) is not trusted either: data
 * is vouched for through `Patch.fromJSON(json, { trust })`.
 */
import type { Operation } from "./operations.js";
import { UntrustedPatchError } from "./errors.js";
import { describeOperation } from "./summary.js";

export type PatchTrust =
  | { readonly level: "untrusted" }
  | { readonly level: "in-process" }
  | { readonly level: "verified"; readonly keyId: string };

/** How a reader of JSON vouches for a patch. */
export type TrustOption = "in-process" | { readonly verifiedBy: string };

export const IN_PROCESS: PatchTrust = Object.freeze({ level: "in-process" });
export const UNTRUSTED: PatchTrust = Object.freeze({ level: "untrusted" });

export function trustFrom(option: TrustOption | undefined): PatchTrust {
  if (option === undefined) return UNTRUSTED;
  if (option === "in-process") return IN_PROCESS;
  if (
    typeof option === "object" &&
    option !== null &&
    typeof option.verifiedBy === "string" &&
    option.verifiedBy.length > 0
  ) {
    return Object.freeze({ level: "verified", keyId: option.verifiedBy });
  }
  throw new UntrustedPatchError(
    `Patch.fromJSON: trust must be "in-process" or { verifiedBy: keyId }, got ${JSON.stringify(option)}`,
    { trust: String(option) },
  );
}

/**
 * Where untrusted operations came from: a patch read from JSON that nobody
 * vouched for (`json`), or operation data handed to `new Patch` that carries
 * code as text and that no builder or trusted patch made (`data`): a copy
 * of another patch's operations, or JSON data under another name.
 */
export interface Untrusted {
  readonly patch: string;
  readonly from: "json" | "data";
}

/**
 * Untrusted operations and every object in them (a method, a class shape,
 * a function's `{ source }` record): a shallow copy of an operation
 * (`{ ...op }`) still holds them, so it is known for what it is.
 */
const untrusted = new WeakMap<object, Untrusted>();

/** Objects reachable from an operation, itself included (its data is a few levels deep at most). */
function* objectsIn(value: unknown, depth = 0): Generator<object> {
  if (typeof value !== "object" || value === null || depth > 4) return;
  yield value;
  for (const v of Object.values(value)) yield* objectsIn(v, depth + 1);
}

export function markUntrusted(
  patchName: string,
  operations: readonly object[],
  from: Untrusted["from"] = "json",
): void {
  const origin: Untrusted = Object.freeze({ patch: patchName, from });
  for (const op of operations) for (const o of objectsIn(op)) untrusted.set(o, origin);
}

/** Whether an operation compiles code it carries as text (method sources, expressions, function sources without a live function). */
function carriesText(op: Operation): boolean {
  switch (op.op) {
    case "addField":
      return op.defaultSource !== undefined || (op.initial !== undefined && !op.initial.fn);
    case "addStaticField":
    case "reinitialiseStaticField":
      return op.defaultSource !== undefined;
    case "migrator":
      return !op.migrator.fn;
    case "replaceImplementation":
      return !op.implementation.fn;
    case "validateNamespace":
    case "validateInstances":
      return !op.check.fn;
    case "afterCommit":
    case "afterRollback":
      return !op.hook.fn;
    default:
      return codeOf(op) !== undefined;
  }
}

/**
 * Whether `given` (the operations handed to a patch) would make an untrusted
 * patch, and why: one of them, or an object in one, came from an untrusted
 * patch; or, given `read` (their checked copies) and `made` (which objects
 * a builder or a trusted patch made), one that nobody made carries code as
 * text — data, like a patch's JSON, that nobody vouched for.
 */
export function carriesUntrusted(
  given: readonly unknown[],
  read?: readonly Operation[],
  made?: (op: unknown) => boolean,
  patchName = "",
): Untrusted | undefined {
  for (const op of given) {
    for (const o of objectsIn(op)) {
      const origin = untrusted.get(o);
      if (origin !== undefined) return origin;
    }
  }
  if (read === undefined || made === undefined) return undefined;
  const copied = read.findIndex((op, i) => !made(given[i]) && carriesText(op));
  return copied < 0 ? undefined : { patch: patchName, from: "data" };
}

/**
 * Refuses, before a character of it is compiled, to `action` (hydrate,
 * apply) operations that came from an untrusted patch; the error names the
 * patch and the first operation that carries code.
 */
export function requireTrustedOperations(operations: readonly Operation[], action: string): void {
  const first = operations.find((op) => untrusted.has(op));
  if (first === undefined) return;
  const { patch, from } = untrusted.get(first)!;
  const index = operations.findIndex((op) => codeOf(op) !== undefined);
  const code =
    index < 0
      ? "it carries no code, but nobody vouched for it either"
      : `operations[${index}] (${describeOperation(operations[index]!)}) carries ${codeOf(operations[index]!)}`;
  throw new UntrustedPatchError(
    from === "json"
      ? `patch "${patch}" was read from JSON and is not trusted, so it cannot ${action}: ${code}. ` +
          `Verify its signature, or vouch for it with Patch.fromJSON(json, { trust: "in-process" }) if the program itself wrote it`
      : `patch "${patch}" was made with new Patch from operation data that carries code as text and that no builder or trusted patch made (a copy of another patch's operations, or JSON data), so it is not trusted and cannot ${action}: ${code}. ` +
          `Build it with patch(name)…build(), pass the operations of a trusted patch themselves, or read the data with Patch.fromJSON(json, { trust: "in-process" }) if the program itself wrote it`,
    {
      patch,
      action,
      from,
      ...(index < 0
        ? {}
        : { index, operation: operations[index]!.op, code: codeOf(operations[index]!) }),
    },
  );
}

/** What code an operation would have compiled, if any. */
export function codeOf(op: Operation): string | undefined {
  switch (op.op) {
    case "addClass":
    case "insertSuperclass": {
      const { methods = [], fields = [], staticFields = [] } = op.shape;
      if (methods.length > 0) return "method source";
      if (staticFields.some((f) => f.initializer !== undefined)) return "a static initialiser";
      if (fields.some((f) => f.initializer !== undefined)) return "a field initialiser";
      return undefined;
    }
    case "addMethod":
    case "replaceMethod":
      return "method source";
    case "addField":
      return op.initial
        ? "an initial-value function"
        : op.defaultSource !== undefined
          ? "a default expression"
          : undefined;
    case "addStaticField":
    case "reinitialiseStaticField":
      return "a static initialiser";
    case "migrator":
      return "a migrator";
    case "replaceImplementation":
      return "a class implementation";
    case "validateNamespace":
    case "validateInstances":
      return "a validation";
    case "afterCommit":
      return "an afterCommit hook";
    case "afterRollback":
      return "an afterRollback hook";
    default:
      return undefined;
  }
}
