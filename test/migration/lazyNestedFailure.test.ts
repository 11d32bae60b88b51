/**
 * A lazy update whose migration fails at a first touch is rolled back whole,
 * and the call that touched continues on the old version. That is sound when
 * the touching call is the outermost code of the update; it is not when a
 * method of the NEW version is already running further up the stack (it
 * migrated its own object, then touched another whose migration fails): the
 * new method carries on over objects put back on the old layout and returns
 * a wrong value, silently (found upgrading yjs 13.5 -> 13.6 with a failing
 * Item migrator: YText.toString() returned "hello" for "hello world").
 *
 * Known bug, open: the guard would have to know that a new-version method
 * is on the stack (and then throw instead of continuing) without costing
 * the guard's fast path (a branded object's call: ~2.5 ns). Tried: a depth
 * counter in every guard does not see it here — List.join is new code of a
 * class the update changes without migrating it, which has no guards at all.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

function lists() {
  class Item {
    constructor(
      public str: string,
      public next: Item | null = null,
    ) {}
    get len(): number {
      return this.str.length;
    }
  }
  class List {
    head: Item | null = null;
    join(): string {
      let s = "";
      for (let n = this.head; n; n = n.next) if (n.len > 0) s += n.str;
      return s;
    }
  }
  const v2 = new Function(`"use strict";
    class Item { constructor(value, next = null) { this.value = value; this.next = next; } get len() { return this.value.length; } }
    class List { constructor() { this.head = null; }
      join() { let s = ""; for (let n = this.head; n; n = n.next) if (n.len > 0) s += n.value; return s; } }
    return { Item, List };`)() as { Item: Function; List: Function };
  return { Item, List, v2 };
}

test.fails("a migration failing under a new-version method already running: the call throws, or answers as the old version would — never a mix", () => {
  const { Item, List, v2 } = lists();
  const ns = new Namespace("lazy-nested-failure");
  const I = ns.registerClass(Item);
  const L = ns.registerClass(List);
  const list = new L();
  for (const s of ["c", "b", "a"]) list.head = new I(s, list.head);
  expect(list.join()).toBe("abc");
  const result = updateSync(
    ns,
    patch("r2")
      .replaceImplementation("Item", v2.Item as new () => object, { renames: { value: "str" } })
      .replaceImplementation("List", v2.List as new () => object)
      .migrate("Item", (old) => {
        if (old.str === "b") throw new Error("cannot migrate b");
      })
      .build(),
    { policy: "lazy" },
  );
  let answer: unknown;
  try {
    answer = list.join();
  } catch (error) {
    answer = error;
  }
  expect(result.state()).toBe("rolled-back");
  // Today: "aundefinedundefined".
  expect(answer instanceof Error || answer === "abc").toBe(true);
});
