/**
 * The JSON form of a patch, and the one reader that turns untrusted data into
 * operations. JSON carries function sources only; a patch read back has no
 * live functions until it is hydrated explicitly, so reading a patch never
 * runs any of its code. The reader rebuilds every operation from the keys it
 * knows, so nothing unexpected (extra keys, getters, prototypes) survives
 * into a patch, and each refusal names the exact path at fault.
 */
import { InvalidPatchError } from "../errors.js";
import type {
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "../mop/classDefinition.js";
import type { ClassShape, Operation, OperationKind, PatchFunction, Policy } from "./operations.js";
import { operationProblem } from "./checks/operation.js";
import { describeOperation } from "./summary.js";
import { isArray, isObjectArgument, isRevokedProxy } from "../valueKinds.js";

export const PATCH_FORMAT = "metamorph.patch/1";

/** A patch function as JSON carries it: the source alone. */
export interface PatchFunctionJson {
  readonly source: string;
}

/**
 * The operation keys that hold a patch function, whose live function JSON
 * drops (writePatchJson). By key, not by shape: a method definition
 * (addMethod's and replaceMethod's `method`) has a `source` too, and was
 * typed `{ source }` although JSON carries it whole.
 */
const FUNCTION_KEY_LIST = ["initial", "migrator", "check", "implementation", "hook"] as const;
type FunctionKey = (typeof FUNCTION_KEY_LIST)[number];

type WithoutLive<V> = V extends PatchFunction ? PatchFunctionJson : V;

/** One kind of operation as JSON carries it (distributes over a union of kinds). */
type JsonOf<O> = O extends unknown
  ? { readonly [K in keyof O]: K extends FunctionKey ? WithoutLive<O[K]> : O[K] }
  : never;

/**
 * An operation as JSON carries it: the same data, functions as sources only.
 * (Written as one distributive alias: a consumer's tsc builds about a quarter
 * fewer types and symbols for metamorph's declarations than with the nested
 * `infer` form it replaces.)
 */
export type OperationJson = JsonOf<Operation>;

export interface PatchJson {
  readonly format: typeof PATCH_FORMAT;
  readonly name: string;
  readonly operations: readonly OperationJson[];
}

const FUNCTION_KEYS: ReadonlySet<string> = new Set(FUNCTION_KEY_LIST);

function isPatchFunction(value: unknown): value is PatchFunction {
  return typeof value === "object" && value !== null && "source" in value;
}

/** The JSON form of a patch; functions keep their source and lose the live function. */
export function writePatchJson(name: string, operations: readonly Operation[]): PatchJson {
  return {
    format: PATCH_FORMAT,
    name,
    operations: operations.map((op) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(op)) {
        out[key] =
          FUNCTION_KEYS.has(key) && isPatchFunction(value) ? { source: value.source } : value;
      }
      return out as OperationJson;
    }),
  };
}

// ---------------------------------------------------------------------------
// Reading

interface ReadContext {
  /** Whether `fn` may accompany a source (in-process operations) or not (JSON). */
  readonly allowLive: boolean;
}

type Read<T> = (value: unknown, path: string, context: ReadContext) => T;

function fail(path: string, message: string, details: Record<string, unknown> = {}): never {
  throw new InvalidPatchError(`invalid patch: ${path}: ${message}`, { path, ...details });
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (isRevokedProxy(value)) return "a revoked Proxy";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "object":
      return "an object";
    case "string":
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    default:
      return typeof value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return isObjectArgument(value);
}

const readString: Read<string> = (value, path) =>
  typeof value === "string" ? value : fail(path, `expected a string, got ${kindOf(value)}`);

const readBoolean: Read<boolean> = (value, path) =>
  typeof value === "boolean" ? value : fail(path, `expected true or false, got ${kindOf(value)}`);

const readNullableString: Read<string | null> = (value, path, context) =>
  value === null ? null : readString(value, path, context);

function readEnum<T extends string>(allowed: readonly T[]): Read<T> {
  return (value, path) =>
    typeof value === "string" && (allowed as readonly string[]).includes(value)
      ? (value as T)
      : fail(
          path,
          `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${kindOf(value)}`,
        );
}

