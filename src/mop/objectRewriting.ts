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
 * dictionary mode for good. Worse, an object that still had own properties
 * when its prototype changed can never again have a property deleted without
 * going to dictionary mode (measured, Node 20) — so keeping fields across a
 * prototype change costs the *next* rewrite its speed. So a rewrite
 *   1. keeps the longest common prefix of own property keys whose attributes
 *      already match (values are reassigned, the hidden class stays), but only
 *      when the prototype stays the same,
 *   2. deletes the remaining own properties from the end of the property order
 *      backwards, while the object is still on its old prototype (when the
 *      prototype changes, that is every named property),
 *   3. changes the prototype only if it differs, on an object with no named
 *      own properties left,
 *   4. defines the remaining properties in the snapshot's order.
 *
 * The property order is taken from `Reflect.ownKeys`, which lists strings
 * before symbols whatever the insertion order; an object whose symbol keys
 * were added before some string keys cannot be stripped in its true order and
 * ends up (correct but) in dictionary mode. Objects metamorph has rewritten
 * always have the `Reflect.ownKeys` order.
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

/**
 * The states of many objects in a few flat arrays, one row per object. A batch
 * of 10^6 objects must hold every state until the last object is rewritten
 * (to restore them on failure); as separate objects and descriptors those
 * would all survive young-generation collections and be copied, which cost
 * more than the rewrites themselves. Here nothing per object survives.
 */
export interface StateTable {
  readonly prototypes: (object | null)[];
  /** Row i's properties are at indices [starts[i], starts[i + 1]) of keys/values/attributes. */
  readonly starts: number[];
  readonly elementCounts: number[];
  /** -1 for objects that are not arrays. */
  readonly arrayLengths: number[];
  readonly keys: PropertyKey[];
  /** The value of a data property, or an AccessorPair. */
  readonly values: unknown[];
  /** WRITABLE | ENUMERABLE | CONFIGURABLE | ACCESSOR bits. */
  readonly attributes: number[];
}

interface AccessorPair {
  readonly get: (() => unknown) | undefined;
  readonly set: ((v: unknown) => void) | undefined;
}

const WRITABLE = 1;
const ENUMERABLE = 2;
const CONFIGURABLE = 4;
const ACCESSOR = 8;
const PLAIN_DATA = WRITABLE | ENUMERABLE | CONFIGURABLE;

/**
 * Per-batch memo, by prototype, of the keys that an assignment would not
 * simply define on the object (an accessor or a read-only property somewhere
 * on the chain). Every other plain data property is added with a keyed store,
 * measured 3× cheaper than defineProperty and giving the same hidden class.
 * Only valid while no prototype changes: make one per batch.
 */
export type InterceptCache = Map<object | null, ReadonlySet<PropertyKey>>;

