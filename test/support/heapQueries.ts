/**
 * Counts the heap queries (`Runtime.queryObjects` through node:inspector) a
 * test makes, by spying on the inspector session's `post`. Undo with
 * `vi.restoreAllMocks()`.
 */
import { createRequire } from "node:module";
import { vi } from "vitest";

type Post = (method: string, params: object, callback: (...args: unknown[]) => void) => void;

const { Session } = createRequire(import.meta.url)("node:inspector") as {
  Session: { prototype: { post: Post } };
};

/** Counts the heap queries made from now on. */
export function countQueries(): { readonly count: number } {
  const original = Session.prototype.post;
  const counter = { count: 0 };
  vi.spyOn(Session.prototype, "post").mockImplementation(function (this: unknown, method, ...rest) {
    if (method === "Runtime.queryObjects") counter.count++;
    return original.call(this, method, ...rest);
  });
  return counter;
}
