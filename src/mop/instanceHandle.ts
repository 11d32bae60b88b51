/**
 * Opt-in instance handles: for objects that cannot be rewritten in place
 * (frozen, private `#` fields, built-ins with internal slots), the program
 * holds a handle instead of the object, and an update retargets the handle.
 *
 * A handle is not a Proxy (~190 ns per method call, every `this.x` inside the
 * method trapping again) but an instance of a generated forwarder prototype:
 * one per target prototype, holding an accessor per known field and a
 * forwarding method per method reachable on the target's prototype chain,
 * all reading one target slot. Measured at about 1.0–1.5× a direct access.
 * Methods run with `this` = the target, so the target's own code (private
 * fields included) runs at full speed and sees the real object.
 *
 * The forwarder prototype inherits from the target's prototype, so
 * `handle instanceof C` holds and `handle.constructor === C`; members added to
 * the class after the forwarder was generated are still found through that
 * inheritance (but run with `this` = the handle, going through its accessors).
 *
 * Limits:
 * - A handle is a different object from its target: `handle !== target`, and
 *   Map/WeakMap keys must be the handle if the target will be replaced.
 * - Fields are the target's own string and symbol keys when a handle is
 *   created (or retargeted to another prototype), plus any `fields` given.
 *   Own properties added to a target later and not listed are not forwarded:
 *   reading them through the handle finds the prototype's member (usually
 *   undefined), and writing them creates a property on the handle itself.
 * - Array elements (index keys) are not forwarded; use methods (`at`, ...).
 * - `Object.keys`, spread and `Object.assign` see no own fields on a handle
 *   (fields are accessors on its prototype); `for...in` and `JSON.stringify`
 *   do see them (accessors are enumerable, and `toJSON` forwards to the target
 *   unless the class defines its own).
 * - A function stored in an own field is called with `this` = the handle.
 * - Object.prototype methods (`hasOwnProperty`, ...) run on the handle.
 * - Where `new Function` is forbidden (strict CSP), forwarders are built from
 *   closures instead: still correct, somewhat slower.
 */
import { SwapArgumentError, UnswappableObjectError } from "../errors.js";

export interface InstanceHandleOptions {
  /** Field names to forward besides the target's own keys (fields the target gains later, for instance). */
  readonly fields?: readonly PropertyKey[];
}

/** The target slot. A symbol (not exported): invisible to Object.keys, JSON and for...in. */
const TARGET = Symbol("metamorph.instanceHandle.target");

interface Forwarder {
  /** The generated prototype every handle of this target prototype has. */
  readonly prototype: object;
  /** Keys that already have a forwarding member on `prototype`, and whether it is a field accessor. */
  readonly members: Map<PropertyKey, "field" | "member">;
}

/** Forwarders by target prototype; targets with a null prototype share the one stored under NULL_PROTOTYPE. */
const forwarders = new WeakMap<object, Forwarder>();
const NULL_PROTOTYPE = {};

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

type Slotted = { [TARGET]: object };

function isHandle(value: unknown): value is Slotted {
  return typeof value === "object" && value !== null && Object.hasOwn(value, TARGET);
}

/**
 * Returns a handle that forwards field reads and writes and method calls to
 * `target`. The handle's type is the target's type.
 */
export function createInstanceHandle<T extends object>(
  target: T,
  options: InstanceHandleOptions = {},
): T {
  checkTarget(target, "target");
  const forwarder = forwarderFor(Reflect.getPrototypeOf(target));
  addFields(forwarder, fieldKeys(target, options));
  const handle = Object.create(forwarder.prototype) as T;
  // Non-configurable: a handle's slot is never deleted, and swapObjects refuses
  // handles (retarget them instead).
  Object.defineProperty(handle, TARGET, {
    value: target,
    writable: true,
    enumerable: false,
    configurable: false,
  });
  return handle;
}

/**
 * Makes `handle` forward to `target` from now on. When `target` has the same
 * prototype as the current target this is one slot write (the fields are
 * assumed to be the same; pass `fields` to add some); otherwise the handle's
 * prototype switches to the forwarder of the new prototype (handles have no
 * own properties to delete, so this keeps them in V8's fast mode).
 */
