/**
 * A release that turns composition into inheritance (@datastructures-js/heap
 * 4.1 → 4.3: `MinHeap` held a `Heap` in `_heap`, then `MinHeap extends
 * Heap`): every MinHeap gains the fields of its new superclass, which no
 * old MinHeap had, and loses `_heap` with its elements. Looking at
 * MinHeap's own fields only (none added), the update committed with no
 * warning and emptied every heap (inheritedLayout.ts).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { InvalidPatchError } from "../../src/errors.js";
import { besidesOldLayout } from "../support/releaseWarnings.js";

interface HeapRelease {
  readonly Heap: new (compare?: (a: number, b: number) => number) => object;
  readonly MinHeap: new () => { insert(v: number): unknown; size(): number };
}

const release = (heap: string, minHeap: string): HeapRelease =>
  new Function(
    `"use strict";
    const defaultCmp = (a, b) => a - b;
    class Heap {
      constructor(compare) { ${heap} }
      insert(v) { this._nodes.push(v); this._nodes.sort(this._compare); return this; }
      size() { return this._nodes.length; }
    }
    ${minHeap}
    return { Heap, MinHeap };`,
  )() as HeapRelease;

const composed = (heap = "this._compare = compare; this._nodes = [];") =>
  release(
    heap,
    `class MinHeap {
      constructor() { this._heap = new Heap((a, b) => a - b); }
      insert(v) { this._heap.insert(v); return this; }
      size() { return this._heap.size(); }
    }`,
  );
const inherited = (heap = "this._compare = compare; this._nodes = [];") =>
  release(heap, "class MinHeap extends Heap { constructor() { super((a, b) => a - b); } }");

function running(old: HeapRelease) {
  const ns = new Namespace("heaps");
  ns.registerClass(old.Heap);
  ns.registerClass(old.MinHeap);
  const heap = new old.MinHeap();
  for (const v of [5, 3, 8]) heap.insert(v);
  return { ns, heap };
}

test("the new superclass's fields and the dropped own field are said: MM_FIELDS_DROPPED and MM_NO_INITIAL_VALUE on MinHeap", () => {
  const { ns, heap } = running(composed());
  const next = inherited();
  const result = updateSync(
    ns,
    patch("4.3")
      .replaceImplementation("Heap", next.Heap)
      .replaceImplementation("MinHeap", next.MinHeap)
      .build(),
  );
  const said = besidesOldLayout(result.warnings).map((w) => [w.code, w.className, w.field ?? null]);
  expect(said).toEqual([
    ["MM_FIELDS_DROPPED", "MinHeap", null],
    // `_nodes` has its initial value (`[]`): every heap is empty, as the first warning says.
    ["MM_NO_INITIAL_VALUE", "MinHeap", "_compare"],
  ]);
  expect(result.warnings[0]!.message).toContain(
    "drops `_heap` and adds `_compare`, `_nodes` (from its new superclass Heap)",
  );
  expect(heap.size()).toBe(0);
  result.rollback();
  expect(heap.size()).toBe(3);
});

test("a migrator of the superclass alone does not speak for MinHeap's objects; MinHeap's own migrator, carrying the heap, settles it", () => {
  const next = inherited();
  const upgrade = (withOwn: boolean) => {
    const { ns, heap } = running(composed());
    let p = patch("4.3")
      .replaceImplementation("Heap", next.Heap)
      .replaceImplementation("MinHeap", next.MinHeap)
      .migrate("Heap", (_old, target) => {
        (target as Record<string, unknown>)._nodes ??= [];
      });
    if (withOwn)
      p = p.migrate("MinHeap", (old, target) => {
        const inner = old._heap as { _compare: unknown; _nodes: number[] };
        Object.assign(target, { _compare: inner._compare, _nodes: [...inner._nodes] });
      });
    const result = updateSync(ns, p.build());
    return { codes: besidesOldLayout(result.warnings).map((w) => w.code), size: heap.size() };
  };
  expect(upgrade(false)).toEqual({ codes: ["MM_FIELDS_DROPPED", "MM_NO_INITIAL_VALUE"], size: 0 });
  expect(upgrade(true)).toEqual({ codes: [], size: 3 });
});

test("a field of the new superclass that reads its module is refused before anything changes, naming both classes; MinHeap's migrator lets it through", () => {
  const heapSource = "this._compare = compare || defaultCmp; this._nodes = [];";
  const next = inherited(heapSource);
  const { ns, heap } = running(composed(heapSource));
  const before = Object.keys(heap);
  const upgrade = () =>
    patch("4.3")
      .replaceImplementation("Heap", next.Heap)
      .replaceImplementation("MinHeap", next.MinHeap);
  let refused: unknown;
  try {
    updateSync(ns, upgrade().build());
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(InvalidPatchError);
  expect((refused as InvalidPatchError).code).toBe("MM_INVALID_PATCH");
  expect((refused as Error).message).toMatch(
    /^MinHeap now extends Heap, whose new implementation gives field "_compare" an initial value that reads its own module's scope; the running MinHeap objects never had that field/,
  );
  expect([Object.keys(heap), heap.size()]).toEqual([before, 3]);
  const result = updateSync(
    ns,
    upgrade()
      .migrate("MinHeap", (old, target) => {
        const inner = old._heap as { _compare: unknown; _nodes: number[] };
        Object.assign(target, { _compare: inner._compare, _nodes: [...inner._nodes] });
      })
      .build(),
  );
  expect([Object.keys(heap), heap.size(), besidesOldLayout(result.warnings)]).toEqual([
    ["_compare", "_nodes"],
    3,
    [],
  ]);
  heap.insert(1);
  expect(heap.size()).toBe(4);
});

test("a release making a subclass standalone, declaring its old superclass's fields itself, keeps their values and warns of nothing", () => {
  const rel = (src: string) =>
    new Function(`"use strict"; ${src} return { B, C };`)() as {
      B: new (n: number) => object;
      C: new (n: number) => { items: number[]; size(): number };
    };
  const v1 =
    rel(`class B { constructor(n) { this.items = [n]; this.count = n; } size() { return this.items.length; } }
    class C extends B { constructor(n) { super(n); this.label = "c" + n; } }`);
  const v2 =
    rel(`class B { constructor(n) { this.items = [n]; this.count = n; } size() { return this.items.length; } }
    class C { constructor(n) { this.items = [n]; this.count = n; this.label = "c" + n; } size() { return this.items.length; } }`);
  const ns = new Namespace("flattened");
  ns.registerClass(v1.B);
  ns.registerClass(v1.C);
  const c = new v1.C(5);
  c.items.push(6, 7);
  const result = updateSync(
    ns,
    patch("flatten").replaceImplementation("B", v2.B).replaceImplementation("C", v2.C).build(),
  );
  expect(besidesOldLayout(result.warnings)).toEqual([]);
  expect([{ ...c }, c.size()]).toEqual([{ items: [5, 6, 7], count: 5, label: "c5" }, 3]);
});

test("a migrator of a class whose chain changed speaks for its subclasses gaining the same fields", () => {
  const rel = (src: string) =>
    new Function(`"use strict"; ${src} return { A, M, C };`)() as Record<
      "A" | "M" | "C",
      new (
        n: number,
        k?: number,
      ) => object
    >;
  const v1 =
    rel(`class A { constructor(n) { this.n = n; } } class M { constructor(k) { this.k = k; } }
    class C extends A { constructor(n) { super(n); this.c = 1; } }`);
  const v2 =
    rel(`class A { constructor(n) { this.n = n; } } class M extends A { constructor(n, k) { super(n); this.k = k; } }
    class C extends M { constructor(n) { super(n, n * 2); this.c = 1; } }`);
  const ns = new Namespace("inserted");
  for (const k of ["A", "M", "C"] as const) ns.registerClass(v1[k]);
  class Sub extends v1.C {
    s = "s";
  }
  ns.registerClass(Sub);
  const objects = [new v1.C(3), new Sub(4)];
  const result = updateSync(
    ns,
    patch("insert M")
      .replaceImplementation("A", v2.A)
      .replaceImplementation("M", v2.M)
      .replaceImplementation("C", v2.C)
      .migrate("C", (old, target) => {
        (target as { k: number }).k = (old.n as number) * 2;
      })
      .build(),
  );
  expect(result.warnings.filter((w) => w.className !== "M")).toEqual([]);
  expect(objects.map((o) => (o as { k: number }).k)).toEqual([6, 8]);
});
