/**
 * A class that keeps state for its objects outside them, in a map of its
 * module keyed by the object (emittery keeps its listeners so:
 * `eventsMap.get(this)`). A new implementation from another evaluation of
 * the module — a package's next release — reads maps of its own, in which
 * the existing objects have no entry: emittery 1.0.1 -> 1.0.3 applied, then
 * threw from the first `emit` on an old emitter. Such an update is refused
 * before anything changes, unless the patch says the new implementation was
 * evaluated in the running version's own module scope (metamorph dev).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

interface Emitter {
  on(event: string, listener: (data: unknown) => void): void;
  emit(event: string, data: unknown): number;
}
type EmitterClass = new () => Emitter;

/** The class, closing over `listeners` and labelling what it emits with `tag`. */
const EMITTER = `"use strict";
  return class Emitter {
    constructor() { listeners.set(this, new Map()); }
    on(event, listener) {
      const map = listeners.get(this);
      map.set(event, [...(map.get(event) ?? []), listener]);
    }
    emit(event, data) {
      const found = listeners.get(this).get(event) ?? [];
      for (const listener of found) listener(tag + ":" + data);
      return found.length;
    }
  };`;

/** The class evaluated over `listeners` (a module's own map). */
function emitterOver(listeners: WeakMap<object, unknown>, tag: string): EmitterClass {
  return new Function("listeners", "tag", EMITTER)(listeners, tag) as EmitterClass;
}

/** One evaluation of the module: its own listener map. */
function moduleScope(tag: string) {
  const listeners = new WeakMap<object, unknown>();
  return { listeners, Emitter: emitterOver(listeners, tag) };
}

describe("a class that keeps its objects' state in a map of its module", () => {
  test("a new implementation from another evaluation of the module is refused, naming the map, and nothing changes", () => {
    const v1 = moduleScope("v1");
    const v2 = moduleScope("v2");
    const ns = new Namespace("outside");
    const Emitter = ns.registerClass(v1.Emitter);
    const old = new v1.Emitter();
    const heard: unknown[] = [];
    old.on("x", (d) => heard.push(d));
    let error: unknown;
    try {
      updateSync(ns, patch("upgrade").replaceImplementation("Emitter", v2.Emitter).build());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "MM_PRIVATE_STATE" });
    expect(String((error as Error).message)).toContain("listeners.set(this…)");
    expect(String((error as Error).message)).toContain("sameScope");
    expect(old.emit("x", 1)).toBe(1);
    expect(heard).toEqual(["v1:1"]);
    expect(new Emitter().emit("x", 2)).toBe(0);
    expect(ns.classes().map((c) => c.name)).toEqual(["Emitter"]);
  });

  test("with sameScope, a new implementation evaluated in the same scope applies and the old objects keep their state", () => {
    const scope = moduleScope("v1");
    const ns = new Namespace("outside-same");
    ns.registerClass(scope.Emitter);
    const old = new scope.Emitter();
    const heard: unknown[] = [];
    old.on("x", (d) => heard.push(d));
    // The module's next evaluation in the same scope (as a reload under metamorph dev).
    const again = emitterOver(scope.listeners, "v2");
    const result = updateSync(
      ns,
      patch("reload").replaceImplementation("Emitter", again, { sameScope: true }).build(),
    );
    expect(result.changes.map((c) => c.kind)).toEqual(["methods-changed"]);
    expect(old.emit("x", 3)).toBe(1);
    expect(heard).toEqual(["v2:3"]);
    result.rollback();
    expect(old.emit("x", 4)).toBe(1);
    expect(heard).toEqual(["v2:3", "v1:4"]);
  });

  test("the running class handed in again (a subclass following its superclass) is not refused", () => {
    const scope = moduleScope("v1");
    const ns = new Namespace("outside-again");
    ns.registerClass(scope.Emitter);
    const old = new scope.Emitter();
    const result = updateSync(
      ns,
      patch("same").replaceImplementation("Emitter", scope.Emitter).build(),
    );
    expect(result.changes).toEqual([]);
    old.on("y", () => {});
    expect(old.emit("y", 0)).toBe(1);
  });

  test("a class whose map lookups are keyed by something else is not concerned", () => {
    const v1 = new Function(
      `"use strict"; const cache = new Map();
      return class Lookup { find(k) { return cache.get(k); } };`,
    )() as new () => object;
    const v2 = new Function(
      `"use strict"; const cache = new Map();
      return class Lookup { find(k) { return cache.get(k) ?? null; } };`,
    )() as new () => object;
    const ns = new Namespace("outside-other");
    ns.registerClass(v1);
    const result = updateSync(ns, patch("up").replaceImplementation("Lookup", v2).build());
    expect(result.changes.map((c) => c.kind)).toEqual(["methods-changed"]);
  });
});

test("private fields a transpiler lowered to maps: the refusal names the map call, not # members", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict"; const _Queue_pending = new WeakMap();
      return class Queue {
        constructor() { _Queue_pending.set(this, 0); }
        add() { _Queue_pending.set(this, _Queue_pending.get(this) + 1); return tag; }
      };`,
    )(tag) as new () => { add(): string };
  const ns = new Namespace("lowered");
  ns.registerClass(release("v1"));
  expect(() =>
    updateSync(ns, patch("up").replaceImplementation("Queue", release("v2")).build()),
  ).toThrow(
    /keeps private fields a transpiler lowered to maps keyed by the object \(`_Queue_pending\.set\(this, 0\)`\)/,
  );
});

describe("calls that only look like a map of the module", () => {
  const classes = {
    // A standard global on the object.
    reflect: `class Settings { constructor() { this.color = "red"; } get(key) { return Reflect.get(this, key); } tag() { return tag; } }`,
    // A memo the caller passes in (a deep clone's `seen`).
    parameter: `class Tree {
      constructor(kids = []) { this.kids = kids; }
      clone(seen = new Map()) {
        if (seen.has(this)) return seen.get(this);
        const copy = new Tree(); seen.set(this, copy);
        copy.kids = this.kids.map((k) => k.clone(seen));
        return copy;
      }
      tag() { return tag; }
    }`,
    // A local of the method.
    local: `class Walker { constructor() { this.n = 1; } walk() { const visited = new WeakSet(); visited.add(this); return visited.has(this); } tag() { return tag; } }`,
  };
  test.each(Object.entries(classes))("%s: the update applies", (_, source) => {
    const release = (tag: string) =>
      new Function("tag", `"use strict"; return ${source};`)(tag) as new () => { tag(): string };
    const [v1, v2] = [release("v1"), release("v2")];
    const ns = new Namespace("not-outside");
    ns.registerClass(v1);
    const object = new v1();
    updateSync(ns, patch("up").replaceImplementation(v1.name, v2).build());
    expect(object.tag()).toBe("v2");
  });
});
