/**
 * A class metamorph builds initialises its objects through its superclass's
 * field initialiser. Given an ordinary class as new implementation, its
 * superclass had none: the update committed and every later `new` of the
 * subclass threw a TypeError. Refused now (MM_INVALID_PATCH), before
 * anything changes; giving the subclass a new implementation too works.
 */
import { expect, test } from "vitest";
import { InvalidPatchError, Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

function world() {
  const ns = new Namespace("created-subclasses");
  const A = ns.defineClass<{ a: number; f(): number }>({
    name: "A",
    fields: [{ name: "a", initializer: "1" }],
    methods: {
      f() {
        return 1;
      },
    },
  });
  const B = ns.defineClass<{ a: number; b: number; f(): number }>({
    name: "B",
    superclass: "A",
    fields: [{ name: "b", initializer: "2" }],
  });
  return { ns, A, B, objects: [new A(), new B()] };
}

class A2 {
  a = 5;
  f() {
    return 2;
  }
}

test("an ordinary class as new implementation of a created class a created class extends is refused before anything changes", () => {
  const { ns, B, objects } = world();
  const before = deepSnapshot({ ns, objects });
  let error: unknown;
  try {
    updateSync(ns, patch("ordinary").replaceImplementation("A", A2).build());
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidPatchError);
  expect(error).toMatchObject({
    code: "MM_INVALID_PATCH",
    details: { className: "B", superclass: "A" },
  });
  expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
  expect({ ...new B() }).toEqual({ a: 1, b: 2 });
});

test("with a new implementation of the subclass in the same patch, both are ordinary classes and build", () => {
  const { ns, A, B, objects } = world();
  class B2 extends (A as unknown as new () => { a: number }) {
    b = 3;
  }
  updateSync(
    ns,
    patch("both")
      .replaceImplementation("A", A2)
      .replaceImplementation("B", B2 as unknown as new () => object)
      .build(),
  );
  const b = new B();
  expect({ ...b }).toEqual({ a: 5, b: 3 });
  expect(b.f()).toBe(2);
  expect(objects[1]!.f()).toBe(2);
});
