/**
 * The page's immer (see ./vitePageStandIns.ts): the part of immer's API the
 * namespace uses — `new Immer({ autoFreeze })`, `produce`,
 * `produceWithPatches`, `enablePatches` — in about a tenth of its size, for
 * what namespace snapshots hold: plain objects and arrays (drafted copy on
 * write), and values immer never drafts (class instances, functions), kept
 * by identity (arrays written within their length or pushed to: a write
 * past the end that leaves holes is not held to immer's). Like immer: an untouched subtree is the base's own object,
 * the result is deeply frozen (plain data only), and the patches (immer's
 * format: `{ op, path, value }`) turn the base into the result and the
 * inverse patches back. test/dev/vitePageImmer.test.ts holds it to immer
 * itself over random recipes.
 */

export type PatchPath = (string | number)[];

export interface Patch {
  readonly op: "replace" | "remove" | "add";
  readonly path: PatchPath;
  readonly value?: unknown;
}

type Data = Record<PropertyKey, unknown>;

interface DraftState {
  readonly base: Data;
  copy: Data | undefined;
  modified: boolean;
  readonly parent: DraftState | undefined;
  /** Keys set (true) or deleted (false) by the recipe on this object. */
  readonly assigned: Map<PropertyKey, boolean>;
  /** The drafts made for this object's children, so that they are finalised once. */
  readonly children: Set<object>;
  revoke: () => void;
}

