/**
 * The one place that rewrites a live object in place. Swapping, forwarding and
 * instance migration all come down to "make this object's prototype and own
 * properties equal to that snapshot" while keeping its identity, so `===`,
 * WeakMap keys and every reference held elsewhere keep working.
 *
 * The order of the V8 operations is what keeps the object fast (measured on
 * Node 20, see DESIGN.md): V8 only has a fast path for deleting the property
 * that was added last, and any delete after `Object.setPrototypeOf` (or a
 * prototype change on a dictionary-mode object) drops the object into
 * dictionary mode for good. So a rewrite
 *   1. keeps the longest common prefix of own property keys whose attributes
 *      already match (values are reassigned, the hidden class stays),
 *   2. deletes the remaining own properties from the end of the property order
 *      backwards, while the object is still on its old prototype,
 *   3. changes the prototype only if it differs,
 *   4. defines the remaining properties in the snapshot's order.
 */
import { SwapArgumentError, UnswappableObjectError } from "../errors.js";

/**
 * A full snapshot of an object's own state. `keys` is in `Reflect.ownKeys`
 * order (array-index keys ascending, then strings, then symbols, each in
 * insertion order) without an array's `length`; `descriptors[i]` is the
 * complete descriptor of `keys[i]`. The first `elementCount` keys are array
 * indices (they live in V8's elements store, outside the hidden class).
 */
export interface ObjectState {
  readonly prototype: object | null;
  readonly keys: readonly PropertyKey[];
  readonly descriptors: readonly PropertyDescriptor[];
  readonly elementCount: number;
  /** The array's `length` for arrays (holes at the end included), null for every other object. */
  readonly arrayLength: number | null;
}

type PropertyBag = Record<PropertyKey, unknown>;

const MAX_ARRAY_INDEX = 4294967294; // 2^32 - 2

/** Whether `key` is a canonical array index (so it lives in the elements store). */
function isIndexKey(key: PropertyKey): boolean {
  if (typeof key !== "string") return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  if (key.length > 1 && first === 48) return false;
  const n = Number(key);
  return Number.isInteger(n) && n <= MAX_ARRAY_INDEX && String(n) === key;
}

/** Array-index keys come first in `Reflect.ownKeys`, so they are a prefix of it. */
function countLeadingIndexKeys(keys: readonly PropertyKey[]): number {
  let n = 0;
  while (n < keys.length && isIndexKey(keys[n]!)) n++;
  return n;
}

export function captureState(obj: object): ObjectState {
  const isArray = Array.isArray(obj);
  const allKeys = Reflect.ownKeys(obj);
  const elementCount = countLeadingIndexKeys(allKeys);
  // An array's `length` follows its indices; it is state, but not a property we redefine.
  const keys = isArray ? allKeys.filter((k, i) => i !== elementCount || k !== "length") : allKeys;
  const descriptors: PropertyDescriptor[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    descriptors[i] = Reflect.getOwnPropertyDescriptor(obj, keys[i]!)!;
  }
  return {
    prototype: Reflect.getPrototypeOf(obj),
    keys,
    descriptors,
    elementCount,
    arrayLength: isArray ? (obj as unknown[]).length : null,
  };
}

/**
 * Whether redefining a property described by `current` as `target` can keep
 * the hidden class: same kind and attributes (data), or the very same accessor
 * functions (a different getter is a different hidden class in V8).
 */
function sameShape(current: PropertyDescriptor, target: PropertyDescriptor): boolean {
  if (current.enumerable !== target.enumerable || current.configurable !== target.configurable) {
    return false;
  }
  if ("value" in current) return "value" in target && current.writable === target.writable;
  return !("value" in target) && current.get === target.get && current.set === target.set;
}

function describe(obj: object): string {
  const proto = Reflect.getPrototypeOf(obj);
  const ctor = proto === null ? undefined : constructorOf(proto);
  const name = ctor?.name;
  if (Array.isArray(obj)) return "an array";
  return proto === null ? "an object with a null prototype" : name ? `a ${name}` : "an object";
}

function failedStep(obj: object, step: string, key?: PropertyKey): UnswappableObjectError {
  return new UnswappableObjectError(
    `could not rewrite ${describe(obj)}: ${step}${key === undefined ? "" : ` ${String(key)}`} was refused`,
    { step, ...(key === undefined ? {} : { key }) },
  );
}

/**
 * Rewrites `obj` in place so its prototype and own properties equal `state`,
 * in the order described at the top of this module. Never deletes after the
 * prototype change. Throws UnswappableObjectError when the object refuses a
 * step (it may then be half rewritten: callers that need atomicity capture
 * states first and restore on failure, as swapObjects does).
 */
export function applyState(obj: object, state: ObjectState): void {
  applyStateFrom(obj, captureState(obj), state);
}

/**
 * `applyState` with the object's current state already captured (and still
 * exact), so a swap reads every descriptor only once.
 */
