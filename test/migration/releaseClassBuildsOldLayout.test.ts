/**
 * MM_CLASS_BUILDS_OLD_LAYOUT when a package's next release is handed in
 * (review advZ27 #2, kdbush 3 → 4): the class registered — the running
 * release's, which the program imported and the package's factories use —
 * still builds its own layout under the new release's methods. The update
 * must say so, naming the fields against what that class builds, and only
 * when the patch changes the layout.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

/** A release of a queue package: its class and the package's own factory. */
function release(field: string) {
  return new Function(`class Queue { constructor() { this.${field} = []; }
    push(x) { this.${field}.push(x); return this; }
    get size() { return this.${field}.length; } }
  return { Queue, createQueue: () => new Queue() };`)() as {
    Queue: new () => { push(x: unknown): unknown; size: number };
    createQueue: () => { push(x: unknown): unknown; size: number };
  };
}

const said = (r: { warnings: readonly { code: string; message: string }[] }) =>
  r.warnings.filter((w) => w.code === "MM_CLASS_BUILDS_OLD_LAYOUT");

test("a release handed in with another layout: the running release's class builds the old one, and the update says so", () => {
  const A = release("_items");
  const B = release("items");
  const ns = new Namespace("release-old-layout");
  const Q = ns.registerClass(A.Queue, { name: "Queue" });
  A.createQueue().push(1);
  const r = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Queue", B.Queue, { renames: { items: "_items" } })
      .build(),
  );
  const warned = said(r);
  expect(warned).toHaveLength(1);
  expect(warned[0]!.message).toContain("`_items`");
  expect(warned[0]!.message).toContain("`items`");
  // What it warns of, as it happens.
  const built = A.createQueue();
  expect(built).toBeInstanceOf(Q);
  expect(Object.keys(built)).toEqual(["_items"]);
  // A methods-only release after it does not say it again; one changing the layout does, against _items.
  const C = release("items");
  expect(said(updateSync(ns, patch("v3").replaceImplementation("Queue", C.Queue).build()))).toEqual(
    [],
  );
  const D = release("entries");
  const again = said(
    updateSync(
      ns,
      patch("v4")
        .replaceImplementation("Queue", D.Queue, { renames: { entries: "items" } })
        .build(),
    ),
  );
  expect(again).toHaveLength(1);
  expect(again[0]!.message).toContain("`_items`");
  expect(again[0]!.message).toContain("`entries`");
});

test("the same layout, or a class built only through its handle: nothing said", () => {
  const ns = new Namespace("release-same-layout");
  ns.registerClass(release("items").Queue, { name: "Queue" });
  const same = updateSync(
    ns,
    patch("v2").replaceImplementation("Queue", release("items").Queue).build(),
  );
  const ns2 = new Namespace("release-handle-only");
  ns2.registerClass(release("_items").Queue, { name: "Queue", constructedOnlyThroughHandle: true });
  const handled = updateSync(
    ns2,
    patch("v2")
      .replaceImplementation("Queue", release("items").Queue, { renames: { items: "_items" } })
      .build(),
  );
  expect([...said(same), ...said(handled)]).toEqual([]);
});

test("two derived patches: the second names every field the written class lacks, not only its own", () => {
  class Item {
    a = 1;
  }
  const ns = new Namespace("derived-twice");
  ns.registerClass(Item);
  const first = said(updateSync(ns, patch("b").addField("Item", "b", { default: 2 }).build()));
  expect(first).toHaveLength(1);
  const second = said(updateSync(ns, patch("c").addField("Item", "c", { default: 3 }).build()));
  expect(second).toHaveLength(1);
  expect(second[0]!.message).toContain("`b`");
  expect(second[0]!.message).toContain("`c`");
  expect(Object.keys(new Item())).toEqual(["a"]);
});
