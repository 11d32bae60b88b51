/**
 * A patch: a named, immutable list of operations. It is data first — it can
 * be printed, serialised, composed and checked without running any of its
 * code — and it carries live functions only when it was built in-process or
 * hydrated explicitly.
 */
import {
  InvalidOptionError,
  InvalidPatchError,
  NotHydratedError,
  PatchConflictError,
} from "../errors.js";
import type { Operation, Policy } from "./operations.js";
import { findConflict } from "./composition/findConflict.js";
import type { PatchJson } from "./json.js";
import { readOperations, readPatchJson, writePatchJson } from "./json.js";
import { describeOperation } from "./summary.js";
import {
  carriesUntrusted,
  IN_PROCESS,
  markUntrusted,
  type PatchTrust,
  requireTrustedOperations,
  type TrustOption,
  trustFrom,
  UNTRUSTED,
} from "./trust.js";
import { functionsOf } from "./functions.js";
import { hydrateOperations } from "./hydration.js";
import { hydrateScopeOf, rememberHydrateScope } from "./hydrateScope.js";
import { unknownOption } from "./optionKeys.js";
import { isArray, isInstance, isObjectArgument, kindOf } from "../valueKinds.js";

/** Options of `Patch.fromJSON`. */
export interface FromJsonOptions {
  /**
   * Who vouches for the patch's code. Without it the patch is inert data:
   * it can be read, printed, checked and composed, but hydrating or applying
   * it is refused (UntrustedPatchError) before any of its code is compiled.
   * `"in-process"`: the program itself wrote it (a patch it serialised);
   * `{ verifiedBy: keyId }`: its signature was verified against that key.
   */
  readonly trust?: TrustOption;
}

/** Trust is kept beside the frozen patch, so only this module can set it. */
const trustOf = new WeakMap<Patch, PatchTrust>();

/**
 * Operation objects made in this process by someone who may vouch for them:
 * the builder (noteBuilt), a trusted patch (its frozen operations), a
 * hydrate of one. Anything else handed to `new Patch` is data (trust.ts).
 */
const made = new WeakSet<object>();
const wasMade = (op: unknown) => typeof op === "object" && op !== null && made.has(op);

/** The builder's record of an operation it made from its own checked arguments. */
export function noteBuilt<O extends Operation>(op: O): O {
  made.add(op);
  return op;
}

/** Options and scopes from JavaScript (or through `any`) that are not objects: refused before any is read. */
function requireObject(
  value: unknown,
  what: string,
  Refusal: typeof InvalidOptionError | typeof InvalidPatchError,
): void {
  if (!isObjectArgument(value))
    throw new Refusal(`${what} must be an object, not ${kindOf(value)}`, { type: kindOf(value) });
}

