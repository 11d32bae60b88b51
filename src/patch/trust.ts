/**
 * Whether a patch's code may be compiled. A patch the program builds itself
 * (the `patch()` builder, `new Patch`) is its own code; a patch read with
 * `Patch.fromJSON` is inert data, untrusted until someone vouches for it —
 * the program, explicitly (`{ trust: "in-process" }`), or a signature
 * verified against a trusted key (`{ trust: { verifiedBy: keyId } }`, what
 * the signed-bundle verification passes). Untrusted operations are marked,
 * so composing or copying them (andThen, `new Patch(name, ops)`) keeps the
 * result untrusted, and the engine refuses them before it compiles anything.
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

/** Operations of untrusted patches, by the name of the patch they came in. */
const untrusted = new WeakMap<object, string>();

export function markUntrusted(patchName: string, operations: readonly Operation[]): void {
  for (const op of operations) untrusted.set(op, patchName);
}

/** Whether any of `operations` came from an untrusted patch. */
export function carriesUntrusted(operations: readonly Operation[]): boolean {
  return operations.some((op) => untrusted.has(op));
}

/**
 * Refuses, before a character of it is compiled, to `action` (hydrate,
 * apply) operations that came from an untrusted patch; the error names the
 * patch and the first operation that carries code.
 */
export function requireTrustedOperations(operations: readonly Operation[], action: string): void {
  const first = operations.find((op) => untrusted.has(op));
  if (first === undefined) return;
  const patch = untrusted.get(first)!;
  const index = operations.findIndex((op) => codeOf(op) !== undefined);
  const code =
    index < 0
      ? "it carries no code, but nobody vouched for it either"
      : `operations[${index}] (${describeOperation(operations[index]!)}) carries ${codeOf(operations[index]!)}`;
  throw new UntrustedPatchError(
    `patch "${patch}" was read from JSON and is not trusted, so it cannot ${action}: ${code}. ` +
      `Verify its signature, or vouch for it with Patch.fromJSON(json, { trust: "in-process" }) if the program itself wrote it`,
    {
      patch,
      action,
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
