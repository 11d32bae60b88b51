/**
 * What the platform can tell of an object that is a Proxy, without running
 * its traps. A class whose constructor returns `new Proxy(this, handler)`
 * puts the proxy, not the object, in the program's hands and in the
 * registry's lists; the program may revoke it (`Proxy.revocable`), after
 * which every read of it throws, or its traps may hide what the object
 * holds (`ownKeys` leaving out `_`-keys).
 *
 * Only Node can tell (`util.types.isProxy`), loaded through
 * `process.getBuiltinModule` on first use: this layer also runs in
 * browsers (the Vite page engine), where no import of `node:util` may
 * appear and nothing tells a Proxy from its target (docs/design.md).
 */
import { isRevokedProxy } from "../valueKinds.js";

type IsProxy = (value: unknown) => boolean;
type Inspect = ((value: unknown, options: object) => string) & { readonly custom?: unknown };

interface NodeUtil {
  readonly isProxy: IsProxy;
  readonly inspect: Inspect | null;
}

let loaded: NodeUtil | null | undefined;

function load(): NodeUtil | null {
  const host = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  const getBuiltinModule = host?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") return null;
  try {
    const util = getBuiltinModule.call(host, "node:util") as
      | { types?: { isProxy?: unknown }; inspect?: unknown }
      | undefined;
    const isProxy = util?.types?.isProxy;
    if (typeof isProxy !== "function") return null;
    const inspect = typeof util?.inspect === "function" ? (util.inspect as Inspect) : null;
    return { isProxy: isProxy as IsProxy, inspect };
  } catch {
    return null;
  }
}

function nodeUtil(): NodeUtil | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** Whether `value` is a Proxy (always false where the platform cannot tell). */
export function isProxy(value: object): boolean {
  return nodeUtil()?.isProxy(value) === true;
}

/**
 * Whether the program ever handed a finder a Proxy itself
 * (`finder.record(proxy)`): a Proxy of an instance of any class may then
 * be among the objects an update finds, not only of a class whose
 * constructor returns one. Set for good (one flag, no list to keep).
 */
let recorded = false;

/** Notes an object the program records itself (registryFinder.ts `record`; not on construction). */
export function noteRecorded(object: object): void {
  if (!recorded && isProxy(object)) recorded = true;
}

/** Whether `noteRecorded` ever met a Proxy. */
export function proxiesRecorded(): boolean {
  return recorded;
}

/** Thrown by the inspection hook once it has the target: stops the inspection there. */
const FOUND = Symbol("found");

/**
 * Proxies around proxies this look follows down to the object (each level
 * of nesting is a level of the inspection's depth); deeper, it cannot be
 * seen, and the caller refuses it.
 */
const MAX_NESTING = 16;

/**
 * The object a Proxy `proxy` stands for — through every Proxy it wraps —
 * where Node can tell, running no trap: its `util.inspect` with
 * `showProxy` formats the targets of nested proxies as it finds them, the
 * innermost (the object) first, and reads the inspection hook on it; a
 * getter for that hook put for a moment on `prototype` (the object's
 * prototype) sees the object as its receiver and stops the inspection
 * before anything else (a handler, a field) is formatted. Without
 * `showProxy`, the inspection read the hook through a nested Proxy, whose
 * `get` trap ran (and its receiver was taken for the object). Undefined
 * where that cannot be done (no Node, a prototype that cannot take the
 * getter, an object whose own hook shadows it, a revoked Proxy on the way).
 */
export function proxyTarget(proxy: object, prototype: object): object | undefined {
  const inspect = nodeUtil()?.inspect;
  const key = inspect?.custom;
  if (inspect == null || (typeof key !== "symbol" && typeof key !== "string")) return undefined;
  if (Object.getOwnPropertyDescriptor(prototype, key) !== undefined) return undefined;
  // Its inspection would go on to format the handler (`Array.isArray` runs no trap).
  if (isRevokedProxy(proxy)) return undefined;
  let target: object | undefined;
  try {
    Object.defineProperty(prototype, key, {
      configurable: true,
      get(this: object) {
        target ??= this;
        throw FOUND;
      },
    });
  } catch {
    return undefined;
  }
  try {
    // Where the hook is not met (an object off `prototype`), no long output is built.
    const bounds = { maxArrayLength: 0, maxStringLength: 0 };
    inspect(proxy, { depth: MAX_NESTING, customInspect: true, showProxy: true, ...bounds });
  } catch (error) {
    if (error !== FOUND) target = undefined;
  } finally {
    Reflect.deleteProperty(prototype, key);
  }
  return target === undefined || target === proxy || isProxy(target) ? undefined : target;
}
