/**
 * A release that adds an ordinary base class (`class Store extends Base`,
 * Base plain JavaScript with no internal slots) was refused
 * MM_EXTERNAL_SUPERCLASS saying the objects "cannot gain … internal slots"
 * — Base has none (review advZ29). What is missing is a patch operation
 * that moves objects under a superclass outside the namespace; the message
 * now says so, and names what works: registering the new release's Base in
 * the namespace first, which the test follows.
 */
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Store = { items: number[]; events?: number[]; add(x: number): void };
type Release = { Base: new () => object; Store: new () => Store };
let worlds = 0;

const release = (next: boolean): Release =>
  new Function(`"use strict";
    class Base { constructor() { this.events = []; } emit(e) { this.events.push(e); } }
    class Store ${next ? "extends Base" : ""} {
      constructor() { ${next ? "super();" : ""} this.items = []; }
      add(x) { this.items.push(x); ${next ? "this.emit(x);" : ""} }
    }
    return { Base, Store };`)() as Release;

function refused(act: () => unknown): MetamorphError {
  try {
    act();
  } catch (e) {
    return e as MetamorphError;
  }
  throw new Error("not refused");
}

test.each(["eager", "lazy"] as const)(
  "an ordinary base class a release adds: the refusal says what is missing and what works (%s)",
  (policy: Policy) => {
    const [a, b] = [release(false), release(true)];
    const ns = new Namespace(`adopted${worlds++}`);
    const S = ns.registerClass(a.Store, { name: "Store" }) as unknown as new () => Store;
    const s = new S();
    s.add(1);
    const before = deepSnapshot({ ns, objects: [s] });
    const error = refused(() =>
      updateSync(ns, patch("B").replaceImplementation("Store", b.Store).build(), { policy }),
    );
    expect(error.code).toBe("MM_EXTERNAL_SUPERCLASS");
    expect(error.message).toMatch(
      /no patch operation moves existing objects onto, off or between superclasses outside the namespace/,
    );
    expect(error.message).toMatch(
      /register the new release's Base in the namespace before this update \(`namespace\.registerClass\(Base/,
    );
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: [s] }))).toBeUndefined();
    // The advice, followed.
    ns.registerClass(b.Base, { name: "Base" });
    updateSync(ns, patch("B").replaceImplementation("Store", b.Store).build(), { policy });
    s.add(2);
    expect(s).toBeInstanceOf(b.Base);
    expect([s.items, s.events]).toEqual([[1, 2], [2]]);
  },
);

test("a native superclass: no advice to register it", () => {
  class Plain {
    n = 0;
  }
  class Bag extends Map<string, number> {
    n = 0;
  }
  const ns = new Namespace(`adopted${worlds++}`);
  ns.registerClass(Plain, { name: "Bag" });
  const error = refused(() => updateSync(ns, patch("B").replaceImplementation("Bag", Bag).build()));
  expect(error.code).toBe("MM_EXTERNAL_SUPERCLASS");
  expect(error.message).toMatch(/to extending Map: .*internal slots/);
  expect(error.message).not.toMatch(/registerClass/);
});