function readArray<T>(item: Read<T>): Read<T[]> {
  return (value, path, context) => {
    if (!isArray(value)) return fail(path, `expected an array, got ${kindOf(value)}`);
    return value.map((v, i) => item(v, `${path}[${i}]`, context));
  };
}

interface Slot {
  readonly read: Read<unknown>;
  readonly optional?: boolean;
}
const required = (read: Read<unknown>): Slot => ({ read });
const optional = (read: Read<unknown>): Slot => ({ read, optional: true });

/** Reads an object with exactly the given keys (optional ones may be absent or undefined). */
function readObject<T>(slots: Readonly<Record<string, Slot>>, what: string): Read<T> {
  return (value, path, context) => {
    if (!isRecord(value)) return fail(path, `expected ${what}, got ${kindOf(value)}`);
    // Own keys only: `in` would take "__proto__" or "toString" for known slots and drop them silently.
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(slots, key)) {
        fail(
          `${path}.${key}`,
          `unknown property of ${what} (it has ${Object.keys(slots).join(", ")})`,
        );
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, slot] of Object.entries(slots)) {
      const v = Object.hasOwn(value, key) ? value[key] : undefined;
      if (v === undefined) {
        if (slot.optional) continue;
        fail(`${path}.${key}`, `missing (${what} needs ${key})`);
      }
      out[key] = slot.read(v, `${path}.${key}`, context);
    }
    return out as T;
  };
}

const readMemberKey: Read<MemberKey> = (value, path, context) =>
  typeof value === "string"
    ? value
    : isRecord(value)
      ? readObject<MemberKey>({ symbol: required(readString) }, "a symbol key { symbol }")(
          value,
          path,
          context,
        )
      : fail(path, `expected a member name or { symbol: "…" }, got ${kindOf(value)}`);

const readMethodKind = readEnum<MethodKind>(["method", "get", "set"]);

const readMethod = readObject<MethodDefinition>(
  {
    key: required(readMemberKey),
    kind: required(readMethodKind),
    static: required(readBoolean),
    source: required(readString),
  },
  "a method definition",
);

const readField = readObject<FieldDefinition>(
  { name: required(readString), initializer: optional(readString) },
  "a field definition { name, initializer? }",
);

const readShape = readObject<ClassShape>(
  {
    name: required(readString),
    superclass: optional(readNullableString),
    fields: optional(readArray(readField)),
    methods: optional(readArray(readMethod)),
    staticFields: optional(readArray(readField)),
  },
  "a class shape",
);

const readFunction: Read<PatchFunction> = (value, path, context) => {
  if (!isRecord(value)) return fail(path, `expected a function { source }, got ${kindOf(value)}`);
  const { fn, ...rest } = value;
  const out = readObject<{ source: string }>(
    { source: required(readString) },
    "a function { source }",
  )(rest, path, context);
  if (fn === undefined) return out;
  if (!context.allowLive) {
    return fail(
      `${path}.fn`,
      "JSON carries function sources only; hydrate the patch to compile them",
    );
  }
  if (typeof fn !== "function") return fail(`${path}.fn`, `expected a function, got ${kindOf(fn)}`);
  return { source: out.source, fn };
};

const readPolicy = readEnum<Policy>(["eager", "lazy", "progressive"]);
const readStrings = readArray(readString);

const readStringRecord: Read<Readonly<Record<string, string>>> = (value, path, context) => {
  if (!isRecord(value))
    return fail(path, `expected an object of field names, got ${kindOf(value)}`);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, readString(v, `${path}.${k}`, context)]),
  );
};

