/**
 * A constructor that assigns through a setter of its class
 * (`this.concurrency = options.concurrency`, with `get/set concurrency`
 * storing into `_concurrency`, as p-queue does) creates no field of that
 * name: the setter runs. Read as a field, the class was registered, then
 * every later update of it was refused (`duplicate-field`: a field and an
 * accessor of the same name), a methods-only one included. Likewise a
 * subclass assigning a field its superclass creates (js-sdsl's
 * PriorityQueue): refused as declaring the field a second time.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";

function queueClass(tag: string) {
  return new Function(
    "tag",
    `"use strict";
    return class Queue {
      constructor(options = {}) { this._limit = 1; this.concurrency = options.concurrency ?? 1; this.size = 0; }
      get concurrency() { return this._limit; }
      set concurrency(n) { if (!(n >= 1)) throw new TypeError("bad limit"); this._limit = n; }
      describe() { return tag + " limit=" + this.concurrency + " size=" + this.size; }
    };`,
  )(tag) as new (options?: {
    concurrency?: number;
  }) => { size: number; describe(): string };
}

describe("a constructor assigning through a setter of its class", () => {
  test("the name is not read as a field; the fields around it are", () => {
    expect(readClassDefinition(queueClass("v1")).fields.map((f) => f.name)).toEqual([
      "_limit",
      "size",
    ]);
  });

  test("a setter the class inherits counts too; a field the class declares stays a field", () => {
    const Base = queueClass("base");
    const Sub = new Function(
      "Base",
      `"use strict"; return class Sub extends Base { constructor() { super(); this.concurrency = 2; this.extra = 1; } };`,
    )(Base) as Function;
    expect(readClassDefinition(Sub).fields.map((f) => f.name)).toEqual(["extra"]);
    const Declared = new Function(
      `"use strict"; return class Declared { concurrency = 1; get concurrency() { return 0; } set concurrency(v) {} };`,
    )() as Function;
    expect(readClassDefinition(Declared).fields.map((f) => f.name)).toEqual(["concurrency"]);
  });

  test("the class updates: a new implementation and a methods-only patch apply, state kept, rollback exact", () => {
    const ns = new Namespace("setters");
    const v1 = queueClass("v1");
    ns.registerClass(v1);
    const q = new v1({ concurrency: 3 });
    q.size = 5;
    const result = updateSync(
      ns,
      patch("v2").replaceImplementation("Queue", queueClass("v2")).build(),
    );
    expect(q.describe()).toBe("v2 limit=3 size=5");
    expect(Object.keys(q)).toEqual(["_limit", "size"]);
    const methods = updateSync(
      ns,
      patch("m")
        .replaceMethods("Queue", {
          describe(this: { size: number }) {
            return `m size=${this.size}`;
          },
        })
        .build(),
    );
    expect(q.describe()).toBe("m size=5");
    methods.rollback();
    result.rollback();
    expect(q.describe()).toBe("v1 limit=3 size=5");
  });
});

// The root may extend a native class (commander's and undici's errors extend
// Error and re-assign `name`): that class cannot be read, and the readable
// ones below it still count.
test.each(["", "extends Error", "extends Map"])(
  "a subclass assigning a field its superclass creates (after super()) does not declare it again (base %s)",
  (heritage) => {
    const release = (tag: string) => {
      const Base = new Function(
        `"use strict"; return class Base ${heritage} { constructor() { ${heritage ? "super();" : ""} this.i = 0; } size() { return this.i; } };`,
      )() as new () => { size(): number };
      const Queue = new Function(
        "Base",
        "tag",
        `"use strict"; return class PriorityQueue extends Base {
        constructor(items = []) { super(); this.C = [...items].sort((a, b) => a - b); this.i = this.C.length; }
        top() { return tag + ":" + this.C[0]; }
      };`,
      )(Base, tag) as new (
        items?: number[],
      ) => { size(): number; top(): string };
      return { Base, Queue };
    };
    const [a, b] = [release("A"), release("B")];
    expect(readClassDefinition(a.Queue).fields.map((f) => f.name)).toEqual(["C"]);
    const ns = new Namespace("inherited-assignments");
    ns.registerClass(a.Base);
    ns.registerClass(a.Queue);
    const q = new a.Queue([3, 1, 2]);
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Base", b.Base)
        .replaceImplementation("PriorityQueue", b.Queue)
        .build(),
    );
    expect([q.top(), q.size()]).toEqual(["B:1", 3]);
    result.rollback();
    expect([q.top(), q.size()]).toEqual(["A:1", 3]);
  },
);
