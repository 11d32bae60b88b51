/**
 * A release turns an accessor computed from state into a field its methods
 * keep up to date (`get length()` over the items becomes `this.length = 0`,
 * `push` adds one). With the field's initialiser the objects alive now got
 * `length = 0` whatever they held — silently, the next push gave 1 where a
 * fresh queue of the same pushes says 4. Whether the initial value is right
 * only the patch's author knows (the catalogue's `max = -1`, unlimited,
 * means it), so the update now warns, naming the accessor, unless a
 * migrator sets it; a lazy update's refusal says "accessor", not "method".
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Queue = { items: string[]; length: number; push(x: string): void };
type QueueClass = new () => Queue;

function releases() {
  const v1 = new Function(`"use strict";
    return class Queue {
      constructor() { this.items = []; }
      push(x) { this.items.push(x); }
      get length() { return this.items.length; }
    };`)() as QueueClass;
  const v2 = new Function(`"use strict";
    return class Queue {
      constructor() { this.items = []; this.length = 0; }
      push(x) { this.items.push(x); this.length++; }
    };`)() as QueueClass;
  return { v1, v2 };
}

function world(name: string) {
  const { v1, v2 } = releases();
  const ns = new Namespace(name);
  const Queue = ns.registerClass(v1) as unknown as QueueClass;
  const q = new Queue();
  for (const x of "abc") q.push(x);
  return { ns, q, v2 };
}

describe("an accessor turned into a field", () => {
  test("eager, no migrator: the update warns, naming the accessor and what the objects got", () => {
    const { ns, q, v2 } = world("accessor-field-warned");
    const result = updateSync(ns, patch("v2").replaceImplementation("Queue", v2).build());
    const warned = result.warnings.filter((w) => w.field === "length");
    expect(warned.map((w) => [w.code, w.className])).toEqual([["MM_NO_INITIAL_VALUE", "Queue"]]);
    expect(warned[0]!.message).toMatch(
      /accessor `length` of the running version is a field of the new one; the objects alive now got its initial value/,
    );
    // What it warns of: the starting value, whatever the queue held.
    expect(q.length).toBe(0);
  });

  test("eager, with a migrator that sets it: the objects answer as fresh ones of the same pushes", () => {
    const { ns, q, v2 } = world("accessor-field-migrated");
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Queue", v2)
        .migrate("Queue", (old, target) => {
          target.length = (old.items as string[]).length;
        })
        .build(),
    );
    expect(result.instancesMigrated).toBe(1);
    expect(result.warnings.filter((w) => w.field === "length")).toEqual([]);
    q.push("d");
    const fresh = new v2();
    for (const x of "abcd") fresh.push(x);
    expect([q.length, Object.keys(q)]).toEqual([fresh.length, ["items", "length"]]);
    result.rollback();
    expect([q.length, Object.keys(q)]).toEqual([4, ["items"]]);
  });

  test.each(["lazy", "progressive"] as const)("%s: refused, saying accessor", (policy) => {
    const { ns, q, v2 } = world(`accessor-field-${policy}`);
    expect(() =>
      updateSync(ns, patch("v2").replaceImplementation("Queue", v2).policy(policy).build()),
    ).toThrow(/makes its accessor length own field: a lazy or progressive update/);
    expect(q.length).toBe(3);
  });
});

test("an accessor replaced by a field renamed from an old one carries that value: no warning", () => {
  const ns = new Namespace("accessor-field-renamed");
  const Q = ns.defineClass<{ n: number; size: number; push(): void }>({
    name: "Q",
    fields: [{ name: "n", initializer: "0" }],
    methods: {
      get size() {
        return (this as unknown as { n: number }).n;
      },
      push(this: { n: number }) {
        this.n++;
      },
    },
  });
  const q = new Q();
  q.push();
  q.push();
  const result = updateSync(
    ns,
    patch("p")
      .removeMethod("Q", "size")
      .renameField("Q", "n", "size")
      .replaceMethods("Q", {
        push(this: { size: number }) {
          this.size++;
        },
      })
      .build(),
  );
  expect(result.warnings.filter((w) => w.field === "size")).toEqual([]);
  expect(q.size).toBe(2);
});
