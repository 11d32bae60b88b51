/**
 * A release upgrade of a class whose fields stay (nothing migrates) but whose
 * running constructor makes properties the source reader cannot name:
 * consola 3.0 → 3.2 makes one log function per type in a loop
 * (`this[type] = this._wrap(type)`). The objects keep 3.0's closures and have
 * no `box()`; the update said nothing. It now warns MM_UNSEEN_STATE.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

function releases() {
  const make = (types: string, tag: string) =>
    new Function(`"use strict";
      const TYPES = ${types};
      class Consola {
        constructor() { this.out = []; for (const t of TYPES) this[t] = this._wrap(t); }
        _wrap(t) { return (m) => this.out.push("${tag} " + t + ": " + m); }
      }
      return Consola;`)() as new () => { out: string[] } & Record<string, (m: string) => void>;
  return { v1: make(`["info", "warn"]`, "v1"), v2: make(`["info", "warn", "box"]`, "v2") };
}

test("a release whose constructor makes unnamed properties warns that they stay the old release's", () => {
  const { v1, v2 } = releases();
  const ns = new Namespace("unseen-own-state", { instanceFinder: "registry" });
  const C = ns.registerClass(v1);
  const c = new C();
  const result = updateSync(ns, patch("v2").replaceImplementation("Consola", v2).build());
  const warned = result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE");
  expect(warned).toHaveLength(1);
  expect(warned[0]!.className).toBe("Consola");
  expect(warned[0]!.message).toMatch(
    /this\[t\] = this\._wrap\(t\).*keep running that release's code/,
  );
  // What the warning says: the old closure, and no box().
  c.info!("hi");
  expect(c.out).toEqual(["v1 info: hi"]);
  expect(c.box).toBeUndefined();
});

test("the same class evaluated again in its own module scope (sameScope) does not warn", () => {
  const { v1 } = releases();
  const ns = new Namespace("unseen-own-state-same", { instanceFinder: "registry" });
  ns.registerClass(v1);
  const again = releases().v1;
  const result = updateSync(
    ns,
    patch("again").replaceImplementation("Consola", again, { sameScope: true }).build(),
  );
  expect(result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE")).toEqual([]);
});

/**
 * i18next's constructor binds every method onto the instance through a
 * helper (`bindMembers(this)`): after an upgrade `i18n.t()` still ran the
 * old release's `t`, silently. The update now says so.
 */
