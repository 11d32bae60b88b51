/**
 * State a class keeps for its objects in a map outside them, reached other
 * than `name.get(this)` (review advZ29): through an alias of `this`
 * (`const self = this; lists.get(self)`), in a static of the class
 * (`Bag.store`, `this.constructor.store`), in a map a module object holds
 * (`internals.lists`). Unseen, a new implementation from another module
 * scope committed with no warning and every method on every existing
 * object threw. And `{ sameScope: true }`, trusted unchecked: two copies of
 * one module file have a map each, and the update committed just the same.
 * Each is refused (MM_PRIVATE_STATE) before anything changes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { readClassSource } from "../../src/mop/source/parse.js";

type Bag = { add(x: number): Bag; readonly size: number; readonly name: string };
type BagClass = new (name: string) => Bag;

/** One evaluation of a module whose class Bag keeps each object's list as `body` says. */
const release = (body: string): BagClass =>
  new Function(`"use strict"; const lists = new WeakMap();
    const internals = { lists: new WeakMap() };
    ${body}`)() as BagClass;

const SHAPES: Record<string, string> = {
  identifier: `return class Bag {
    constructor(n) { this.name = n; lists.set(this, []); }
    add(x) { lists.get(this).push(x); return this; }
    get size() { return lists.get(this).length; } };`,
  alias: `return class Bag {
    constructor(n) { const self = this; self.name = n; lists.set(self, []); }
    add(x) { const self = this; lists.get(self).push(x); return self; }
    get size() { const self = this; return lists.get(self).length; } };`,
  "alias seen by a nested function": `return class Bag {
    constructor(n) { this.name = n; const that = this; (function () { lists.set(that, []); })(); }
    add(x) { const self = this; const list = () => lists.get(self); list().push(x); return this; }
    get size() { const me = this; return (function () { return lists.get(me).length; })(); } };`,
  "static by the class's name": `return class Bag {
    static store = new WeakMap();
    constructor(n) { this.name = n; Bag.store.set(this, []); }
    add(x) { Bag.store.get(this).push(x); return this; }
    get size() { return Bag.store.get(this).length; } };`,
  "static through this.constructor": `return class Bag {
    static store = new WeakMap();
    constructor(n) { this.name = n; this.constructor.store.set(this, []); }
    add(x) { this.constructor.store.get(this).push(x); return this; }
    get size() { return this.constructor.store.get(this).length; } };`,
  "map of a module object": `return class Bag {
    constructor(n) { this.name = n; internals.lists.set(this, []); }
    add(x) { internals.lists.get(this).push(x); return this; }
    get size() { return internals.lists.get(this).length; } };`,
};

/** Registers a release's Bag and makes an object holding two entries. */
function running(body: string, policy: string) {
  const ns = new Namespace(`keyed-${policy}`, { instanceFinder: "heap" });
  const Bag = ns.registerClass(release(body), { name: "Bag" }) as BagClass;
  return { ns, Bag, bag: new Bag("b").add(1).add(2) };
}

function refusal(run: () => unknown): { code?: string; message: string; details?: unknown } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("the update was not refused");
}

describe("a map keyed by the object, reached other than `name.get(this)`", () => {
  for (const [shape, body] of Object.entries(SHAPES)) {
    for (const policy of ["eager", "lazy"] as const) {
      test(`${shape} (${policy}): refused from another module scope, naming the map, and nothing changes`, () => {
        const { ns, Bag, bag } = running(body, policy);
        const before = ns.classNamed("Bag");
        const error = refusal(() =>
          updateSync(ns, patch("next").replaceImplementation("Bag", release(body)).build(), {
            policy,
          }),
        );
        expect(error.code).toBe("MM_PRIVATE_STATE");
        const map = /store/.test(body)
          ? "store"
          : /internals/.test(body)
            ? "internals.lists"
            : "lists";
        expect(error.message).toContain(map);
        expect(error.message).toContain("Bag");
        expect(bag.size).toBe(2);
        expect(bag.add(3).size).toBe(3);
        expect(new Bag("c").add(1).size).toBe(1);
        expect(ns.classNamed("Bag")).toBe(before);
      });
    }
  }

  test("a static map the patch keeps (keepStatics) is the running one: the update applies and the objects keep their entries", () => {
    for (const shape of ["static by the class's name", "static through this.constructor"]) {
      const { ns, bag } = running(SHAPES[shape]!, "kept");
      const next = release(SHAPES[shape]!);
      const result = updateSync(
        ns,
        patch("next")
          .replaceImplementation("Bag", next, { keepStatics: ["store"] })
          .build(),
      );
      expect(result.outcome).toBe("committed");
      expect(bag.add(3).size).toBe(3);
    }
  });

  test("the refusal of a static map says to keep it, also under sameScope", () => {
    const body = SHAPES["static by the class's name"]!;
    const { ns, bag } = running(body, "static-same");
    const error = refusal(() =>
      updateSync(
        ns,
        patch("next").replaceImplementation("Bag", release(body), { sameScope: true }).build(),
      ),
    );
    expect(error.code).toBe("MM_PRIVATE_STATE");
    expect(error.message).toContain('keepStatics: ["store"]');
    expect(bag.size).toBe(2);
  });
});

