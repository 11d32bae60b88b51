/**
 * Whether an object a lazy guard meets is a Proxy. A transparent Proxy of
 * an instance cannot be unwrapped, so a guard whose receiver is one cannot
 * tell which object it stands for: migrating and marking the receiver
 * marked the proxy, left the object itself looking pending (its migrators
 * ran again at its next touch), and put the proxy in the update's logs,
 * where a rollback failed once the program revoked it. The guards
 * therefore never migrate a Proxy (lazyCompletion.ts `throughProxy`).
 * Where the platform tells (src/mop/proxyObjects.ts).
 */
export { isProxy } from "../mop/proxyObjects.js";
