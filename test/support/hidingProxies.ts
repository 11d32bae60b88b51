/**
 * What the Proxy tests share (hidingProxies, recordedProxies,
 * nestedProxies): handlers hiding `_`-keys, what an object holds as the
 * Proxy cannot hide it, and the patch they update with.
 */
import { patch } from "../../src/index.js";

export type Hiding = "none" | "all" | "keys" | "get";
export type Policy = "eager" | "lazy" | "progressive";

export const hidden = (k: string | symbol) => typeof k === "string" && k.startsWith("_");

/** A handler hiding `_`-keys: from every trap, from the key traps only, from `get` only, or none. */
export function handlerOf(hiding: Hiding): ProxyHandler<object> {
  const keys = hiding === "all" || hiding === "keys";
  const get = hiding === "all" || hiding === "get";
  return {
    ...(keys && {
      ownKeys: (t: object) => Reflect.ownKeys(t).filter((k) => !hidden(k)),
      getOwnPropertyDescriptor: (t: object, k: string | symbol) =>
        hidden(k) ? undefined : Reflect.getOwnPropertyDescriptor(t, k),
      has: (t: object, k: string | symbol) => !hidden(k) && Reflect.has(t, k),
    }),
    ...(get && {
      get: (t: object, k: string | symbol, r: unknown) =>
        hidden(k) ? undefined : Reflect.get(t, k, r),
    }),
  };
}

/** Each object itself, as the Proxy cannot hide it: its prototype and every own descriptor. */
export const held = (targets: readonly object[]) =>
  targets.map((t) => ({
    prototype: Object.getPrototypeOf(t),
    properties: Reflect.ownKeys(t).map((k) => [k, Object.getOwnPropertyDescriptor(t, k)]),
  }));

export const amount = () =>
  patch("amount")
    .renameField("Account", "cents", "amount")
    .addField("Account", "tag", { default: "v2" })
    .replaceMethods("Account", {
      total(this: { amount: number }) {
        return this.amount * 10;
      },
    })
    .build();
