/**
 * Whether an object a lazy guard meets is a Proxy. A transparent Proxy of
 * an instance cannot be unwrapped, so a guard whose receiver is one cannot
 * tell which object it stands for: migrating and marking the receiver
 * marked the proxy, left the object itself looking pending (its migrators
 * ran again at its next touch), and put the proxy in the update's logs,
 * where a rollback failed once the program revoked it. The guards
 * therefore never migrate a Proxy (lazyCompletion.ts `throughProxy`).
 *
 * Only Node can tell (`util.types.isProxy`), loaded through
 * `process.getBuiltinModule` on first use: this layer also runs in
 * browsers (the Vite page engine), where no import of `node:util` may
 * appear and nothing tells a Proxy from its target (docs/design.md).
 */

type IsProxy = (value: unknown) => boolean;

let detector: IsProxy | null | undefined;

function load(): IsProxy | null {
  const host = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  const getBuiltinModule = host?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") return null;
  try {
    const util = getBuiltinModule.call(host, "node:util") as
      | { types?: { isProxy?: unknown } }
      | undefined;
    const isProxy = util?.types?.isProxy;
    return typeof isProxy === "function" ? (isProxy as IsProxy) : null;
  } catch {
    return null;
  }
}

/** Whether `value` is a Proxy (always false where the platform cannot tell). */
export function isProxy(value: object): boolean {
  if (detector === undefined) detector = load();
  return detector?.(value) === true;
}
