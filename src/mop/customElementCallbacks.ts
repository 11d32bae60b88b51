/**
 * Custom elements whose class is a class handle (`class XEl extends
 * HTMLElement`, given to `customElements.define`). By the HTML spec, define
 * copies the lifecycle callbacks off the class's prototype, and the
 * constructor's `observedAttributes`, `disabledFeatures` and
 * `formAssociated`, once: the registry kept calling the first version's
 * callbacks on old and new elements after every edit, a callback the edit
 * added never ran, one it removed went on running, and the update line said
 * they were updated (review advZ16 1).
 *
 * While define runs on a handle, the handle's `prototype` is a view of the
 * stable prototype whose callbacks are forwarders: each calls what the
 * stable prototype holds when it is called — the running version's, or
 * nothing when it has none, as if the definition had none. What define reads
 * from the constructor is recorded, so that an edit that changes it can be
 * refused (`fixedAtDefinition`); attributes an edit stops observing are no
 * longer reported to attributeChangedCallback.
 */
import { type HandleState, handleStates } from "./handleState.js";
import { isHtmlElement } from "./htmlElements.js";

/** What `customElements.define` reads off the prototype (HTML, "element definition"). */
const CALLBACKS = [
  "connectedCallback",
  "disconnectedCallback",
  "adoptedCallback",
  "attributeChangedCallback",
  "connectedMoveCallback",
  "formAssociatedCallback",
  "formResetCallback",
  "formDisabledCallback",
  "formStateRestoreCallback",
] as const;

/** What define read once off a handle (its constructor), as it read it. */
interface Defined {
  readonly tag: string;
  readonly observedAttributes: ReadonlySet<string>;
  readonly formAssociated: boolean;
  readonly disabledFeatures: ReadonlySet<string>;
  /** The attributes the running version observes, read once per version (`seen`). */
  observing: ReadonlySet<string>;
  seen: Function;
}

const definitions = new WeakMap<Function, Defined>();
const WRAPPED = Symbol.for("metamorph.customElementDefine");

type Define = (this: unknown, name: string, ctor: Function, options?: unknown) => void;

/**
 * Makes `registry`'s define (the page's CustomElementRegistry's, by
 * default) give class handles forwarders for their callbacks. Once per
 * registry prototype: before the first handle of an HTML element is made,
 * so before the program can define one.
 */
export function forwardLifecycleCallbacks(
  registry: { define: Define } | undefined = (
    globalThis as unknown as { CustomElementRegistry?: { prototype: { define: Define } } }
  ).CustomElementRegistry?.prototype,
): void {
  if (registry === undefined || typeof registry.define !== "function") return;
  if ((registry.define as unknown as Record<symbol, unknown>)[WRAPPED] === true) return;
  const native = registry.define;
  const define: Define = function define(this: unknown, name, ctor, options) {
    const state = typeof ctor === "function" ? handleStates.get(ctor) : undefined;
    if (state === undefined || state.handle !== ctor || !isHtmlElement(state.prototype)) {
      Reflect.apply(native, this, [name, ctor, options]);
      return;
    }
    defineHandle(state, () => Reflect.apply(native, this, [name, ctor, options]));
    definitions.set(ctor, readDefinition(name, state));
  };
  Object.defineProperty(define, WRAPPED, { value: true });
  const descriptor = Reflect.getOwnPropertyDescriptor(registry, "define");
  Object.defineProperty(registry, "define", {
    writable: true,
    configurable: true,
    ...descriptor,
    value: define,
  });
}

/**
 * Runs the native define with the handle's `prototype` a view of the stable
 * prototype that answers the callbacks with forwarders. Put back at the
 * first callback read: define has read `prototype` by then, and the
 * elements it upgrades before it returns (parsed `<x-el>`) are built on the
 * handle's `prototype`, which must be the stable one.
 */
function defineHandle(state: HandleState, native: () => unknown): void {
  const handle = state.handle as { prototype: object };
  const stable = state.prototype;
  const restore = () => {
    handle.prototype = stable;
  };
  const view: PropertyDescriptorMap = {};
  for (const key of CALLBACKS) {
    const forward = forwarder(state, key);
    view[key] = {
      get() {
        restore();
        return forward;
      },
    };
  }
  handle.prototype = Object.create(stable, view) as object;
  try {
    native();
  } finally {
    restore();
  }
}