export function retargetInstanceHandle<T extends object>(
  handle: T,
  target: T,
  options?: InstanceHandleOptions,
): void {
  if (!isHandle(handle)) throw notAHandle(handle, "retargetInstanceHandle");
  checkTarget(target, "target");
  const forwarderPrototype = Reflect.getPrototypeOf(handle);
  const targetPrototype = Reflect.getPrototypeOf(target);
  // A forwarder prototype inherits from the target prototype it was made for.
  if (
    options === undefined &&
    forwarderPrototype !== null &&
    Reflect.getPrototypeOf(forwarderPrototype) === targetPrototype
  ) {
    writeSlot(handle, target);
    return;
  }
  const forwarder = forwarderFor(targetPrototype);
  addFields(forwarder, fieldKeys(target, options ?? {}));
  if (forwarderPrototype !== forwarder.prototype) {
    // Check before changing anything: the slot write is the one step that can fail.
    if (!Object.getOwnPropertyDescriptor(handle, TARGET)!.writable) throw frozenHandle();
    if (!Reflect.setPrototypeOf(handle, forwarder.prototype)) throw frozenHandle();
  }
  writeSlot(handle, target);
}

export function isInstanceHandle(value: unknown): boolean {
  return isHandle(value);
}

/** The object a handle currently forwards to. */
export function instanceHandleTarget<T extends object>(handle: T): T {
  if (!isHandle(handle)) throw notAHandle(handle, "instanceHandleTarget");
  return handle[TARGET] as T;
}

function writeSlot(handle: Slotted, target: object): void {
  try {
    handle[TARGET] = target;
  } catch {
    throw frozenHandle();
  }
}

function frozenHandle(): UnswappableObjectError {
  return new UnswappableObjectError(
    "the instance handle is frozen (or non-extensible), so it cannot be retargeted",
    {
      rule: "frozen-handle",
    },
  );
}

function notAHandle(value: unknown, operation: string): SwapArgumentError {
  return new SwapArgumentError(`${operation}: the value is not an instance handle`, {
    operation,
    type: value === null ? "null" : typeof value,
  });
}

function checkTarget(target: unknown, role: string): asserts target is object {
  if (typeof target !== "object" || target === null) {
    throw new SwapArgumentError(
      `an instance handle's ${role} must be an object, not ${target === null ? "null" : typeof target}`,
      { role, type: target === null ? "null" : typeof target },
    );
  }
}

const MAX_ARRAY_INDEX = 4294967294;

function isIndexKey(key: PropertyKey): boolean {
  if (typeof key !== "string") return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n <= MAX_ARRAY_INDEX && String(n) === key;
}