function interceptedKeys(
  prototype: object | null,
  cache: InterceptCache,
): ReadonlySet<PropertyKey> {
  let keys = cache.get(prototype);
  if (keys === undefined) {
    const found = new Set<PropertyKey>();
    for (let p = prototype; p !== null; p = Reflect.getPrototypeOf(p)) {
      for (const key of Reflect.ownKeys(p)) {
        const d = Reflect.getOwnPropertyDescriptor(p, key)!;
        if (!("value" in d) || !d.writable) found.add(key);
      }
    }
    keys = found;
    cache.set(prototype, keys);
  }
  return keys;
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

export function createStateTable(): StateTable {
  return {
    prototypes: [],
    starts: [0],
    elementCounts: [],
    arrayLengths: [],
    keys: [],
    values: [],
    attributes: [],
  };
}

/** Appends `obj`'s state as a new row of `table` and returns the row. */
export function captureRow(table: StateTable, obj: object): number {
  const isArray = Array.isArray(obj);
  // The same keys in the same order as Reflect.ownKeys (indices, strings,
  // symbols), but measured 3-10× cheaper on Node 20 for ordinary objects.
  const names = Object.getOwnPropertyNames(obj);
  const symbols = Object.getOwnPropertySymbols(obj);
  const elementCount = countLeadingIndexKeys(names);
  for (let i = 0; i < names.length; i++) {
    // An array's `length` follows its indices; it is state, but not a property we redefine.
    if (isArray && i === elementCount && names[i] === "length") continue;
    captureProperty(table, obj, names[i]!);
  }
  for (let i = 0; i < symbols.length; i++) captureProperty(table, obj, symbols[i]!);
  table.prototypes.push(Reflect.getPrototypeOf(obj));
  table.elementCounts.push(elementCount);
  table.arrayLengths.push(isArray ? (obj as unknown[]).length : -1);
  table.starts.push(table.keys.length);
  return table.prototypes.length - 1;
}

function captureProperty(table: StateTable, obj: object, key: PropertyKey): void {
  const d = Reflect.getOwnPropertyDescriptor(obj, key)!;
  let attributes = (d.enumerable ? ENUMERABLE : 0) | (d.configurable ? CONFIGURABLE : 0);
  if ("value" in d) {
    if (d.writable) attributes |= WRITABLE;
    table.values.push(d.value);
  } else {
    attributes |= ACCESSOR;
    table.values.push({ get: d.get, set: d.set } satisfies AccessorPair);
  }
  table.keys.push(key);
  table.attributes.push(attributes);
}

function descriptorAt(table: StateTable, j: number): PropertyDescriptor {
  const attributes = table.attributes[j]!;
  const enumerable = (attributes & ENUMERABLE) !== 0;
  const configurable = (attributes & CONFIGURABLE) !== 0;
  if ((attributes & ACCESSOR) !== 0) {
    const pair = table.values[j] as AccessorPair;
    return { get: pair.get, set: pair.set, enumerable, configurable };
  }
  const writable = (attributes & WRITABLE) !== 0;
  return { value: table.values[j], writable, enumerable, configurable };
}

function addProperty(
  obj: object,
  table: StateTable,
  j: number,
  intercepted: ReadonlySet<PropertyKey> | undefined,
): void {
  const key = table.keys[j]!;
  if (intercepted !== undefined && table.attributes[j] === PLAIN_DATA && !intercepted.has(key)) {
    (obj as PropertyBag)[key] = table.values[j];
  } else if (!Reflect.defineProperty(obj, key, descriptorAt(table, j))) {
    throw failedStep(obj, "defineProperty", key);
  }
}

export function captureState(obj: object): ObjectState {
  const table = createStateTable();
  captureRow(table, obj);
  return rowToState(table, 0);
}

function rowToState(table: StateTable, row: number): ObjectState {
  const start = table.starts[row]!;
  const end = table.starts[row + 1]!;
  const descriptors: PropertyDescriptor[] = [];
  for (let j = start; j < end; j++) descriptors.push(descriptorAt(table, j));
  const arrayLength = table.arrayLengths[row]!;
  return {
    prototype: table.prototypes[row]!,
    keys: table.keys.slice(start, end),
    descriptors,
    elementCount: table.elementCounts[row]!,
    arrayLength: arrayLength < 0 ? null : arrayLength,
  };
}

function stateToTable(state: ObjectState): StateTable {
  const table = createStateTable();
  state.keys.forEach((key, i) => {
    const d = state.descriptors[i]!;
    let attributes = (d.enumerable ? ENUMERABLE : 0) | (d.configurable ? CONFIGURABLE : 0);
    if ("get" in d || "set" in d) {
      attributes |= ACCESSOR;
      table.values.push({ get: d.get, set: d.set } satisfies AccessorPair);
    } else {
      if (d.writable) attributes |= WRITABLE;
      table.values.push(d.value);
    }
    table.keys.push(key);
    table.attributes.push(attributes);
  });
  table.prototypes.push(state.prototype);
  table.elementCounts.push(state.elementCount);
  table.arrayLengths.push(state.arrayLength ?? -1);
  table.starts.push(table.keys.length);
  return table;
}

/**
 * Whether redefining property `c` of `current` as property `t` of `target`
 * can keep the hidden class: same kind and attributes (data), or the very
 * same accessor functions (a different getter is a different hidden class).
 */
function sameShape(current: StateTable, c: number, target: StateTable, t: number): boolean {
  const attributes = current.attributes[c]!;
  if (attributes !== target.attributes[t]) return false;
  if ((attributes & ACCESSOR) === 0) return true;
  const a = current.values[c] as AccessorPair;
  const b = target.values[t] as AccessorPair;
  return a.get === b.get && a.set === b.set;
}

function describe(obj: object): string {
  if (Array.isArray(obj)) return "an array";
  const proto = Reflect.getPrototypeOf(obj);
  if (proto === null) return "an object with a null prototype";
  const name = constructorOf(proto)?.name;
  if (!name) return "an object";
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
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
  const current = createStateTable();
  captureRow(current, obj);
  applyRow(obj, current, 0, stateToTable(state), 0);
}

/** `applyState` from a row of a table, reading the object's current state first. */
export function applyRowFresh(obj: object, target: StateTable, targetRow: number): void {
  const current = createStateTable();
  captureRow(current, obj);
  applyRow(obj, current, 0, target, targetRow);
}

/**
 * Rewrites `obj`, whose current state is row `c` of `current` (and still
 * exact), to the state in row `t` of `target`. With an `InterceptCache` (one
 * per batch), plain data properties are added by assignment where that is
 * provably the same as defining them.
 */
export function applyRow(
  obj: object,
  current: StateTable,
  c: number,
  target: StateTable,
  t: number,
  cache?: InterceptCache,
): void {
  const isArray = current.arrayLengths[c]! >= 0;
  const targetLength = target.arrayLengths[t]!;
  if (isArray !== targetLength >= 0) {
    throw new UnswappableObjectError(
      `cannot rewrite ${describe(obj)} as ${isArray ? "a non-array" : "an array"}: an array's elements and length live outside its properties`,
      { rule: "array-mismatch" },
    );
  }
  const bag = obj as PropertyBag;
  const curKeys = current.keys;
  const curStart = current.starts[c]!;
  const curNamed = curStart + current.elementCounts[c]!;
  const curEnd = current.starts[c + 1]!;
  const keys = target.keys;
  const start = target.starts[t]!;
  const named = start + target.elementCounts[t]!;
  const end = target.starts[t + 1]!;
  const prototype = target.prototypes[t]!;

  // 1. Longest common prefix of named keys with the same attributes — only
  // when the prototype stays. Measured: once an object changed prototype while
  // it had own properties, every later delete on it (of those properties or of
  // ones added afterwards) drops it into dictionary mode; an object that was
  // empty when its prototype changed can later be rewritten again at full speed.
  const prototypeChanges = current.prototypes[c] !== prototype;
  let prefix = 0;
  if (!prototypeChanges) {
    while (
      curNamed + prefix < curEnd &&
      named + prefix < end &&
      curKeys[curNamed + prefix] === keys[named + prefix] &&
      sameShape(current, curNamed + prefix, target, named + prefix)
    ) {
      prefix++;
    }
  }

  // 2. Delete the rest from the end backwards, on the old prototype.
  for (let j = curEnd - 1; j >= curNamed + prefix; j--) {
    if (!Reflect.deleteProperty(obj, curKeys[j]!)) throw failedStep(obj, "delete", curKeys[j]);
  }
  if (isArray) {
    if (curNamed > curStart && !Reflect.set(obj, "length", 0)) throw failedStep(obj, "set length");
  } else {
    for (let j = curNamed - 1; j >= curStart; j--) {
      if (!Reflect.deleteProperty(obj, curKeys[j]!)) throw failedStep(obj, "delete", curKeys[j]);
    }
  }

  // 3. The prototype, only when it differs (a no-op setPrototypeOf still costs a runtime call).
  if (prototypeChanges && !Reflect.setPrototypeOf(obj, prototype)) {
    throw failedStep(obj, "setPrototypeOf");
  }

  // 4a. Kept prefix: only data values can differ.
  const curValues = current.values;
  const values = target.values;
  for (let i = 0; i < prefix; i++) {
    const j = named + i;
    const attributes = target.attributes[j]!;
    if ((attributes & ACCESSOR) !== 0 || Object.is(values[j], curValues[curNamed + i])) continue;
    if ((attributes & WRITABLE) !== 0) {
      // A plain store on an own writable data property never reaches a setter and keeps the map.
      bag[keys[j]!] = values[j];
    } else if (!Reflect.defineProperty(obj, keys[j]!, { value: values[j] })) {
      throw failedStep(obj, "defineProperty", keys[j]);
    }
  }
  // 4b. The rest, in order: defined, or assigned where no setter or read-only
  // property on the new prototype chain can intercept the assignment.
  const intercepted = cache === undefined ? undefined : interceptedKeys(prototype, cache);
  for (let j = named + prefix; j < end; j++) addProperty(obj, target, j, intercepted);
  for (let j = start; j < named; j++) addProperty(obj, target, j, intercepted);
  if (isArray && (obj as unknown[]).length !== targetLength) {
    if (!Reflect.set(obj, "length", targetLength)) throw failedStep(obj, "set length");
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
 * Whether the `#name` at `i` is declared `static` (`static #x`, `static get
 * #x`, `static async *#x`, ...): static private members live on the class, not
 * on instances, so they do not stop instances from being rewritten.
 */
function isStaticMember(source: string, i: number): boolean {
  let end = i;
  for (;;) {
    while (end > 0 && (source.charCodeAt(end - 1) <= 32 || source[end - 1] === "*")) end--;
    let begin = end;
    while (begin > 0 && /[A-Za-z]/.test(source[begin - 1]!)) begin--;
    const word = source.slice(begin, end);
    if (word === "static") return true;
    if (word !== "get" && word !== "set" && word !== "async") return false;
    end = begin;
  }
}

/**
 * Whether class source text declares a private `#` instance member. A small
 * scanner, not a parser: it skips comments, string and template literals and
 * regular expression literals, and reports any `#name` not preceded by `.` and
 * not declared `static` (uses such as `this.#x` always come with a declaration
 * in the same class or an enclosing one, whose source this is as well). It
 * errs towards "yes" (a nested class in a method body that declares private
 * members counts, so does `#x in obj`), which only means a refusal that was
 * not strictly needed.
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
    } else if (
      c === 35 &&
      isIdentifierStart(source.charCodeAt(i + 1)) &&
      lastSignificant !== "." &&
      !isStaticMember(source, i)
    ) {
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

function roleOf(roleName: string | undefined, index: number): string | undefined {
  return index >= 0 ? `${roleName}[${index}]` : roleName;
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
  const row = captureRow(table, obj);
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
