/**
 * MM_OLD_RELEASE_VALUE by class identity: two releases of one package name
 * their classes alike, so a held object of the running release's class
 * passed for the new release's of the same name.
 *
 * @datastructures-js/binary-search-tree 5.0.1 -> 5.4.0 with only
 * BinarySearchTree and AvlTree replaced committed with no such warning;
 * `_root` kept 5.0.1's AvlTreeNode (assigned through a local, `this._root =
 * newNode`), and every insert threw `setParent expects an AvlTreeNode`
 * (5.4.0's `instanceof` against its own). semver 7.5.4 -> 7.6.3 with only
 * Range replaced: `set` holds arrays of arrays of 7.5.4's Comparator, and
 * `test` threw "Invalid version".
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE");

type Tree = { insert(value: number): Tree; count(): number };
type Release = { AvlTree: new () => Tree; AvlTreeNode: Function };

/**
 * One release of a tree package in @datastructures-js's pattern: nodes of
 * the module's own AvlTreeNode, which checks its parent with `instanceof`;
 * `shared` a node class both releases take from one dependency. `depth`
 * arrays around the root (the field holds `[[node]]` at 2).
 */
function release(shared: Function | undefined, depth = 0): Release {
  return new Function(
    "shared",
    `"use strict";
    const AvlTreeNode = shared ?? class AvlTreeNode {
      constructor(value) { this._value = value; this._parent = null; }
      setParent(parent) {
        if (parent && !(parent instanceof AvlTreeNode)) throw new Error("setParent expects an AvlTreeNode");
        this._parent = parent;
        return this;
      }
    };
    class AvlTree {
      constructor() { this._root = null; this._count = 0; }
      insert(value) {
        const newNode = new AvlTreeNode(value);
        if (this._root === null) this._root = ${"[".repeat(depth)}newNode${"]".repeat(depth)};
        else newNode.setParent(this._root${"[0]".repeat(depth)});
        this._count += 1;
        return this;
      }
      count() { return this._count; }
    }
    return { AvlTree, AvlTreeNode };`,
  )(shared) as Release;
}

/** A node class of a dependency both releases use (one copy installed). */
const dependency = () => release(undefined).AvlTreeNode;

function upgrade(
  a: Release,
  b: Release,
  policy: "eager" | "lazy" | "progressive",
  withNodes = false,
) {
  const ns = new Namespace(`old-node-${policy}`);
  const Tree = ns.registerClass(a.AvlTree, { name: "AvlTree" });
  if (withNodes) ns.registerClass(a.AvlTreeNode as new () => object, { name: "AvlTreeNode" });
  const tree = new Tree().insert(1).insert(2);
  let next = patch("5.4.0");
  if (withNodes)
    next = next.replaceImplementation("AvlTreeNode", b.AvlTreeNode as new () => object);
  const result = updateSync(ns, next.replaceImplementation("AvlTree", b.AvlTree).build(), {
    policy,
  });
  return { tree, warnings: said(result.warnings) };
}

describe.each(["eager", "lazy", "progressive"] as const)("a same-named class (%s)", (policy) => {
  test("`_root` holds the running release's AvlTreeNode, which the new one's `instanceof` refuses: named", () => {
    const { tree, warnings } = upgrade(release(undefined), release(undefined), policy);
    expect(warnings.map((w) => [w.className, w.field])).toEqual([["AvlTree", "_root"]]);
    expect(warnings[0]!.note).toBe(
      "field `_root` holds objects of class AvlTreeNode of the running release, which this update does not replace; the new release's code has a class AvlTreeNode of its own, not this one, and expects that class's objects there (an `instanceof AvlTreeNode` in it fails on these)",
    );
    expect(warnings[0]!.message).toContain("register AvlTreeNode and replace it in the same patch");
    // What it warns of.
    expect(() => tree.insert(3)).toThrow("setParent expects an AvlTreeNode");
  });

  test("with AvlTreeNode registered and replaced in the same patch, nothing is said and inserts work", () => {
    const { tree, warnings } = upgrade(release(undefined), release(undefined), policy, true);
    expect(warnings).toEqual([]);
    expect(tree.insert(3).count()).toBe(3);
  });
});

/**
 * Over whether the two releases share the node class (one installed copy
 * of a dependency) and how deep in arrays the field holds it: said exactly
 * where the classes differ, naming the field and the class; where they are
 * one, the new code works on the objects.
 */
test("said exactly where the held object's class is not the new release's of its name", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (shared, depth, policy) => {
        const node = shared ? dependency() : undefined;
        const { tree, warnings } = upgrade(release(node, depth), release(node, depth), policy);
        expect(warnings.map((w) => [w.field, /class (\w+)/.exec(w.note)?.[1]])).toEqual(
          shared ? [] : [["_root", "AvlTreeNode"]],
        );
        if (!shared)
          expect(warnings[0]!.note).toContain(depth > 0 ? "holds arrays of" : "holds objects of");
        if (shared) expect(tree.insert(3).count()).toBe(3);
        else expect(() => tree.insert(3)).toThrow("setParent expects an AvlTreeNode");
      },
    ),
    { seed: 50140, numRuns: 16 },
  );
});

type Range = { test(version: string): boolean };

/**
 * One release of a version-range package in semver's pattern: a Range's
 * `set` is arrays (one per `||` alternative) of arrays of Comparator; each
 * release's Comparator accepts only its own release's Version objects.
 */
function semver(): new (raw: string) => Range {
  return new Function(
    `"use strict";
    class Version {
      constructor(v) { [this.major, this.minor] = v.split(".").map(Number); }
    }
    class Comparator {
      constructor(c) { this.operator = c.startsWith(">=") ? ">=" : "<"; this.version = new Version(c.replace(/^[<>=]+/, "")); }
      test(version) {
        if (!(version instanceof Version)) throw new TypeError("Invalid version");
        const d = version.major - this.version.major || version.minor - this.version.minor;
        return this.operator === ">=" ? d >= 0 : d < 0;
      }
    }
    class Range {
      constructor(raw) {
        this.raw = raw;
        this.set = raw.split("||").map((r) => r.trim().split(" ").map((c) => new Comparator(c)));
      }
      test(v) {
        const version = new Version(v);
        return this.set.some((comparators) => comparators.every((c) => c.test(version)));
      }
    }
    return Range;`,
  )();
}

test("semver's pattern: `set` holds arrays of arrays of the running release's Comparator: named", () => {
  const ns = new Namespace("old-comparator");
  const R = ns.registerClass(semver(), { name: "Range" });
  const range = new R(">=1.2 <2.0");
  expect(range.test("1.5")).toBe(true);
  const result = updateSync(ns, patch("7.6.3").replaceImplementation("Range", semver()).build());
  expect(said(result.warnings).map((w) => [w.field, w.note.split(";")[0]])).toEqual([
    [
      "set",
      "field `set` holds arrays of objects of class Comparator of the running release, which this update does not replace",
    ],
  ]);
  // What it warns of.
  expect(() => range.test("1.5")).toThrow("Invalid version");
});
