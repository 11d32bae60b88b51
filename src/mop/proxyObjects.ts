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

type IsProxy = (value: unknown) => boolean;

interface NodeUtil {
  readonly isProxy: IsProxy;
}

let loaded: NodeUtil | null | undefined;

function load(): NodeUtil | null {
  const host = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  const getBuiltinModule = host?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") return null;
  try {
    const util = getBuiltinModule.call(host, "node:util") as
      | { types?: { isProxy?: unknown } }
      | undefined;
    const isProxy = util?.types?.isProxy;
    if (typeof isProxy !== "function") return null;
    return { isProxy: isProxy as IsProxy };
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
 * Whether `value` is a revoked Proxy: a dead object, every read of which
 * throws, which nothing can migrate, restore or hand back to the program.
 * `Array.isArray` is the probe: on a live Proxy it asks the target and runs
 * no trap; on a revoked one (or one whose target is) it throws.
 */
export function isRevokedProxy(value: object): boolean {
  if (!isProxy(value)) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}