/** Every operation kind and its keys, in the order written back. */
const OPERATION_SLOTS: { readonly [K in OperationKind]: Readonly<Record<string, Slot>> } = {
  addClass: { shape: required(readShape) },
  removeClass: { className: required(readString) },
  renameClass: { className: required(readString), to: required(readString) },
  addField: {
    className: required(readString),
    field: required(readString),
    defaultSource: optional(readString),
    initial: optional(readFunction),
    before: optional(readString),
  },
  removeField: { className: required(readString), field: required(readString) },
  addStaticField: {
    className: required(readString),
    field: required(readString),
    defaultSource: optional(readString),
  },
  removeStaticField: { className: required(readString), field: required(readString) },
  renameStaticField: {
    className: required(readString),
    field: required(readString),
    to: required(readString),
  },
  reinitialiseStaticField: {
    className: required(readString),
    field: required(readString),
    defaultSource: optional(readString),
  },
  renameField: {
    className: required(readString),
    field: required(readString),
    to: required(readString),
  },
  reorderFields: { className: required(readString), order: required(readStrings) },
  pullUpField: { className: required(readString), field: required(readString) },
  pushDownField: { className: required(readString), field: required(readString) },
  changeSuperclass: { className: required(readString), superclass: required(readNullableString) },
  insertSuperclass: { className: required(readString), shape: required(readShape) },
  addMethod: { className: required(readString), method: required(readMethod) },
  replaceMethod: { className: required(readString), method: required(readMethod) },
  removeMethod: {
    className: required(readString),
    key: required(readMemberKey),
    static: required(readBoolean),
    kind: optional(readMethodKind),
  },
  splitClass: {
    className: required(readString),
    fields: required(readStrings),
    into: required(readString),
    via: required(readString),
  },
  migrator: { className: required(readString), migrator: required(readFunction) },
  replaceImplementation: {
    className: required(readString),
    implementation: required(readFunction),
    renames: optional(readStringRecord),
    keepStatics: optional(readStrings),
    sameScope: optional(readBoolean),
  },
  validateNamespace: { name: required(readString), check: required(readFunction) },
  validateInstances: {
    name: required(readString),
    className: required(readString),
    check: required(readFunction),
  },
  afterCommit: { name: required(readString), hook: required(readFunction) },
  afterRollback: { name: required(readString), hook: required(readFunction) },
  policy: { policy: required(readPolicy) },
};

const OPERATION_KINDS = Object.keys(OPERATION_SLOTS) as OperationKind[];

function isOperationKind(value: unknown): value is OperationKind {
  return typeof value === "string" && Object.hasOwn(OPERATION_SLOTS, value);
}

const readOperation: Read<Operation> = (value, path, context) => {
  if (!isRecord(value)) return fail(path, `expected an operation, got ${kindOf(value)}`);
  const { op, ...rest } = value;
  if (!isOperationKind(op)) {
    return fail(
      `${path}.op`,
      `unknown operation ${kindOf(op)} (known: ${OPERATION_KINDS.join(", ")})`,
    );
  }
  const body = readObject<Record<string, unknown>>(
    OPERATION_SLOTS[op],
    `${/^[aeiou]/.test(op) ? "an" : "a"} ${op} operation`,
  )(rest, path, context);
  const operation = { op, ...body } as Operation;
  const wrong = operationProblem(operation);
  if (wrong) {
    fail(path, `${op} (${describeOperation(operation)}): ${wrong.message}`, {
      operation: op,
      ...wrong.details,
    });
  }
  return operation;
};

/**
 * Checks and copies in-process operations (functions may carry `fn`).
 * `path` prefixes every error path, e.g. `operations`.
 */
export function readOperations(value: unknown, path = "operations"): Operation[] {
  return readArray(readOperation)(value, path, { allowLive: true });
}

/** Reads a patch's JSON form (parsed); functions come back as sources only. */
export function readPatchJson(json: unknown): { name: string; operations: Operation[] } {
  if (!isRecord(json)) return fail("(root)", `expected a patch object, got ${kindOf(json)}`);
  if (json.format !== PATCH_FORMAT) {
    fail(
      "format",
      json.format === undefined
        ? `missing; a metamorph patch has format ${JSON.stringify(PATCH_FORMAT)}`
        : `unsupported format ${kindOf(json.format)} (this version reads ${JSON.stringify(PATCH_FORMAT)})`,
    );
  }
  for (const key of Object.keys(json)) {
    if (key !== "format" && key !== "name" && key !== "operations") {
      fail(key, "unknown property of a patch (it has format, name, operations)");
    }
  }
  const context: ReadContext = { allowLive: false };
  const name = readString(json.name, "name", context);
  if (name.length === 0) fail("name", "a patch needs a name");
  const operations = readArray(readOperation)(json.operations, "operations", context);
  return { name, operations };
}
