/**
 * Both releases' constructors run `Object.defineProperty(this,
 * Symbol.for("…"), { value })` (yaml's Schema and nodes): every live object
 * already has the property the new constructor defines. Read as "creates
 * properties that cannot be named statically", it was said MM_UNSEEN_STATE
 * (twice: "keep what the running release made", "never get what it makes")
 * and made the migration keep old fields the new layout drops.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

/** Version 1 has a field `old` that version 2 drops (the objects migrate), unless `same`. */
const release = (v: number, defines: string, same = false) =>
  new Function(
    `return class Node { constructor() { this.a = 1; ${v === 1 || same ? "this.old = 2;" : ""} ${defines} } v() { return ${v}; } };`,
  )() as new () => { v(): number };

const X = 'Object.defineProperty(this, Symbol.for("metamorph.test.x"), { value: "n" });';

let made = 0;
function update(before: string, after: string, same = false) {
  const ns = new Namespace(`defined-symbols-${made++}`);
  const C = ns.registerClass(release(1, before, same), { name: "Node" });
  const node = new C();
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Node", release(2, after, same))
      .build(),
  );
  return { node, unseen: result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE") };
}

test("the same symbol defined by both releases: no MM_UNSEEN_STATE, and the field the new release drops is deleted", () => {
  const { node, unseen } = update(X, X);
  expect(unseen).toEqual([]);
  expect(node.v()).toBe(2);
  expect(Reflect.ownKeys(node)).toEqual(["a", Symbol.for("metamorph.test.x")]);
  // Fields unchanged (the objects stay as they are): said by another check, silent too.
  const same = update(X, X, true);
  expect(same.unseen).toEqual([]);
  expect(update("", X, true).unseen).toHaveLength(1);
});

test("a symbol only the new release defines, or defines with another kind of descriptor: said, naming it", () => {
  const onlyNew = update("", X).unseen;
  expect(onlyNew.map((w) => w.message)).toEqual([
    expect.stringContaining(
      'symbol-keyed field `Symbol.for("metamorph.test.x")` (a data property, not writable, not enumerable, not configurable) defined in the new release\'s constructor',
    ),
  ]);
  expect(onlyNew[0]!.message).toContain("the objects alive now never get it");
  const enumerable = X.replace('{ value: "n" }', '{ value: "n", enumerable: true }');
  const changed = update(X, enumerable).unseen;
  expect(changed).toHaveLength(2);
  const onlyOld = update(X, "").unseen;
  expect(onlyOld.map((w) => w.message)).toEqual([
    expect.stringContaining("the new release does not define it so"),
  ]);
});

test("a computed key the source cannot resolve is still said as unseen state", () => {
  const computed = 'Object.defineProperty(this, KEY, { value: "n" });'.replace(
    "KEY",
    'Symbol.for("metamorph.test.y".slice(0))',
  );
  const { unseen } = update(computed, computed);
  expect(unseen.length).toBeGreaterThan(0);
});
