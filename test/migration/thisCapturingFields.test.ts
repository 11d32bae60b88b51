/**
 * A new field whose initial value holds the object itself — a bound method
 * (chokidar 4's `this._boundRemove = this._remove.bind(this)`), an arrow
 * function using `this`, `[this]`, `this` — is made for the live object,
 * with the new release's methods, as a fresh object's is. It was computed
 * on the staging copy the migration reads the new state from: the live
 * object's handler then wrote to that copy, and the writes were lost.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { capturesThis } from "../../src/migration/thisCapture.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;

interface Watcher {
  removed: string[];
  boundRemove(p: string): void;
  onRaw(p: string): void;
  remove(p: string): void;
  self: unknown;
  family: unknown[];
  owner: { of: unknown };
  handler(): void;
}

type Form = "bind" | "arrow" | "self" | "array" | "holder" | "method";

const FORMS: Record<Form, string> = {
  bind: "this.boundRemove = this.remove.bind(this);",
  arrow: "this.onRaw = (p) => this.remove(p);",
  self: "this.self = this;",
  array: "this.family = [this];",
  holder: "this.owner = { of: this };",
  method: "this.handler = this.makeHandler();",
};

/** v1 sets `removed`; v2 adds the fields of `forms`, and its `remove` tags what it records. */
const release = (tag: "v1" | "v2", forms: readonly Form[] = []) =>
  new Function(`"use strict";
  return class Watcher {
    constructor() {
      this.removed = [];
      ${tag === "v2" ? forms.map((f) => FORMS[f]).join(" ") : ""}
    }
    remove(p) { this.removed = [...this.removed, "${tag}:" + p]; }
    makeHandler() { return () => this.remove("handler"); }
    touch() { return this.removed.length; }
  };`)() as new () => Watcher & { touch(): number };

describe.each(POLICIES)("a field that captures `this` (%s)", (policy) => {
  test("chokidar's bound handlers act on the live object, with the new release's method", async () => {
    const ns = new Namespace(`capture-${policy}`, { instanceFinder: "registry" });
    const W = ns.registerClass(release("v1"));
    const live = new W();
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Watcher", release("v2", ["bind", "arrow"]))
        .build(),
      { policy },
    );
    live.remove("touch");
    if (policy === "progressive") await result.completion;
    live.boundRemove("a.txt");
    live.onRaw("b.txt");
    expect(live.removed).toEqual(["v2:touch", "v2:a.txt", "v2:b.txt"]);
    const fresh = new W();
    fresh.boundRemove("a.txt");
    expect(fresh.removed).toEqual(["v2:a.txt"]);
    result.rollback();
    expect(Object.keys(live)).toEqual(["removed"]);
  });

  test("`this`, `[this]`, `{ of: this }` and a closure a method makes hold the live object; rollback is exact", async () => {
    const ns = new Namespace(`capture-values-${policy}`, { instanceFinder: "registry" });
    const W = ns.registerClass(release("v1"));
    const live = new W();
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Watcher", release("v2", ["self", "array", "holder", "method"]))
        .build(),
      { policy },
    );
    live.touch();
    if (policy === "progressive") await result.completion;
    expect(live.self).toBe(live);
    expect(live.family[0]).toBe(live);
    expect(live.owner.of).toBe(live);
    live.handler();
    expect(live.removed).toEqual(["v2:handler"]);
    result.rollback();
    expect(Reflect.ownKeys(live)).toEqual(["removed"]);
  });
});

test("a migrator that makes a field the target itself gives the live object", () => {
  const ns = new Namespace("capture-migrator", { instanceFinder: "registry" });
  const Node = ns.defineClass<{ id: number; me: unknown }>({
    name: "Node",
    fields: [{ name: "id", initializer: "0" }],
  });
  const live = new Node({ id: 1 });
  updateSync(
    ns,
    patch("up")
      .addField("Node", "me", { default: "null" })
      .migrate("Node", (_old, target) => {
        target.me = target;
      })
      .build(),
  );
  expect(live.me).toBe(live);
});