function fieldKeys(target: object, options: InstanceHandleOptions): PropertyKey[] {
  // getOwnPropertyNames + getOwnPropertySymbols: Reflect.ownKeys' order, several times cheaper.
  const keys: PropertyKey[] = [];
  for (const name of Object.getOwnPropertyNames(target)) if (!isIndexKey(name)) keys.push(name);
  for (const symbol of Object.getOwnPropertySymbols(target)) {
    if (symbol !== TARGET) keys.push(symbol); // a handle of a handle: its slot is not a field
  }
  if (options.fields) {
    for (const k of options.fields) {
      const key = typeof k === "number" ? String(k) : k;
      if (!isIndexKey(key)) keys.push(key);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------
// Forwarder generation

type MemberKind = "method" | "get" | "set" | "accessor" | "field";

interface MemberSpec {
  readonly key: PropertyKey;
  readonly kind: MemberKind;
}

function forwarderFor(targetPrototype: object | null): Forwarder {
  const cacheKey = targetPrototype ?? NULL_PROTOTYPE;
  let forwarder = forwarders.get(cacheKey);
  if (forwarder !== undefined) return forwarder;
  forwarder = { prototype: Object.create(targetPrototype) as object, members: new Map() };
  const specs: MemberSpec[] = [];
  const seen = new Set<PropertyKey>(["constructor"]);
  for (
    let p = targetPrototype;
    p !== null && p !== Object.prototype;
    p = Reflect.getPrototypeOf(p)
  ) {
    for (const key of Reflect.ownKeys(p)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Reflect.getOwnPropertyDescriptor(p, key)!;
      if ("value" in d) {
        // Shared data on the prototype is inherited as is; only methods forward.
        if (typeof d.value === "function") specs.push({ key, kind: "method" });
      } else {
        specs.push({ key, kind: d.get && d.set ? "accessor" : d.get ? "get" : "set" });
      }
    }
  }
  if (targetPrototype === null || !("toJSON" in targetPrototype)) {
    specs.push({ key: "toJSON", kind: "method" });
  }
  if (targetPrototype === null || !(INSPECT in targetPrototype)) {
    specs.push({ key: INSPECT, kind: "method" });
  }
  installMembers(forwarder, specs);
  forwarders.set(cacheKey, forwarder);
  return forwarder;
}

function addFields(forwarder: Forwarder, keys: readonly PropertyKey[]): void {
  const specs: MemberSpec[] = [];
  for (const key of keys) {
    // An own field shadows a method of the same name on the target, so its
    // accessor replaces the method forwarder.
    if (forwarder.members.get(key) !== "field") specs.push({ key, kind: "field" });
  }
  if (specs.length > 0) installMembers(forwarder, specs);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Member access source text for `key`: `.name`, `["odd key"]` or `[k3]` (a constant bound to a symbol). */
function accessFor(key: PropertyKey, index: number): string {
  if (typeof key === "string") return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return `[k${index}]`;
}

function propertyNameFor(key: PropertyKey, index: number): string {
  if (typeof key === "string") return IDENTIFIER.test(key) ? key : JSON.stringify(key);
  return `[k${index}]`;
}

let codeGenerationAllowed = true;

function installMembers(forwarder: Forwarder, specs: readonly MemberSpec[]): void {
  const built = (codeGenerationAllowed && generateMembers(specs)) || closureMembers(specs);
  for (let i = 0; i < specs.length; i++) {
    const { key, kind } = specs[i]!;
    const descriptor = built[i]!;
    Object.defineProperty(forwarder.prototype, key, {
      ...descriptor,
      ...("value" in descriptor ? { writable: true } : {}),
      // Like class members: methods hidden, fields visible to for...in.
      enumerable: kind === "field",
      configurable: true,
    });
    forwarder.members.set(key, kind === "field" ? "field" : "member");
  }
}

/**
 * Builds the members as real source text, so each access is a named property
 * load V8 can inline (`this[T].x`), not a keyed load through a closure variable.
 */
function generateMembers(specs: readonly MemberSpec[]): PropertyDescriptor[] | null {
  const symbols: symbol[] = [];
  const bindings: string[] = [];
  const parts: string[] = [];
  specs.forEach(({ key, kind }, i) => {
    if (typeof key === "symbol") {
      symbols.push(key);
      bindings.push(`const k${i} = K[${symbols.length - 1}];`);
    }
    const name = propertyNameFor(key, i);
    const access = accessFor(key, i);
    const get = `get ${name}() { return this[T]${access}; }`;
    const set = `set ${name}(v) { this[T]${access} = v; }`;
    let body: string;
    if (kind === "method") {
      body =
        key === "toJSON" || key === INSPECT
          ? `${name}() { return this[T]; }`
          : `${name}(...a) { return this[T]${access}(...a); }`;
    } else if (kind === "get") body = get;
    else if (kind === "set") body = set;
    else body = `${get}, ${set}`;
    parts.push(`{ ${body} }`);
  });
  const source = `"use strict";\n${bindings.join("\n")}\nreturn [\n${parts.join(",\n")}\n];`;
  let objects: object[];
  try {
    objects = new Function("T", "K", source)(TARGET, symbols) as object[];
  } catch (error) {
    if (error instanceof EvalError) {
      codeGenerationAllowed = false;
      return null;
    }
    throw error;
  }
  return objects.map((o, i) => Reflect.getOwnPropertyDescriptor(o, specs[i]!.key)!);
}

/** The same members without code generation (strict Content-Security-Policy). */
function closureMembers(specs: readonly MemberSpec[]): PropertyDescriptor[] {
  return specs.map(({ key, kind }): PropertyDescriptor => {
    const get = function (this: Slotted): unknown {
      return (this[TARGET] as Record<PropertyKey, unknown>)[key];
    };
    const set = function (this: Slotted, v: unknown): void {
      (this[TARGET] as Record<PropertyKey, unknown>)[key] = v;
    };
    if (kind === "method") {
      if (key === "toJSON" || key === INSPECT) {
        return {
          value: function (this: Slotted): unknown {
            return this[TARGET];
          },
        };
      }
      return {
        value: function (this: Slotted, ...args: unknown[]): unknown {
          const target = this[TARGET] as Record<PropertyKey, (...a: unknown[]) => unknown>;
          return target[key]!(...args);
        },
      };
    }
    if (kind === "get") return { get };
    if (kind === "set") return { set };
    return { get, set };
  });
}