export function applyStateFrom(obj: object, current: ObjectState, state: ObjectState): void {
  const isArray = current.arrayLength !== null;
  if (isArray !== (state.arrayLength !== null)) {
    throw new UnswappableObjectError(
      `cannot rewrite ${describe(obj)} as ${isArray ? "a non-array" : "an array"}: an array's elements and length live outside its properties`,
      { rule: "array-mismatch" },
    );
  }
  const bag = obj as PropertyBag;
  const curKeys = current.keys;
  const curDescs = current.descriptors;
  const curStart = current.elementCount;
  const keys = state.keys;
  const descs = state.descriptors;
  const start = state.elementCount;

  // 1. Longest common prefix of named keys with the same attributes.
  let prefix = 0;
  while (
    curStart + prefix < curKeys.length &&
    start + prefix < keys.length &&
    curKeys[curStart + prefix] === keys[start + prefix] &&
    sameShape(curDescs[curStart + prefix]!, descs[start + prefix]!)
  ) {
    prefix++;
  }

  // 2. Delete the rest from the end backwards, on the old prototype.
  for (let i = curKeys.length - 1; i >= curStart + prefix; i--) {
    if (!Reflect.deleteProperty(obj, curKeys[i]!)) throw failedStep(obj, "delete", curKeys[i]);
  }
  if (isArray) {
    if (!Reflect.set(obj, "length", 0)) throw failedStep(obj, "set length");
  } else {
    for (let i = curStart - 1; i >= 0; i--) {
      if (!Reflect.deleteProperty(obj, curKeys[i]!)) throw failedStep(obj, "delete", curKeys[i]);
    }
  }

  // 3. The prototype, only when it differs (a no-op setPrototypeOf still costs a runtime call).
  if (current.prototype !== state.prototype && !Reflect.setPrototypeOf(obj, state.prototype)) {
    throw failedStep(obj, "setPrototypeOf");
  }

  // 4a. Kept prefix: only values can differ.
  for (let i = 0; i < prefix; i++) {
    const d = descs[start + i]!;
    if (!("value" in d) || Object.is(d.value, curDescs[curStart + i]!.value)) continue;
    const key = keys[start + i]!;
    if (d.writable) {
      // A plain store on an own writable data property never reaches a setter and keeps the map.
      bag[key] = d.value;
    } else if (!Reflect.defineProperty(obj, key, { value: d.value })) {
      throw failedStep(obj, "defineProperty", key);
    }
  }
  // 4b. The rest, in order. defineProperty (not assignment) so that setters or
  // read-only properties on the new prototype chain cannot intercept.
  for (let i = start + prefix; i < keys.length; i++) {
    if (!Reflect.defineProperty(obj, keys[i]!, descs[i]!)) {
      throw failedStep(obj, "defineProperty", keys[i]);
    }
  }
  for (let i = 0; i < start; i++) {
    if (!Reflect.defineProperty(obj, keys[i]!, descs[i]!)) {
      throw failedStep(obj, "defineProperty", keys[i]);
    }
  }
  if (isArray && (obj as unknown[]).length !== state.arrayLength) {
    if (!Reflect.set(obj, "length", state.arrayLength)) throw failedStep(obj, "set length");
  }
}

// ---------------------------------------------------------------------------
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

const privateMembersCache = new WeakMap<Function, boolean>();

function isIdentifierStart(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 36 || // $
    code === 95 || // _
    code === 92 || // \ (unicode escape)
    code > 127
  );
}

const KEYWORDS_BEFORE_OPERAND = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "instanceof",
  "yield",
  "await",
]);

/** Whether a `/` at `i` starts a regular expression literal (an operand is expected there). */
function regexMayStartAfter(source: string, i: number, lastSignificant: string): boolean {
  if (lastSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(lastSignificant)) return true;
  let end = i;
  while (end > 0 && source.charCodeAt(end - 1) <= 32) end--;
  let begin = end;
  while (begin > 0 && /[A-Za-z]/.test(source[begin - 1]!)) begin--;
  if (begin > 0 && /[\w$.]/.test(source[begin - 1]!)) return false; // part of a longer name or a member
  return begin < end && KEYWORDS_BEFORE_OPERAND.has(source.slice(begin, end));
}

/**
 * Whether class source text declares a private `#` member. A small scanner,
 * not a parser: it skips comments, string and template literals and regular
 * expression literals, and reports any `#name` not preceded by `.` (uses such
 * as `this.#x` always come with a declaration in the same class or an
 * enclosing one, whose source this is as well). It errs towards "yes" (a
 * nested class in a method body that declares private members counts), which
 * only means a refusal that was not strictly needed.
 */
