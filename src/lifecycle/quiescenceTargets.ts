/** Quiescence targets: the classes, or some of their instance methods, whose calls an update waits for or holds. */
import type { Constructor } from "../mop/createClass.js";

/** A class, or some of its instance methods. */
export type QuiescenceTarget =
  | Constructor
  | { readonly class: Constructor; readonly methods: readonly PropertyKey[] };

export function keyName(key: PropertyKey): string {
  return typeof key === "symbol" ? `[${key.description ?? ""}]` : String(key);
}

export function targetClass(target: QuiescenceTarget): Constructor {
  return typeof target === "function" ? target : target.class;
}

/** Whether `target` names `slot`'s method. */
export function targetCovers(
  target: QuiescenceTarget,
  handle: Constructor,
  key: PropertyKey,
): boolean {
  if (typeof target === "function") return target === handle;
  return target.class === handle && target.methods.includes(key);
}

export function describeTarget(target: QuiescenceTarget): string {
  if (typeof target === "function") return target.name;
  return target.methods.map((m) => `${target.class.name}.${keyName(m)}`).join(", ");
}