describe("an initialiser that throws when run on the object", () => {
  const hook = "__metamorphCaptureHook";
  const v2 = () =>
    new Function(`"use strict";
    return class Watcher {
      constructor() { this.removed = []; this.link = globalThis.${hook}(this); }
      remove(p) { this.removed = [...this.removed, "v2:" + p]; }
      touch() { return 2; }
    };`)() as new () => Watcher;

  test.each(POLICIES)("%s: the update is undone, and the object is exactly as it was", (policy) => {
    let calls = 0;
    (globalThis as Record<string, unknown>)[hook] = () => {
      calls++;
      throw new Error("cannot link");
    };
    try {
      const ns = new Namespace(`capture-throws-${policy}`, { instanceFinder: "registry" });
      const W = ns.registerClass(release("v1"));
      const live = new W();
      live.remove("x");
      const before = Reflect.ownKeys(live).map((k) => [
        k,
        Object.getOwnPropertyDescriptor(live, k),
      ]);
      let failed: unknown;
      try {
        const result = updateSync(ns, patch("up").replaceImplementation("Watcher", v2()).build(), {
          policy,
        });
        (live as unknown as { touch(): number }).touch();
        expect(result.state()).toBe("rolled-back");
      } catch (error) {
        failed = error;
      }
      if (policy === "eager") expect(failed).toMatchObject({ code: "MM_COMMIT_FAILED" });
      // Once, on the live object: never on a copy.
      expect(calls).toBe(1);
      expect(
        Reflect.ownKeys(live).map((k) => [k, Object.getOwnPropertyDescriptor(live, k)]),
      ).toEqual(before);
      live.remove("y");
      expect(live.removed).toEqual(["v1:x", "v1:y"]);
    } finally {
      delete (globalThis as Record<string, unknown>)[hook];
    }
  });
});

test("property: every capturing form holds the live object after eager, lazy and progressive updates; rollback restores each object", () => {
  const forms = Object.keys(FORMS) as Form[];
  fc.assert(
    fc.property(
      fc.subarray(forms, { minLength: 1 }),
      fc.constantFrom(...POLICIES),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (chosen, policy, count, complete) => {
        const ns = new Namespace("capture-property", { instanceFinder: "registry" });
        const W = ns.registerClass(release("v1"));
        const objects = Array.from({ length: count }, () => new W());
        const before = objects.map((o) => Reflect.ownKeys(o));
        const result = updateSync(
          ns,
          patch("up").replaceImplementation("Watcher", release("v2", chosen)).build(),
          { policy },
        );
        if (complete) result.completeMigration();
        for (const o of objects) {
          o.touch();
          const expected: string[] = [];
          if (chosen.includes("bind")) {
            o.boundRemove("b");
            expected.push("v2:b");
          }
          if (chosen.includes("arrow")) {
            o.onRaw("a");
            expected.push("v2:a");
          }
          if (chosen.includes("method")) {
            o.handler();
            expected.push("v2:handler");
          }
          expect(o.removed).toEqual(expected);
          if (chosen.includes("self")) expect(o.self).toBe(o);
          if (chosen.includes("array")) expect(o.family).toEqual([o]);
          if (chosen.includes("holder")) expect(o.owner.of).toBe(o);
        }
        result.rollback();
        expect(objects.map((o) => Reflect.ownKeys(o))).toEqual(before);
      },
    ),
    { seed: 7321, numRuns: 120 },
  );
});

test.each([
  ["this.remove.bind(this)", true],
  ["(...a) => this.emit(...a)", true],
  ["new Helper(this)", true],
  ["[this]", true],
  ["{ owner: this }", true],
  ["this", true],
  ["this.makeHandler()", true],
  ["this.a + this.b", false],
  ["this.items.map((x) => x * 2)", false],
  // Conservative: a function's own this counts (it only costs a second run).
  ["this.items.map(function () { return this; })", true],
  ["this.items.map((x) => x + this.k)", true],
  ["this?.a ?? this[0]", false],
  ["`" + "$" + "{this.a}-" + "$" + "{this.b}`", false],
  ["this.a.b()", false],
  ['"plain"', false],
] as const)("whether `%s` can hold `this`: %s", (source, expected) => {
  expect(capturesThis(source)).toBe(expected);
});

/**
 * An initialiser that captures `this` runs once per object, on the object
 * itself: run on the shadow copy as well, `setInterval(() => this.tick())`
 * left a second timer ticking the copy for ever.
 */
test.each(POLICIES)(
  "%s: a capturing initialiser runs once per object, never on a copy",
  async (policy) => {
    const seen: object[] = [];
    const hook = "__metamorphCaptureOnce";
    (globalThis as Record<string, unknown>)[hook] = (self: object) => {
      seen.push(self);
      return () => self;
    };
    try {
      const ns = new Namespace(`capture-once-${policy}`, { instanceFinder: "registry" });
      const W = ns.registerClass(release("v1"));
      const objects = [new W(), new W(), new W()];
      const v2 = new Function(`"use strict";
      return class Watcher {
        constructor() { this.removed = []; this.timer = globalThis.${hook}(this); }
        remove(p) { this.removed = [...this.removed, "v2:" + p]; }
      };`)() as new () => Watcher;
      const result = updateSync(ns, patch("up").replaceImplementation("Watcher", v2).build(), {
        policy,
      });
      result.completeMigration();
      await result.completion;
      expect(seen).toHaveLength(objects.length);
      expect(new Set(seen)).toEqual(new Set(objects));
      for (const o of objects) expect((o as unknown as { timer(): object }).timer()).toBe(o);
    } finally {
      delete (globalThis as Record<string, unknown>)[hook];
    }
  },
);
