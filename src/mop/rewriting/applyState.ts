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
 * ends up (correct but) in dictionary mode — except for the symbols a platform
 * superclass's constructor adds (EventEmitter's), which are known to come
 * first (keptProperties.ts). Objects metamorph has rewritten always have the
 * `Reflect.ownKeys` order.
 */
import { UnswappableObjectError } from "../../errors.js";
import { noteMembershipChange } from "../instances/finder.js";
import { isKept, keptProperties, NOTHING_KEPT, symbolStart } from "./keptProperties.js";
import type { PropertyBag, StateTable, ObjectState } from "./stateTable.js";
import {
  ACCESSOR,
  CONFIGURABLE,
  captureRow,
  captureState,
  createStateTable,
  descriptorAt,
  PLAIN_DATA,
  stateToTable,
  WRITABLE,
} from "./stateTable.js";

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

export function describe(obj: object): string {
  if (Array.isArray(obj)) return "an array";
  const proto = Reflect.getPrototypeOf(obj);
  if (proto === null) return "an object with a null prototype";
  const name = constructorOf(proto)?.name;
  if (!name) return "an object";
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

export function failedStep(obj: object, step: string, key?: PropertyKey): UnswappableObjectError {
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

/**
 * Moves `obj` onto `prototype`, its own properties kept as they are. An
 * object whose properties can all be deleted is rewritten (deleted, moved
 * while empty, defined again in order), so that it stays in fast mode and a
 * later migration can still delete its trailing fields cheaply; any other is
 * only moved. Returns false, changing nothing, for an object that cannot
 * change its prototype (not extensible).
 */
export function moveToPrototype(obj: object, prototype: object): boolean {
  if (!Object.isExtensible(obj)) return false;
  const state = captureState(obj);
  if (state.descriptors.every((d) => d.configurable === true)) {
    applyState(obj, { ...state, prototype });
    return true;
  }
  noteMembershipChange();
  return Reflect.setPrototypeOf(obj, prototype);
}

/**
 * The first own property that rewriting an object from state `current` to
 * `state` would delete although it cannot be deleted (not configurable), or
 * undefined: what makes `applyState` fail part-way, known before it starts.
 */
export function undeletableInRewrite(
  current: ObjectState,
  state: ObjectState,
): PropertyKey | undefined {
  return blockedRewrite(current, state)?.blocked;
}

/**
 * What stops the rewrite of `current` to `state`: the undeletable property
 * (see undeletableInRewrite) and the first property the rewrite must delete
 * — the change in front of it that a refusal names as its cause.
 */
export function blockedRewrite(
  current: ObjectState,
  state: ObjectState,
): { blocked: PropertyKey; first: PropertyKey } | undefined {
  const from = stateToTable(current);
  const to = stateToTable(state);
  const kept =
    from.prototypes[0] !== to.prototypes[0] ? NOTHING_KEPT : keptProperties(from, 0, to, 0);
  const named = from.starts[0]! + from.elementCounts[0]!;
  let first: PropertyKey | undefined;
  for (let j = from.starts[0]!; j < from.starts[1]!; j++) {
    if (isKept(kept, j, named)) continue;
    first ??= from.keys[j]!;
    if ((from.attributes[j]! & CONFIGURABLE) === 0) return { blocked: from.keys[j]!, first };
  }
  return undefined;
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
  const curKeys = current.keys;
  const curStart = current.starts[c]!;
  const curNamed = curStart + current.elementCounts[c]!;
  const curEnd = current.starts[c + 1]!;
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
  const kept = prototypeChanges ? NOTHING_KEPT : keptProperties(current, c, target, t);

  // 2. Delete the rest from the end backwards, on the old prototype (where
  // symbols are kept apart, the strings first: they were added last).
  if (kept.apart) {
    for (let j = kept.symbolsAt - 1; j >= curNamed + kept.prefix; j--) {
      if (!Reflect.deleteProperty(obj, curKeys[j]!)) throw failedStep(obj, "delete", curKeys[j]);
    }
  }
  for (let j = curEnd - 1; j >= curNamed + kept.prefix; j--) {
    if (isKept(kept, j, curNamed) || (kept.apart && j < kept.symbolsAt)) continue;
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
  if (prototypeChanges) {
    noteMembershipChange();
    if (!Reflect.setPrototypeOf(obj, prototype)) throw failedStep(obj, "setPrototypeOf");
  }

  // 4a. Kept prefix: only data values can differ.
  reassignPrefix(obj, current, curNamed, target, named, kept.prefix);
  if (kept.apart) {
    const targetSymbols = symbolStart(target, named, end);
    reassignPrefix(obj, current, kept.symbolsAt, target, targetSymbols, kept.symbols);
  }
  // 4b. The rest, in order: defined, or assigned where no setter or read-only
  // property on the new prototype chain can intercept the assignment.
  const intercepted = cache === undefined ? undefined : interceptedKeys(prototype, cache);
  const symbolsKept = kept.apart ? symbolStart(target, named, end) + kept.symbols : -1;
  for (let j = named + kept.prefix; j < end; j++) {
    if (kept.apart && j >= symbolsKept - kept.symbols && j < symbolsKept) continue;
    addProperty(obj, target, j, intercepted);
  }
  for (let j = start; j < named; j++) addProperty(obj, target, j, intercepted);
  if (isArray && (obj as unknown[]).length !== targetLength) {
    if (!Reflect.set(obj, "length", targetLength)) throw failedStep(obj, "set length");
  }
}

/** The prototype's own `constructor`, when it is a data property holding a function. */
export function constructorOf(proto: object): Function | undefined {
  const d = Reflect.getOwnPropertyDescriptor(proto, "constructor");
  return d && typeof d.value === "function" ? (d.value as Function) : undefined;
}

/** Step 4a: the kept prefix keeps its hidden class; only data values can differ. */
function reassignPrefix(
  obj: object,
  current: StateTable,
  curNamed: number,
  target: StateTable,
  named: number,
  prefix: number,
): void {
  const bag = obj as PropertyBag;
  const { keys, values } = target;
  for (let i = 0; i < prefix; i++) {
    const j = named + i;
    const attributes = target.attributes[j]!;
    if ((attributes & ACCESSOR) !== 0 || Object.is(values[j], current.values[curNamed + i])) {
      continue;
    }
    if ((attributes & WRITABLE) !== 0) {
      // A plain store on an own writable data property never reaches a setter and keeps the map.
      bag[keys[j]!] = values[j];
    } else if (!Reflect.defineProperty(obj, keys[j]!, { value: values[j] })) {
      throw failedStep(obj, "defineProperty", keys[j]);
    }
  }
}