/** Freezes operation data, but never the user's functions (they are not ours to freeze). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

export class Patch {
  readonly name: string;
  readonly operations: readonly Operation[];

  /**
   * Checks and copies `operations` (the shapes `Patch.fromJSON` accepts, plus
   * live `fn`s); the patch owns its copy, deeply frozen.
   */
  constructor(name: string, operations: readonly Operation[]) {
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidPatchError("a patch needs a non-empty name", { patch: name });
    }
    this.name = name;
    const read = readOperations(operations);
    // Operations copied from an untrusted patch stay untrusted, however they
    // are recombined or copied; code as text in data nobody made is not vouched for.
    const untrusted = carriesUntrusted(operations, read, wasMade, name);
    this.operations = deepFreeze(read);
    if (untrusted) {
      markUntrusted(untrusted.patch, this.operations, untrusted.from);
      trustOf.set(this, UNTRUSTED);
    } else {
      for (const op of this.operations) made.add(op);
    }
    Object.freeze(this);
  }

  /** Who vouches for this patch's code: built in-process, verified, or untrusted (read from JSON). */
  get trust(): PatchTrust {
    return trustOf.get(this) ?? IN_PROCESS;
  }

  /** A patch with no operations: composing with it changes nothing. */
  static empty(name = "empty"): Patch {
    return new Patch(name, []);
  }

  /** The last `policy` operation's policy, or eager. */
  get policy(): Policy {
    for (let i = this.operations.length - 1; i >= 0; i--) {
      const op = this.operations[i]!;
      if (op.op === "policy") return op.policy;
    }
    return "eager";
  }

  /** Whether every function of the patch is live (built in-process, or hydrated). */
  get hydrated(): boolean {
    return this.operations.every((op) => functionsOf(op).every(({ fn }) => fn.fn !== undefined));
  }

  /**
   * This patch followed by `next`, as one patch (`next` was written against
   * the world this patch leaves). Refused with a PatchConflictError when a
   * step of `next` cannot follow this patch (see composition/rules.ts); the
   * error's details name both steps. The empty patch is the identity.
   *
   * Not called `then`: an object with a `then` method is a thenable, and
   * `await`ing a patch (or returning one from an async function) would call
   * it with the promise's resolve function.
   */
  andThen(next: Patch): Patch {
    if (!isInstance(next, Patch)) {
      throw new InvalidPatchError(
        `patch "${this.name}": andThen expects a Patch, got ${kindOf(next)}`,
        {
          patch: this.name,
        },
      );
    }
    if (next.operations.length === 0) return this;
    if (this.operations.length === 0) return next;
    const conflict = findConflict(this, next);
    if (conflict) {
      const { message, ...details } = conflict;
      throw new PatchConflictError(message, details);
    }
    const composed = new Patch(`${this.name} + ${next.name}`, [
      ...this.operations,
      ...next.operations,
    ]);
    const scopes = [hydrateScopeOf(this), hydrateScopeOf(next)];
    if (scopes.some((s) => s !== undefined))
      rememberHydrateScope(composed, Object.assign({}, ...scopes));
    return composed;
  }

  /** `patches[0].andThen(patches[1])…`; the empty patch named `name` when there are none. */
  static compose(patches: readonly Patch[], name = "empty"): Patch {
    if (!isArray(patches)) {
      throw new InvalidPatchError(
        `Patch.compose takes an array of patches, not ${kindOf(patches)}`,
        {
          type: kindOf(patches),
        },
      );
    }
    return patches.reduce((composed, next) => composed.andThen(next), Patch.empty(name));
  }

  /** One line per operation, in order. */
  summary(): string {
    return this.operations.map(describeOperation).join("\n");
  }

  /** `patch <name>` then its summary: what `${patch}` and `String(patch)` print. */
  toString(): string {
    const summary = this.summary();
    return summary === "" ? `patch ${this.name} (empty)` : `patch ${this.name}:\n${summary}`;
  }

  /** What `console.log(patch)` and `util.inspect` print in Node: the same as `toString()`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  toJSON(): PatchJson {
    const json = writePatchJson(this.name, this.operations);
    // Handed back to new Patch, a patch's JSON form is trusted as the patch is.
    const untrusted = carriesUntrusted(this.operations);
    if (untrusted) markUntrusted(untrusted.patch, json.operations, untrusted.from);
    else for (const op of json.operations) made.add(op);
    return json;
  }

  /**
   * Reads a patch's JSON form (already parsed). Refuses, with the path at
   * fault, anything that is not a well-formed patch. The functions come back
   * as sources only, and — unless `options.trust` vouches for it — the patch
   * is untrusted: hydrating or applying it is refused before any of its code
   * is compiled.
   */
  static fromJSON(json: unknown, options: FromJsonOptions = {}): Patch {
    requireObject(options, "Patch.fromJSON: options", InvalidOptionError);
    const unknown = unknownOption(options, ["trust"], "Patch.fromJSON");
    if (unknown !== undefined)
      throw new InvalidOptionError(`Patch.fromJSON: ${unknown.message}`, { option: unknown.key });
    const trust = trustFrom(options.trust);
    const { name, operations } = readPatchJson(json);
    // Vouched for: its operations are made here (an untrusted patch's are marked below).
    if (trust.level !== "untrusted") for (const op of operations) made.add(op);
    const read = new Patch(name, operations);
    if (trust.level === "untrusted") markUntrusted(name, read.operations);
    trustOf.set(read, trust);
    return read;
  }

  /**
   * Compiles every function source of the patch (live functions are compiled
   * again, so the result behaves as it will on the other side of a wire).
   * The sources see `scope`'s names and globals, no closure: one reading a
   * name bound by neither (nor itself) is refused (InvalidPatchError naming
   * the function and the names) before any source is compiled. Hydrating
   * runs the patch's code, so an untrusted patch is refused (UntrustedPatchError).
   */
  hydrate(scope: Readonly<Record<string, unknown>> = {}): Patch {
    requireObject(scope, `patch "${this.name}": the hydrate scope`, InvalidPatchError);
    requireTrustedOperations(this.operations, "be hydrated");
    const operations = hydrateOperations(this.name, this.operations, scope);
    // Copies of operations this patch, trusted, carried: made here.
    for (const op of operations) made.add(op);
    const hydrated = new Patch(this.name, operations);
    trustOf.set(hydrated, this.trust);
    rememberHydrateScope(hydrated, scope);
    return hydrated;
  }

  /** Throws NotHydratedError naming the first operation whose function is source only. */
  requireHydrated(): void {
    for (const [index, op] of this.operations.entries()) {
      const missing = functionsOf(op).find(({ fn }) => fn.fn === undefined);
      if (missing) {
        throw new NotHydratedError(
          `patch "${this.name}": operations[${index}] (${describeOperation(op)}) carries its ${missing.key} function as source only; call patch.hydrate(scope) to compile it`,
          { patch: this.name, index, operation: op.op, function: missing.key },
        );
      }
    }
  }
}