function draftable(value: unknown): value is Data {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Drafts by proxy: a revoked draft (finished) can still be recognised. */
const states = new WeakMap<object, DraftState>();

function stateOf(value: unknown): DraftState | undefined {
  return typeof value === "object" && value !== null ? states.get(value) : undefined;
}

const latest = (state: DraftState): Data => state.copy ?? state.base;

function ownCopy(state: DraftState): Data {
  if (state.copy) return state.copy;
  const { base } = state;
  state.copy = (
    Array.isArray(base)
      ? base.slice()
      : Object.assign(Object.create(Object.getPrototypeOf(base) as object | null), base)
  ) as Data;
  return state.copy;
}

function markModified(state: DraftState | undefined): void {
  for (let s = state; s && !s.modified; s = s.parent) s.modified = true;
}

function createDraft(base: Data, parent: DraftState | undefined): object {
  const state: DraftState = {
    base,
    copy: undefined,
    modified: false,
    parent,
    assigned: new Map(),
    children: new Set(),
    revoke: () => {},
  };
  const handler: ProxyHandler<Data> = {
    get(_target, key) {
      const source = latest(state);
      if (!Object.hasOwn(source, key)) return Reflect.get(source, key);
      const value = source[key];
      if (stateOf(value) || !draftable(value) || value !== state.base[key]) return value;
      const child = createDraft(value, state);
      ownCopy(state)[key] = child;
      state.children.add(child);
      return child;
    },
    set(_target, key, value) {
      const source = latest(state);
      const current = Object.hasOwn(source, key) ? source[key] : undefined;
      if (Object.is(value, current) && (value !== undefined || Object.hasOwn(source, key))) {
        return true;
      }
      // Its own draft's base put back: not a change (as immer sees it).
      const drafted = stateOf(current);
      if (drafted && drafted.base === value) {
        ownCopy(state)[key] = value;
        return true;
      }
      ownCopy(state)[key] = value;
      state.assigned.set(key, true);
      markModified(state);
      return true;
    },
    deleteProperty(target, key) {
      // immer sets an array's element to undefined instead.
      if (Array.isArray(base)) return (handler.set as Function)(target, key, undefined);
      if (Object.hasOwn(state.base, key) || Object.hasOwn(latest(state), key)) {
        delete ownCopy(state)[key];
        state.assigned.set(key, false);
        markModified(state);
      }
      return true;
    },
    has: (_target, key) => key in latest(state),
    ownKeys: () => Reflect.ownKeys(latest(state)),
    getOwnPropertyDescriptor(target, key) {
      const source = latest(state);
      const own = Reflect.getOwnPropertyDescriptor(source, key);
      if (!own) return undefined;
      // A proxy may only call a property non-configurable if its target has it so (an array's length).
      const fixed = Reflect.getOwnPropertyDescriptor(target, key);
      return {
        writable: true,
        configurable: fixed?.configurable ?? true,
        enumerable: own.enumerable ?? false,
        value: (handler.get as (t: Data, k: PropertyKey) => unknown)(target, key),
      };
    },
    getPrototypeOf: () => Object.getPrototypeOf(base) as object | null,
    defineProperty() {
      throw new TypeError("metamorph: the page's immer does not define properties on drafts");
    },
    setPrototypeOf() {
      throw new TypeError("metamorph: the page's immer does not change a draft's prototype");
    },
  };
  const { proxy, revoke } = Proxy.revocable((Array.isArray(base) ? [] : {}) as Data, handler);
  state.revoke = revoke;
  states.set(proxy, state);
  return proxy;
}

interface Finishing {
  readonly freeze: boolean;
  readonly patches: Patch[] | undefined;
  readonly inverse: Patch[] | undefined;
}

const pathKey = (base: Data, key: PropertyKey): string | number =>
  Array.isArray(base) && typeof key === "string" && /^\d+$/.test(key)
    ? Number(key)
    : (key as string);

/** New data (not a draft): its drafts replaced by their results, then frozen. */
function finishNew(value: unknown, how: Finishing, seen: Set<object>): unknown {
  const state = stateOf(value);
  if (state) return finishDraft(state, [], { ...how, patches: undefined, inverse: undefined });
  if (!draftable(value) || Object.isFrozen(value) || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    const v = value[key];
    const done = finishNew(v, how, seen);
    if (done !== v) value[key] = done;
  }
  if (how.freeze) Object.freeze(value);
  return value;
}

/** Deeply freezes plain data that is not frozen yet (immer's auto-freeze of an unchanged base). */
function freezeDeep(value: unknown): void {
  if (!draftable(value) || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) freezeDeep(value[key]);
}

function finishDraft(state: DraftState, path: PatchPath, how: Finishing): Data {
  state.revoke();
  if (!state.modified) {
    for (const child of state.children) stateOf(child)?.revoke();
    if (how.freeze) freezeDeep(state.base);
    return state.base;
  }
  const copy = state.copy!;
  for (const key of Reflect.ownKeys(copy)) {
    if (Array.isArray(copy) && key === "length") continue;
    const value = copy[key];
    const child = stateOf(value);
    const done =
      child && !state.assigned.has(key)
        ? finishDraft(child, [...path, pathKey(state.base, key)], how)
        : finishNew(value, how, new Set());
    if (done !== value) copy[key] = done;
  }
  if (how.patches && how.inverse) assignedPatches(state, path, how.patches, how.inverse);
  if (how.freeze) Object.freeze(copy);
  return copy;
}

/** The patches of the keys the recipe set or deleted on one object (its children's are their own). */
function assignedPatches(state: DraftState, path: PatchPath, patches: Patch[], inverse: Patch[]) {
  const { base, copy } = state as { base: Data; copy: Data };
  for (const [key, set] of state.assigned) {
    const at = [...path, pathKey(base, key)];
    const had = Object.hasOwn(base, key);
    if (!set) {
      if (!had) continue;
      patches.push({ op: "remove", path: at });
      inverse.push({ op: "add", path: at, value: base[key] });
    } else if (!had) {
      patches.push({ op: "add", path: at, value: copy[key] });
      inverse.push({ op: "remove", path: at });
    } else if (base[key] !== copy[key]) {
      patches.push({ op: "replace", path: at, value: copy[key] });
      inverse.push({ op: "replace", path: at, value: base[key] });
    }
  }
}

export class Immer {
  readonly #freeze: boolean;

  constructor(options: { readonly autoFreeze?: boolean } = {}) {
    this.#freeze = options.autoFreeze ?? true;
  }

  #run<T>(base: T, recipe: (draft: T) => unknown, patched: boolean): [T, Patch[], Patch[]] {
    if (!draftable(base)) {
      throw new TypeError("metamorph: the page's immer drafts only plain objects and arrays");
    }
    const draft = createDraft(base, undefined) as T;
    const returned = recipe(draft);
    if (returned !== undefined && returned !== draft) {
      throw new TypeError("metamorph: the page's immer takes recipes that modify their draft");
    }
    const patches: Patch[] = [];
    const inverse: Patch[] = [];
    const how = patched
      ? { freeze: this.#freeze, patches, inverse }
      : { freeze: this.#freeze, patches: undefined, inverse: undefined };
    const result = finishDraft(stateOf(draft)!, [], how) as T;
    return [result, patches, inverse.reverse()];
  }

  produce<T>(base: T, recipe: (draft: T) => unknown): T {
    return this.#run(base, recipe, false)[0];
  }

  produceWithPatches<T>(base: T, recipe: (draft: T) => unknown): [T, Patch[], Patch[]] {
    return this.#run(base, recipe, true);
  }
}

/**
 * immer needs it to record patches; here patches are always available.
 * @public (the namespace calls it; the page bundle resolves "immer" to this module)
 */
export function enablePatches(): void {}