test("a release whose constructor hands `this` to other code warns that what it set stays the old release's", () => {
  const make = (tag: string) =>
    new Function(`"use strict";
      function bindMembers(inst) {
        for (const m of Object.getOwnPropertyNames(Object.getPrototypeOf(inst)))
          if (m !== "constructor" && typeof inst[m] === "function") inst[m] = inst[m].bind(inst);
      }
      const registry = new Set();
      var __defProp = Object.defineProperty;
      var __publicField = (obj, key, value) => __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value });
      class I18n { constructor() { this.lng = "en"; __publicField(this, "ns", "app"); bindMembers(this); this.init(this); registry.add(this); } init() {} t(k) { return "${tag}:" + k; } }
      return I18n;`)() as new () => { t(k: string): string };
  const ns = new Namespace("handed-off", { instanceFinder: "registry" });
  const I = ns.registerClass(make("v1"));
  const i = new I();
  const result = updateSync(ns, patch("v2").replaceImplementation("I18n", make("v2")).build());
  const warned = result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE");
  // One warning, for the helper: `this.init(this)` is the class's own code, `registry.add(this)` a
  // registration, `__publicField(this, …)` a compiled field (tinybench: 17 false warnings, Z7).
  expect(warned.map((w) => w.note)).toEqual([
    "the constructor hands the object to other code: `bindMembers(this);`",
  ]);
  expect(warned[0]!.message).toMatch(/keep running that release's code/);
  expect(i.t("hi")).toBe("v1:hi");
});

/**
 * @js-temporal's classes have no field: the constructor hands `this` to a
 * helper that keeps every value in a WeakMap of its module, and every method
 * reads it back the same way. A release from another module has a table of
 * its own: each live object failed its first call ("invalid receiver") after
 * an update whose warning said the objects kept what they had. Where
 * everything says so the update is now refused (tableState.test.ts); a
 * class that may also set a property out of the reader's sight is not
 * known to keep nothing on its objects, and keeps the warning.
 */
test("a class with no field whose constructor hands `this` to other code: the warning says its state is likely outside the objects, out of the new release's reach", () => {
  const make = () =>
    new Function(`"use strict";
      const SLOTS = new WeakMap();
      function createSlots(o, y) { SLOTS.set(o, { y }); }
      function getSlot(o) { const s = SLOTS.get(o); if (!s) throw new TypeError("invalid receiver"); return s.y; }
      class PlainDate { constructor(y) { createSlots(this, y); if (y > 9999) this.far = true; } year() { return getSlot(this); } }
      return PlainDate;`)() as new (
      y: number,
    ) => { year(): number };
  const ns = new Namespace("slots-outside", { instanceFinder: "registry" });
  const D = ns.registerClass(make());
  const date = new D(2024);
  const result = updateSync(ns, patch("next").replaceImplementation("PlainDate", make()).build());
  const warned = result.warnings.filter(
    (w) => w.code === "MM_UNSEEN_STATE" && w.field === undefined,
  );
  expect(warned.map((w) => w.note)).toEqual([
    "the constructor hands the object to other code: `createSlots(this, y);`",
  ]);
  expect(warned[0]!.message).toMatch(
    /PlainDate objects have no fields of their own, so their state is likely kept by that code outside them .* may fail at their first call/,
  );
  expect(() => date.year()).toThrow("invalid receiver");
  result.rollback();
  expect(date.year()).toBe(2024);
});

test("a warning's message quotes long code on one line, cut; its note keeps it whole", () => {
  const long = Array.from({ length: 30 }, (_, i) => `k${i}: o.k${i}`).join(",\n        ");
  const make = (tag: string) =>
    new Function(`"use strict";
      return class Metric {
        constructor(o) {
          Object.assign(this, {
        ${long},
          });
        }
        get() { return "${tag}"; }
      };`)() as new (
      o: object,
    ) => object;
  const ns = new Namespace("long-notes", { instanceFinder: "registry" });
  ns.registerClass(make("v1"));
  const result = updateSync(ns, patch("v2").replaceImplementation("Metric", make("v2")).build());
  const warned = result.warnings.find((w) => w.code === "MM_UNSEEN_STATE")!;
  expect(warned.note).toContain("k29: o.k29");
  expect(warned.message).not.toContain("\n");
  expect(warned.message).toMatch(/Object\.assign\(this, \{ k0: o\.k0, k1: o\.k1.{60,100}…`/);
  expect(warned.message.length).toBeLessThan(warned.note.length + 400);
});

/**
 * pg-pool 3.10's constructor adds `this.options.min = this.options.min || 0`
 * to a field both releases have; its new `_isAboveMin()` compares against
 * it. Upgraded pools kept `options` without `min`, and idle clients were
 * never reaped, silently.
 */
test("a release whose constructor writes a new default inside a kept field warns, naming it", () => {
  const make = (tag: string, extra: string) =>
    new Function(`"use strict";
      return class Pool {
        constructor(options = {}) { this.options = Object.assign({}, options); ${extra} this.clients = []; }
        aboveMin() { return this.clients.length > this.options.min; }
        tag() { return "${tag}"; }
      };`)() as new (
      o?: object,
    ) => { aboveMin(): boolean };
  const ns = new Namespace("nested-defaults", { instanceFinder: "registry" });
  const P = ns.registerClass(make("v1", "this.options.max = this.options.max || 10;"));
  const pool = new P();
  const v2 = make(
    "v2",
    "this.options.max = this.options.max || 10; this.options.min = this.options.min || 0;",
  );
  const result = updateSync(ns, patch("v2").replaceImplementation("Pool", v2).build());
  const warned = result.warnings.filter((w) => w.code === "MM_NO_INITIAL_VALUE");
  expect(warned.map((w) => [w.field, w.note])).toEqual([
    [
      "options",
      "the new constructor sets `options.min` inside field `options`, which the running release's did not",
    ],
  ]);
  // What it warns of: the old pool compares against undefined.
  expect(pool.aboveMin()).toBe(false);
  expect(new P().aboveMin()).toBe(false);
  // A migrator settles it: no warning.
  const ns2 = new Namespace("nested-defaults-migrated", { instanceFinder: "registry" });
  ns2.registerClass(make("v1", "this.options.max = this.options.max || 10;"));
  const migrated = updateSync(
    ns2,
    patch("v2")
      .replaceImplementation("Pool", v2)
      .migrate("Pool", (_old, target) => {
        (target.options as { min?: number }).min ??= 0;
      })
      .build(),
  );
  expect(migrated.warnings.filter((w) => w.code === "MM_NO_INITIAL_VALUE")).toEqual([]);
});

test("a method or accessor under a computed key (xstate's `[symbolObservable]()`) is updated on the prototype and is no unseen state: no MM_UNSEEN_STATE", () => {
  const observable = Symbol.for("test.observable");
  const key = "compute" + "d";
  const release = (tag: string, y: string) =>
    new Function(
      "observable",
      "key",
      `"use strict";
      return class Actor {
        constructor() { this.x = 1; ${y} }
        [observable]() { return "${tag}"; }
        get [key]() { return "${tag} getter"; }
      };`,
    )(observable, key) as new () => Record<string | symbol, unknown>;
  const ns = new Namespace("computed-key-method");
  const A = ns.registerClass(release("v1", ""));
  const a = new A();
  const result = updateSync(
    ns,
    patch("v2").replaceImplementation("Actor", release("v2", "this.y = 2;")).build(),
  );
  expect(result.warnings.map((w) => w.code)).not.toContain("MM_UNSEEN_STATE");
  expect((a[observable] as () => string)()).toBe("v2");
  expect(a[key]).toBe("v2 getter");
  expect(Object.keys(a)).toEqual(["x", "y"]);
});

test("MM_UNSEEN_STATE once a field, and not for a superclass's learned field a subclass's method assigns (binary-search-tree's AvlTree writing `_root`)", () => {
  const release = (extra: string) =>
    new Function(`"use strict";
      class Base { constructor() { this.root = null; this.size = 0; ${extra} } }
      class Sub extends Base {
        constructor(data) { super(); if (data) { this.data = data; } }
        put(v) { this.root = v; this.size++; this.data.push(v); return this; }
        clear() { this.root = null; this.size = 0; this.data = []; }
      }
      return { Base, Sub };`)() as {
      Base: new () => object;
      Sub: new (data?: unknown[]) => { put(v: unknown): unknown; size: number };
    };
  const old = release("");
  const next = release("this.depth = 0;");
  const ns = new Namespace("inherited-learned", { instanceFinder: "registry" });
  ns.registerClass(old.Base);
  ns.registerClass(old.Sub);
  const sub = new old.Sub([]);
  sub.put(1);
  const result = updateSync(
    ns,
    patch("next")
      .replaceImplementation("Base", next.Base)
      .replaceImplementation("Sub", next.Sub)
      .build(),
  );
  const unseen = result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE");
  // `data`: set only conditionally by Sub's constructor, then by put() and clear(): one warning.
  expect(unseen.map((w) => [w.className, w.field])).toEqual([["Sub", "data"]]);
  expect(sub.put(2)).toBe(sub);
  expect(sub.size).toBe(2);
});

test("properties under computed keys are said unless the class's own migrator addresses them (kafkajs's Lock, undici's FormData)", () => {
  const release = (tag: string) =>
    new Function(`"use strict";
      class Lock { constructor(o) { this.n = 0; Object.assign(this, o); } tag() { return "${tag}"; } }
      return Lock;`)() as new (
      o: object,
    ) => { tag(): string };
  const run = (migrated: boolean) => {
    const ns = new Namespace("computed-keys", { instanceFinder: "registry" });
    ns.registerClass(release("v1"));
    let p = patch("v2").replaceImplementation("Lock", release("v2"));
    if (migrated) p = p.migrate("Lock", () => {});
    return updateSync(ns, p.build())
      .warnings.filter((w) => w.code !== "MM_UNSEEN_INSTANCES")
      .map((w) => [w.code, w.note]);
  };
  expect(run(false)).toEqual([
    [
      "MM_UNSEEN_STATE",
      "the constructor creates properties that cannot be named statically: `Object.assign(this, o)`",
    ],
  ]);
  expect(run(true)).toEqual([]);
});

/**
 * commander 13 adds `getOutHasColors` to the object literal its constructor
 * assigns to `_outputConfiguration`, and calls it from `helpInformation()`:
 * upgraded commands kept the 12.1 literal and threw from their first help
 * (review advW1).
 */
describe("a release whose constructor's object literal for a kept field gains a key", () => {
  const make = (body: string, field = "") =>
    new Function(`"use strict";
      return class Command {
        ${field}
        constructor(name) { this.name = name; ${body} }
        help() { return this._out.write("Usage: " + this.name); }
      };`)() as new (
      name: string,
    ) => { help(): string };
  const warned = (v1: ReturnType<typeof make>, v2: ReturnType<typeof make>) => {
    const ns = new Namespace("literal-keys", { instanceFinder: "registry" });
    ns.registerClass(v1);
    const result = updateSync(ns, patch("v2").replaceImplementation("Command", v2).build());
    return result.warnings
      .filter((w) => w.code === "MM_NO_INITIAL_VALUE")
      .map((w) => [w.field, w.note]);
  };
  const OLD = "this._out = { write: (s) => s, width: () => 80 };";
  const NEW = "this._out = { write: (s) => s, width: () => 80, hasColors: () => false };";

  test("warns, naming the key, in the constructor and in a field initialiser", () => {
    const note =
      "the new constructor sets `_out.hasColors` inside field `_out`, which the running release's did not";
    expect(warned(make(OLD), make(NEW))).toEqual([["_out", note]]);
    const asField = (literal: string) => make("", `_out = ${literal};`);
    expect(
      warned(
        asField("{ write: (s) => s, width: () => 80 }"),
        asField("{ write: (s) => s, width: () => 80, hasColors: () => false }"),
      ),
    ).toEqual([["_out", note]]);
  });

  test("says nothing where the running release's object may hold it: a spread, or a value made another way", () => {
    const spread =
      "this._out = { ...{ width: () => 80, hasColors: () => true }, write: (s) => s };";
    expect(warned(make(spread), make(NEW))).toEqual([]);
    const made = "this._out = Object.assign({}, { write: (s) => s, hasColors: () => true });";
    expect(warned(make(made), make(NEW))).toEqual([]);
    expect(warned(make(OLD), make(OLD))).toEqual([]);
  });
});

test.each(["??=", "||="])(
  "a default written with %s inside a kept field warns as one written with = (review advW4)",
  (operator) => {
    const make = (extra: string) =>
      new Function(`"use strict";
        return class Pool { constructor(options = {}) { this.options = Object.assign({}, options); ${extra} } };`)() as new () => object;
    const ns = new Namespace(`nested-default-${operator}`, { instanceFinder: "registry" });
    ns.registerClass(make(""));
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Pool", make(`this.options.min ${operator} 0;`))
        .build(),
    );
    const warned = result.warnings.filter((w) => w.code === "MM_NO_INITIAL_VALUE");
    expect(warned.map((w) => w.field)).toEqual(["options"]);
    expect(warned[0]!.message).toContain("target.options = { ...old.options, min: … }");
  },
);