/** The function the registry keeps for `key`: the stable prototype's at each call. */
function forwarder(state: HandleState, key: (typeof CALLBACKS)[number]): Function {
  const home = state.prototype;
  if (key === "attributeChangedCallback") {
    return function attributeChangedCallback(this: unknown, ...args: unknown[]) {
      const defined = definitions.get(state.handle);
      if (defined !== undefined && !observing(state, defined).has(String(args[0]))) return;
      return callOf(home, key, this, args);
    };
  }
  if (key === "connectedMoveCallback") {
    // A definition without it has a move run disconnectedCallback then
    // connectedCallback (HTML, "enqueue a custom element callback reaction").
    return function connectedMoveCallback(this: unknown, ...args: unknown[]) {
      if (typeof Reflect.get(home, key) === "function") return callOf(home, key, this, args);
      callOf(home, "disconnectedCallback", this, []);
      callOf(home, "connectedCallback", this, []);
      return undefined;
    };
  }
  return {
    [key](this: unknown, ...args: unknown[]) {
      return callOf(home, key, this, args);
    },
  }[key]!;
}

function callOf(home: object, key: string, receiver: unknown, args: unknown[]): unknown {
  const callback = Reflect.get(home, key);
  return typeof callback === "function" ? Reflect.apply(callback, receiver, args) : undefined;
}

/**
 * The attributes the running version observes: the registry reports those
 * it read at define time, and an edit may have dropped some (one that adds
 * some is refused, see fixedAtDefinition).
 */
function observing(state: HandleState, defined: Defined): ReadonlySet<string> {
  if (defined.seen !== state.current) {
    defined.seen = state.current;
    try {
      defined.observing = names(Reflect.get(state.handle, "observedAttributes"));
    } catch {
      // Unreadable: what define read.
      defined.observing = defined.observedAttributes;
    }
  }
  return defined.observing;
}

function readDefinition(tag: string, state: HandleState): Defined {
  const { handle } = state;
  const observedAttributes = names(Reflect.get(handle, "observedAttributes"));
  return {
    tag,
    observedAttributes,
    formAssociated: Boolean(Reflect.get(handle, "formAssociated")),
    disabledFeatures: names(Reflect.get(handle, "disabledFeatures")),
    observing: observedAttributes,
    seen: state.current,
  };
}

/** A `sequence<DOMString>` as define converts it (undefined: none). */
function names(value: unknown): ReadonlySet<string> {
  if (value === undefined || value === null) return new Set();
  return new Set(Array.from(value as Iterable<unknown>, String));
}

/** One thing an edit changes that the registry read once. */
export interface FixedChange {
  readonly member: "observedAttributes" | "formAssociated" | "disabledFeatures";
  /** What changed, for people: `adds "b"`, `false → true`. */
  readonly change: string;
}

/**
 * What `next`, a new implementation of the class handle `handle`, changes
 * of what `customElements.define` read once (its element name, and the
 * changes), or undefined when nothing: it is no custom element, or it
 * changes none of it. Attributes it stops observing are not a change the
 * registry keeps (they are no longer reported).
 */
export function fixedAtDefinition(
  handle: Function,
  next: Function,
): { readonly tag: string; readonly changes: readonly FixedChange[] } | undefined {
  const defined = definitions.get(handle);
  if (defined === undefined) return undefined;
  const changes: FixedChange[] = [];
  const read = (key: string): unknown => {
    try {
      return Reflect.get(next, key);
    } catch (error) {
      return error;
    }
  };
  const observed = [...safeNames(read("observedAttributes"))];
  const added = observed.filter((a) => !defined.observedAttributes.has(a));
  if (added.length > 0)
    changes.push({ member: "observedAttributes", change: `adds ${quoted(added)}` });
  const formAssociated = Boolean(read("formAssociated"));
  if (formAssociated !== defined.formAssociated)
    changes.push({
      member: "formAssociated",
      change: `${defined.formAssociated} → ${formAssociated}`,
    });
  const disabled = safeNames(read("disabledFeatures"));
  if (!sameSet(disabled, defined.disabledFeatures))
    changes.push({
      member: "disabledFeatures",
      change: `${quoted([...defined.disabledFeatures])} → ${quoted([...disabled])}`,
    });
  return changes.length === 0 ? undefined : { tag: defined.tag, changes };
}

function safeNames(value: unknown): ReadonlySet<string> {
  try {
    return names(value);
  } catch {
    return new Set([String(value)]);
  }
}

const quoted = (list: readonly string[]): string =>
  list.length === 0 ? "none" : list.map((a) => `"${a}"`).join(", ");

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