export function sourceDeclaresPrivateMembers(source: string): boolean {
  const n = source.length;
  let lastSignificant = ""; // last non-space character outside comments
  let i = 0;
  // Template literal nesting: each entry is the brace depth at which a `${` was opened.
  const templateStack: number[] = [];
  let braceDepth = 0;
  const skipString = (quote: number): void => {
    i++;
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === quote) {
        i++;
        return;
      } else i++;
    }
  };
  const skipTemplate = (): void => {
    // Called just after a backtick or a closing `}` of a substitution.
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) {
        i++;
        return;
      } else if (c === 36 && source.charCodeAt(i + 1) === 123) {
        i += 2;
        templateStack.push(braceDepth);
        braceDepth++;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 47) {
      const next = source.charCodeAt(i + 1);
      if (next === 47) {
        const end = source.indexOf("\n", i);
        i = end < 0 ? n : end;
        continue;
      }
      if (next === 42) {
        const end = source.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      // A slash starts a regular expression where an operand is expected.
      if (regexMayStartAfter(source, i, lastSignificant)) {
        i++;
        let inClass = false;
        while (i < n) {
          const r = source.charCodeAt(i);
          if (r === 92) {
            i += 2;
            continue;
          }
          if (r === 10) break; // not a regular expression after all; resume scanning the line
          i++;
          if (r === 91) inClass = true;
          else if (r === 93) inClass = false;
          else if (r === 47 && !inClass) break;
        }
        lastSignificant = "a";
        continue;
      }
      lastSignificant = "/";
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      skipString(c);
      lastSignificant = "a";
      continue;
    }
    if (c === 96) {
      i++;
      skipTemplate();
      lastSignificant = "a";
      continue;
    }
    if (c === 123) braceDepth++;
    else if (c === 125) {
      braceDepth--;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        i++;
        skipTemplate();
        lastSignificant = "a";
        continue;
      }
    } else if (c === 35 && isIdentifierStart(source.charCodeAt(i + 1)) && lastSignificant !== ".") {
      return true;
    }
    if (c > 32) lastSignificant = source[i]!;
    i++;
  }
  return false;
}

/** Whether the class (not its superclasses) declares private `#` members; cached per constructor. */
export function classDeclaresPrivateMembers(ctor: Function): boolean {
  let result = privateMembersCache.get(ctor);
  if (result === undefined) {
    const source = Function.prototype.toString.call(ctor);
    result = /^class\b/.test(source) && sourceDeclaresPrivateMembers(source);
    privateMembersCache.set(ctor, result);
  }
  return result;
}

/** The prototype's own `constructor`, when it is a data property holding a function. */
function constructorOf(proto: object): Function | undefined {
  const d = Reflect.getOwnPropertyDescriptor(proto, "constructor");
  return d && typeof d.value === "function" ? (d.value as Function) : undefined;
}

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

function refuse(obj: object, role: string | undefined, rule: string, reason: string): never {
  const className = describe(obj);
  throw new UnswappableObjectError(
    `${role ?? "object"} (${className}) cannot be rewritten: ${reason}`,
    {
      ...(role === undefined ? {} : { role }),
      object: className,
      rule,
    },
  );
}

/**
 * Checks that `obj` can be rewritten (kind "target") or copied from (kind
 * "source"), and returns its captured state, reading every descriptor once.
 * Changes nothing.
 */
export function captureCheckedState(
  obj: unknown,
  role: string | undefined,
  kind: RewriteRole,
  verdicts: PrototypeVerdicts = new Map(),
): ObjectState {
  if (typeof obj !== "object" || obj === null) {
    if (typeof obj === "function") {
      refuse(obj, role, "function", "a function's code cannot be exchanged");
    }
    throw new SwapArgumentError(
      `${role ?? "value"} is not an object (${obj === null ? "null" : typeof obj})`,
      {
        ...(role === undefined ? {} : { role }),
        type: obj === null ? "null" : typeof obj,
      },
    );
  }
  if (kind === "target" && !Reflect.isExtensible(obj)) {
    const reason = Object.isFrozen(obj)
      ? "frozen"
      : Object.isSealed(obj)
        ? "sealed"
        : "non-extensible";
    refuse(obj, role, reason, `it is ${reason}`);
  }
  const proto = Reflect.getPrototypeOf(obj);
  let verdict = verdicts.get(proto);
  if (verdict === undefined) {
    verdict = prototypeRefusal(proto);
    verdicts.set(proto, verdict);
  }
  if (verdict !== null) refuse(obj, role, verdict.rule, verdict.reason);
  const state = captureState(obj);
  for (let i = 0; i < state.descriptors.length; i++) {
    if (!state.descriptors[i]!.configurable) {
      refuse(
        obj,
        role,
        "non-configurable",
        kind === "target"
          ? `its own property ${String(state.keys[i])} is non-configurable`
          : `its own property ${String(state.keys[i])} is non-configurable, and copying it would make the receiving object impossible to rewrite or restore`,
      );
    }
  }
  if (state.arrayLength !== null && kind === "target") {
    const length = Reflect.getOwnPropertyDescriptor(obj, "length");
    if (length && !length.writable)
      refuse(obj, role, "read-only-length", "its length is read-only");
  }
  return state;
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
  captureCheckedState(obj, role, "target");
}