describe("{ sameScope: true } is checked where the closures can be read", () => {
  /** Two evaluations of one module file: a map each. */
  const copies = (body: string) => [release(body), release(body)] as const;

  for (const shape of ["identifier", "alias", "map of a module object"]) {
    test(`${shape}: a copy of the module file with a map of its own is refused, naming the map, and nothing changes`, () => {
      const [v1, copy] = copies(SHAPES[shape]!);
      const ns = new Namespace("same-claimed", { instanceFinder: "heap" });
      const Bag = ns.registerClass(v1, { name: "Bag" }) as BagClass;
      const bag = new Bag("b").add(1).add(2);
      const error = refusal(() =>
        updateSync(
          ns,
          patch("next").replaceImplementation("Bag", copy, { sameScope: true }).build(),
        ),
      );
      expect(error.code).toBe("MM_PRIVATE_STATE");
      expect(error.message).toContain("sameScope");
      expect(error.details).toMatchObject({
        className: "Bag",
        maps: [shape === "map of a module object" ? "internals.lists" : "lists"],
        sameScope: true,
      });
      expect(bag.add(3).size).toBe(3);
    });
  }

  test("the map really shared by both classes: the update applies and the objects keep their entries", () => {
    const factory = new Function(`"use strict"; const lists = new WeakMap();
      const internals = { lists: new WeakMap() };
      return (tag) => class Bag {
        constructor(n) { const self = this; self.name = n; lists.set(self, []); internals.lists.set(self, tag); }
        add(x) { const self = this; lists.get(self).push(x); return self; }
        get size() { return lists.get(this).length; }
        get tag() { return tag + ":" + internals.lists.get(this); } };`)() as (
      tag: string,
    ) => new (
      n: string,
    ) => Bag & { tag: string };
    const ns = new Namespace("same-real", { instanceFinder: "heap" });
    const Bag = ns.registerClass(factory("v1"), { name: "Bag" });
    const bag = new Bag("b");
    bag.add(1);
    const result = updateSync(
      ns,
      patch("reload").replaceImplementation("Bag", factory("v2"), { sameScope: true }).build(),
    );
    expect(result.outcome).toBe("committed");
    bag.add(2);
    expect(bag.size).toBe(2);
    expect(bag.tag).toBe("v2:v1");
  });
});

describe("calls that are not a map keyed by the object", () => {
  const SOURCES: Record<string, string> = {
    "a field of the object as the key": `const byId = new Map(); return class Bag {
      constructor(n) { this.name = n; this.id = n; byId.set(this.id, n); }
      add(x) { byId.get(this.id); return this; } get size() { return byId.has(this.id) ? 1 : 0; } };`,
    "the object as a value": `return class Bag {
      constructor(n) { this.name = n; this.cache = new Map(); this.cache.set(n, this); }
      add(x) { const self = this; this.cache.set(x, self); return this; } get size() { return this.cache.size; } };`,
    "a map the object holds": `return class Bag {
      constructor(n) { this.name = n; this.seen = new WeakMap(); this.seen.set(this, 1); }
      add(x) { const self = this; self.seen.set(self, x); return this; } get size() { return 1; } };`,
    "a nested function's own name like the alias": `const marks = new WeakMap(); return class Bag {
      constructor(n) { this.name = n; }
      add(x) { const self = this; [{ x }].forEach(function (self) { marks.set(self, 1); }); return self; }
      get size() { return 1; } };`,
  };
  for (const [what, body] of Object.entries(SOURCES)) {
    test(`${what}: not kept outside, and the update applies`, () => {
      expect(readClassSource(release(body)).stateOutside).toEqual([]);
      const ns = new Namespace("not-keyed");
      const Bag = ns.registerClass(release(body), { name: "Bag" }) as BagClass;
      const bag = new Bag("b");
      const result = updateSync(
        ns,
        patch("next").replaceImplementation("Bag", release(body)).build(),
      );
      expect(result.outcome).toBe("committed");
      expect(bag.name).toBe("b");
    });
  }
});

test("property: every way to reach the map, with every map method, in every kind of member, is refused naming the map", () => {
  const reach = {
    identifier: { map: "lists", text: (key: string) => `lists.METHOD(${key}` },
    alias: { map: "lists", text: (key: string) => `lists.METHOD(${key}` },
    static: { map: "Bag.store", text: (key: string) => `Bag.store.METHOD(${key}` },
    "module object": {
      map: "internals.lists",
      text: (key: string) => `internals.lists.METHOD(${key}`,
    },
  } as const;
  const args = { get: "", set: ", []", has: "" } as const;
  fc.assert(
    fc.property(
      fc.constantFrom(...(Object.keys(reach) as (keyof typeof reach)[])),
      fc.constantFrom(...(Object.keys(args) as (keyof typeof args)[])),
      fc.constantFrom("constructor", "method", "getter"),
      (how, method, place) => {
        const key = how === "alias" ? "self" : "this";
        const call = `${reach[how].text(key).replace("METHOD", method)}${args[method]})`;
        const code = `${how === "alias" ? "const self = this; " : ""}void ${call};`;
        const members = {
          constructor: `constructor(n) { this.name = n; ${place === "constructor" ? code : ""} }`,
          method: `add(x) { ${place === "method" ? code : ""} return this; }`,
          getter: `get size() { ${place === "getter" ? code : ""} return 0; }`,
        };
        const body = `return class Bag { static store = new WeakMap();
          ${members.constructor} ${members.method} ${members.getter} };`;
        expect(readClassSource(release(body)).stateOutside).toHaveLength(1);
        const ns = new Namespace("keyed-property");
        const Bag = ns.registerClass(release(body), { name: "Bag" }) as BagClass;
        const bag = new Bag("b");
        const error = refusal(() =>
          updateSync(ns, patch("next").replaceImplementation("Bag", release(body)).build()),
        );
        expect(error.code).toBe("MM_PRIVATE_STATE");
        expect(error.message).toContain(reach[how].map);
        expect(bag.name).toBe("b");
      },
    ),
    { seed: 2029, numRuns: 60 },
  );
});
