/**
 * A class `metamorph dev` evaluates in its module's scope reads the
 * module's bindings through a parameter (`new V()` runs as
 * `new __metamorph$scope.V()`): compared with the running version, loaded
 * by Node, its field initialisers must be read as written. The first update
 * of a class under `metamorph dev` warned MM_FIELD_KIND_CHANGED for
 * `pos = new V()` ("starts as a __metamorph$scope.V … as a V").
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

class V {
  x = 0;
}
class W {
  y = 0;
}

// The running version closes over V as a module's class does.
const running = () =>
  new Function("V", `"use strict"; return class A { pos = new V(); m() { return 1; } };`)(
    V,
  ) as new () => { pos: unknown; m(): number };

const evaluated = (made: string) =>
  new Function(
    "__metamorph$scope",
    `"use strict"; return class A { pos = new __metamorph$scope.${made}(); m() { return 2; } };`,
  )({ V, W }) as new () => { pos: unknown; m(): number };

test.each([
  ["the same class through the scope parameter: no warning", "V", []],
  ["another class: still named", "W", [["MM_FIELD_KIND_CHANGED", "pos"]]],
] as const)("%s", (_, made, expected) => {
  const ns = new Namespace(`scope-parameter-${made}`);
  const A = ns.registerClass(running());
  const a = new A();
  const result = updateSync(ns, patch("edit").replaceImplementation("A", evaluated(made)).build());
  const kinds = result.warnings.filter((w) => w.code === "MM_FIELD_KIND_CHANGED");
  expect(kinds.map((w) => [w.code, w.field])).toEqual(expected);
  for (const w of kinds) expect(w.message).not.toContain("__metamorph$scope");
  expect(a.m()).toBe(2);
  expect(a.pos).toBeInstanceOf(V);
});
