/**
 * MM_OLD_RELEASE_VALUE, with no object at hand (a lazy or progressive
 * update), reads the running release's `this.field = Name` where Name is a
 * replaced class. A minifier names a class and its constructor's parameter
 * alike (tiny-lru 8 -> 11: `class t { constructor(t = 0) { this.max = t; } }`):
 * `max` holds the number, yet the update warned that it may hold the
 * running release's class (review advZ29). A name bound by the code that
 * assigns it is not the class.
 */
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";

let worlds = 0;

/** A minified release: the class and, by `body`, the constructor's names are `t`. */
const release = (params: string, body: string, extra: boolean): Function =>
  new Function(
    `"use strict"; class t { constructor(${params}) { ${body} this.size = 0; ${extra ? "this.extra = null;" : ""} } } return t;`,
  )() as Function;

function warned(params: string, body: string, policy: Policy): (string | undefined)[] {
  const ns = new Namespace(`shadowed${worlds++}`);
  const H = ns.registerClass(release(params, body, false) as never, {
    name: "LRU",
  }) as unknown as new (
    n: number,
  ) => object;
  new H(3);
  const p = patch("B").replaceImplementation("LRU", release(params, body, true) as never);
  return updateSync(ns, p.build(), { policy })
    .warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE")
    .map((w) => w.field);
}

const shadowing: readonly (readonly [string, string])[] = [
  ["t = 0", "this.max = t;"],
  ["t", "this.max = t;"],
  ["{ t } = {}", "this.max = t;"],
  ["...t", "this.max = t;"],
  ["n", "const t = n; this.max = t;"],
  ["n", "let t; t = n; this.max = t;"],
  ["n", "this.max = n; [1].forEach((t) => { this.last = t; });"],
  ["n", "this.max = n; try { throw n; } catch (t) { this.caught = t; }"],
];

test.each(["lazy", "progressive"] as const)(
  "a parameter or local named like the class is not the class (%s)",
  (policy) => {
    for (const [params, body] of shadowing)
      expect([params, body, warned(params, body, policy)]).toEqual([params, body, []]);
  },
);

test("the class itself, assigned by its name, is still named", () => {
  expect(warned("n", "this.max = n; this.kind = t;", "lazy")).toEqual(["kind"]);
  // A nested function's parameter shadows only inside it.
  expect(warned("n", "[1].forEach((t) => {}); this.kind = t;", "lazy")).toEqual(["kind"]);
});
