/**
 * A release that turns a field into an accessor (three 0.160 keeps
 * BufferAttribute's `updateRange` in `_updateRange` behind a getter), and
 * an own property that cannot be configured (three's Object3D
 * `normalMatrix`, Material `id`). Restoring the old field by assignment ran
 * the new version's accessor: a rollback threw a bare TypeError half done
 * (the object left with its old fields gone and the old class no longer
 * constructible), or, with a setter, wrote through it; the undo of a failed
 * commit threw the same way out of updateSync. And a property that cannot
 * be deleted made the commit fail every time, with advice to retry.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Attr = Record<string, unknown>;

function attrClasses(withSetter: boolean) {
  const A = new Function(
    `"use strict"; return class Attr { constructor(a) { this.array = a; this.updateRange = { offset: 0, count: -1 }; this.version = 0; } };`,
  )() as new (
    a: number[],
  ) => Attr;
  const B = new Function(
    `"use strict"; return class Attr {
      constructor(a) { this.array = a; this._updateRange = { offset: 0, count: -1 }; this.version = 0; }
      get updateRange() { return this._updateRange; }
      ${withSetter ? "set updateRange(v) { this._updateRange = v; }" : ""}
    };`,
  )() as new (
    a: number[],
  ) => Attr;
  return { A, B };
}

describe("rolling back onto a field the new version made an accessor", () => {
  test.each([false, true])(
    "the old field comes back as an own field (setter: %s)",
    (withSetter) => {
      const { A, B } = attrClasses(withSetter);
      const ns = new Namespace("accessor-rollback");
      ns.registerClass(A);
      const a = new A([1, 2, 3]);
      const range = a.updateRange;
      // With a setter the new release keeps what is written to it: its value
      // is carried by a migrator (without one the update is refused,
      // fieldsBecomingAccessors.test.ts).
      let p = patch("up").replaceImplementation("Attr", B);
      if (withSetter)
        p = p.migrate("Attr", (old, target) => {
          target._updateRange = old.updateRange;
        });
      const result = updateSync(ns, p.build());
      expect(Object.keys(a)).toEqual(["array", "_updateRange", "version"]);
      result.rollback();
      expect(Object.entries(a)).toEqual([
        ["array", [1, 2, 3]],
        ["updateRange", range],
        ["version", 0],
      ]);
      expect(Object.keys(new A([4]))).toEqual(["array", "updateRange", "version"]);
    },
  );

  test.each([0, 1])(
    "a commit failing at step %i undoes the rewritten objects exactly, with a coded error",
    (step) => {
      const { A, B } = attrClasses(false);
      const ns = new Namespace("accessor-commit-undo");
      ns.registerClass(A);
      const objects = [new A([1]), new A([2])];
      const before = objects.map((o) => Object.entries(o));
      let error: unknown;
      try {
        updateSync(ns, patch("up").replaceImplementation("Attr", B).build(), {
          onCommitStep: (at) => {
            if (at === step) throw new Error("injected commit failure");
          },
        });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: "MM_COMMIT_FAILED" });
      expect(objects.map((o) => Object.entries(o))).toEqual(before);
      for (const o of objects) expect(o).not.toBeInstanceOf(B);
    },
  );
});

test("an own property that cannot be configured, which the new layout would move, is refused before anything changes", () => {
  const NodeA = new Function(
    `"use strict"; return class Node { constructor() { this.id = 1; Object.defineProperty(this, "normalMatrix", { value: [1, 0, 0, 1] }); this.needsUpdate = false; this.autoUpdate = true; } describe() { return "A"; } };`,
  )() as new () => Attr & { describe(): string };
  // A field inserted in front of it: the property would have to move.
  const NodeB = new Function(
    `"use strict"; return class Node { constructor() { this.id = 1; this.uuid = "u"; Object.defineProperty(this, "normalMatrix", { value: [1, 0, 0, 1] }); this.autoUpdate = true; this.needsUpdate = false; } describe() { return "B"; } };`,
  )() as new () => Attr & { describe(): string };
  const ns = new Namespace("fixed-property");
  ns.registerClass(NodeA);
  const node = new NodeA();
  expect(() => updateSync(ns, patch("up").replaceImplementation("Node", NodeB).build())).toThrow(
    expect.objectContaining({
      code: "MM_UNSWAPPABLE_OBJECT",
      message: expect.stringContaining('"normalMatrix" is not configurable'),
    }),
  );
  // A release's constructor defines it: the advice a package's user can follow (review advX3).
  expect(() => updateSync(ns, patch("up").replaceImplementation("Node", NodeB).build())).toThrow(
    /restart, or leave the class unregistered/,
  );
  expect(Reflect.ownKeys(node)).toEqual(["id", "normalMatrix", "needsUpdate", "autoUpdate"]);
  expect(node.describe()).toBe("A");
});

test("an own property that cannot be configured stays where it is when only the fields after it change: the update keeps it as it is", () => {
  const NodeA = new Function(
    `"use strict"; return class Node { constructor() { this.id = 1; Object.defineProperty(this, "normalMatrix", { value: [1, 0, 0, 1] }); this.needsUpdate = false; this.autoUpdate = true; } describe() { return "A"; } };`,
  )() as new () => Attr & { describe(): string };
  const NodeB = new Function(
    `"use strict"; return class Node { constructor() { this.id = 1; Object.defineProperty(this, "normalMatrix", { value: [1, 0, 0, 1] }); this.autoUpdate = true; this.needsUpdate = false; } describe() { return "B"; } };`,
  )() as new () => Attr & { describe(): string };
  const ns = new Namespace("fixed-property-kept");
  ns.registerClass(NodeA);
  const node = new NodeA();
  const matrix = Object.getOwnPropertyDescriptor(node, "normalMatrix");
  const result = updateSync(ns, patch("up").replaceImplementation("Node", NodeB).build());
  expect(node.describe()).toBe("B");
  expect(Reflect.ownKeys(node)).toEqual(["id", "normalMatrix", "autoUpdate", "needsUpdate"]);
  expect(Object.getOwnPropertyDescriptor(node, "normalMatrix")).toEqual(matrix);
  result.rollback();
  expect(Reflect.ownKeys(node)).toEqual(["id", "normalMatrix", "needsUpdate", "autoUpdate"]);
  expect(Object.getOwnPropertyDescriptor(node, "normalMatrix")).toEqual(matrix);
});
