// Issue 12, items 22 and 4: classes extending classes outside the namespace
// (native ones such as Map, Set, Array and Error; a package's class such as
// EventEmitter, declared external) are managed while that superclass stays
// the same: instances keep their internal slots, own fields migrate, methods
// are replaced. Moving a class onto, off or between such superclasses is
// refused with MM_EXTERNAL_SUPERCLASS before anything changes.
import { EventEmitter, EventEmitterAsyncResource } from "node:events";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  patch,
  UnmanagedClassError,
  updateSync,
} from "../../src/index.js";
import { ExternalSuperclassError } from "../../src/namespace/errors.js";
import { hasFastProperties } from "../support/v8.js";

type BagLike = Map<string, number> & { label: string; hits?: number; total(): number };

function bagWorld() {
  const ns = new Namespace("bags");
  class Bag extends Map<string, number> {
    label = "bag";
    total() {
      let sum = 0;
      for (const v of this.values()) sum += v;
      return sum;
    }
  }
  const B = ns.registerClass(Bag) as unknown as new (entries?: [string, number][]) => BagLike;
  const bags = [
    new B([["a", 1]]),
    new B([
      ["b", 2],
      ["c", 3],
    ]),
  ];
  return { ns, B, bags };
}

const refusal = (f: () => unknown): MetamorphError => {
  try {
    f();
  } catch (error) {
    if (error instanceof MetamorphError) return error;
    throw error;
  }
  throw new Error("not refused");
};

describe("classes extending native classes (item 22)", () => {
  test("a registered Map subclass is a working Map and an instance of the handle", () => {
    const { ns, B, bags } = bagWorld();
    expect(bags[1]!.get("c")).toBe(3);
    expect(bags[1]).toBeInstanceOf(Map);
    expect(bags[1]).toBeInstanceOf(B);
    expect(Object.getPrototypeOf(B)).toBe(Map);
    expect(ns.allInstances(B as never)).toHaveLength(2);
    expect(ns.snapshot.bindings.Bag).toMatchObject({
      definition: { superclass: null, externalSuperclass: "Map" },
    });
  });

  test("replaceImplementation keeps the Map: own fields migrate, methods are replaced, rollback is exact", () => {
    const { ns, B, bags } = bagWorld();
    class Bag extends Map<string, number> {
      label = "bag";
      hits = 0;
      total() {
        return [...this.values()].reduce((a, b) => a + b, 100);
      }
    }
    const result = updateSync(ns, patch("v2").replaceImplementation("Bag", Bag).build());
    expect(result.outcome).toBe("committed");
    for (const bag of bags) {
      expect(bag).toBeInstanceOf(Map);
      expect(Object.keys(bag)).toEqual(["label", "hits"]);
      expect(hasFastProperties(bag)).toBe(true);
    }
    expect(bags[1]!.total()).toBe(105);
    bags[0]!.set("z", 9);
    expect([bags[0]!.size, bags[0]!.get("z")]).toEqual([2, 9]);
    const fresh = new B([["q", 1]]);
    expect([fresh.get("q"), fresh.hits, fresh instanceof B]).toEqual([1, 0, true]);
    result.rollback();
    expect(Object.keys(bags[0]!)).toEqual(["label"]);
    expect([...bags[0]!]).toEqual([
      ["a", 1],
      ["z", 9],
    ]);
    expect(bags[1]!.total()).toBe(5);
  });

  test("a managed subclass of a Map subclass reaches Map through it and keeps its entries when it migrates", () => {
    const { ns, B } = bagWorld();
    class Special extends (B as unknown as new () => BagLike) {
      level = 1;
    }
    const S = ns.registerClass(Special);
    const s = new S();
    s.set("k", 4);
    class Special2 extends (B as unknown as new () => BagLike) {
      level = 1;
      note = "n";
    }
    const result = updateSync(ns, patch("v2").replaceImplementation("Special", Special2).build());
    expect(result.changes.map((c) => c.kind)).toEqual(["fields-changed"]);
    expect([s.get("k"), s.label, (s as unknown as Special2).note, s instanceof B]).toEqual([
      4,
      "bag",
      "n",
      true,
    ]);
    result.rollback();
    expect(Object.keys(s)).toEqual(["label", "level"]);
    expect(s.get("k")).toBe(4);
  });

  test("Set, Array and Error subclasses keep their internal state across an update", () => {
    const ns = new Namespace("natives");
    class Tags extends Set<string> {
      owner = "me";
    }
    class Row extends Array<number> {
      kind = "row";
    }
    class Failure extends Error {
      status = 500;
    }
    const T = ns.registerClass(Tags);
    const R = ns.registerClass(Row);
    const F = ns.registerClass(Failure);
    const t = new T(["x", "y"]);
    const r = R.from([1, 2, 3]) as Row;
    const f = new F("boom");
    class Tags2 extends Set<string> {
      owner = "me";
      count() {
        return this.size;
      }
    }
    class Row2 extends Array<number> {
      kind = "row";
      sum() {
        return this.reduce((a, b) => a + b, 0);
      }
    }
    class Failure2 extends Error {
      status = 500;
      get isServer() {
        return this.status >= 500;
      }
    }
    updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Tags", Tags2)
        .replaceImplementation("Row", Row2)
        .replaceImplementation("Failure", Failure2)
        .build(),
    );
    expect((t as unknown as Tags2).count()).toBe(2);
    expect(t.has("y")).toBe(true);
    expect(Array.isArray(r) && (r as unknown as Row2).sum()).toBe(6);
    expect(r.length).toBe(3);
    expect((f as unknown as Failure2).isServer).toBe(true);
    expect([f.message, f instanceof Error, typeof f.stack]).toEqual(["boom", true, "string"]);
  });

  test("a package's class is kept external when the caller says so; without it the refusal says what to do", () => {
    const ns = new Namespace("package-base");
    class PackageBase {
      created = Date.now();
    }
    class Job extends PackageBase {
      name = "j";
    }
    const error = refusal(() => ns.registerClass(Job));
    expect(error).toBeInstanceOf(UnmanagedClassError);
    expect(error.message).toMatch(/externalSuperclass: true/);
    expect(ns.has("Job")).toBe(false);
    expect(ns.registerClass(Job, { externalSuperclass: true }).name).toBe("Job");
  });

  // Review advZ10 (tapable's Hook registered in an earlier namespace): the
  // refusal said "register Base first" — it was — and ignored the option.
  test("a superclass another namespace manages is named with its namespace, with or without externalSuperclass; nothing bound", () => {
    class Base {
      a = 1;
    }
    class Sub extends Base {
      b = 2;
    }
    new Namespace("one").registerClass(Base);
    for (const externalSuperclass of [false, true]) {
      const two = new Namespace("two");
      const error = refusal(() => two.registerClass(Sub, { externalSuperclass }));
      expect(error).toBeInstanceOf(UnmanagedClassError);
      expect(error.message).toMatch(
        /which namespace one manages, not namespace two.*Register Sub in namespace one/,
      );
      expect(error.message.includes("keeps only a class no namespace manages")).toBe(
        externalSuperclass,
      );
      expect(error.details).toMatchObject({
        className: "Sub",
        superclass: "Base",
        managedIn: "one",
      });
      expect(two.has("Sub")).toBe(false);
    }
  });

  test("a superclass with no name (hono 4.0's `class extends defineDynamicClass()`) is named for what it is", () => {
    const ns = new Namespace("anonymous-base");
    const mixin = () => class {};
    const Hono = class extends mixin() {
      routes: string[] = [];
    };
    const error = refusal(() => ns.registerClass(Hono, { name: "Hono" }));
    expect(error.code).toBe("MM_UNMANAGED_CLASS");
    expect(error.message).toBe(
      "class Hono extends an anonymous class, which namespace anonymous-base does not manage; register it first, or, if it is not yours to update (a package's class), register Hono with { externalSuperclass: true } to keep it as it is",
    );
    expect(error.details).toMatchObject({ superclass: "(anonymous class)" });
  });

  test("Node's EventEmitter (and EventEmitterAsyncResource), streams and EventTarget are the platform's, like Map: no flag needed", () => {
    const ns = new Namespace("emitters");
    class Channel extends EventEmitter {
      topic = "t";
    }
    class Source extends Readable {
      override _read() {}
    }
    class Target extends EventTarget {
      n = 0;
    }
    // piscina 4.4's Pool.
    class Pool extends EventEmitterAsyncResource {
      size = 0;
    }
    ns.registerClass(Source);
    ns.registerClass(Target);
    ns.registerClass(Pool);
    const C = ns.registerClass(Channel);
    const c = new C();
    let heard = 0;
    c.on("ping", () => heard++);
    class Channel2 extends EventEmitter {
      topic = "t";
      ping() {
        this.emit("ping");
      }
    }
    updateSync(ns, patch("v2").replaceImplementation("Channel", Channel2).build());
    (c as unknown as Channel2).ping();
    expect(heard).toBe(1);
    expect(c).toBeInstanceOf(EventEmitter);
  });
});

describe("state a class outside the namespace keeps in own properties", () => {
  for (const policy of ["eager", "lazy"] as const) {
    test(`a field change of an Array or EventEmitter subclass keeps elements and listeners, and rolls back exactly (${policy})`, () => {
      const ns = new Namespace("own-state");
      class Row extends Array<number> {
        kind = "row";
      }
      class Channel extends EventEmitter {
        topic = "t";
      }
      const R = ns.registerClass(Row);
      const C = ns.registerClass(Channel, { externalSuperclass: true });
      const r = R.from([1, 2, 3]) as Row;
      const c = new C();
      let heard = 0;
      c.on("x", () => heard++);
      const before = [Object.keys(r), Object.keys(c)];
      class Row2 extends Array<number> {
        kind = "row";
        width = 0;
      }
      class Channel2 extends EventEmitter {
        topic = "t";
        extra = 1;
      }
      const result = updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Row", Row2)
          .replaceImplementation("Channel", Channel2)
          .build(),
        { policy },
      );
      // Method calls first: a lazy update migrates an object at its first call.
      expect([r.length, [...r]]).toEqual([3, [1, 2, 3]]);
      c.emit("x");
      expect([heard, c.listenerCount("x")]).toEqual([1, 1]);
      expect((r as unknown as Row2).width).toBe(0);
      expect((c as unknown as Channel2).extra).toBe(1);
      result.rollback();
      expect([Object.keys(r), Object.keys(c)]).toEqual(before);
      expect([...r]).toEqual([1, 2, 3]);
      c.emit("x");
      expect(heard).toBe(2);
    });
  }
});

describe("moving onto or off a class outside the namespace is refused (items 4 and 22)", () => {
  const cases: [string, (ns: Namespace) => unknown][] = [
    [
      "a root class onto Map",
      (ns) => {
        class Plain extends Map<string, number> {
          n = 0;
        }
        return updateSync(ns, patch("onto").replaceImplementation("Plain", Plain).build());
      },
    ],
    [
      "a Map subclass off Map",
      (ns) => {
        class Bag {
          label = "bag";
        }
        return updateSync(ns, patch("off").replaceImplementation("Bag", Bag).build());
      },
    ],
    [
      "a Map subclass onto Set",
      (ns) => {
        class Bag extends Set<string> {
          label = "bag";
        }
        return updateSync(ns, patch("between").replaceImplementation("Bag", Bag).build());
      },
    ],
    [
      "a Map subclass under a managed class",
      (ns) => updateSync(ns, patch("under").changeSuperclass("Bag", "Plain").build()),
    ],
    [
      "a new class inserted above a Map subclass (insertSuperclass)",
      (ns) =>
        updateSync(
          ns,
          patch("insert")
            .insertSuperclass("Bag", { name: "Mid", fields: [{ name: "m", initializer: "0" }] })
            .build(),
        ),
    ],
  ];
  for (const [name, act] of cases) {
    test(name, () => {
      const { ns, bags } = bagWorld();
      class Plain {
        n = 0;
      }
      const P = ns.registerClass(Plain);
      const p = new P();
      const version = ns.version;
      const error = refusal(() => act(ns));
      expect(error).toBeInstanceOf(ExternalSuperclassError);
      expect(error.code).toBe("MM_EXTERNAL_SUPERCLASS");
      expect(error.message).toMatch(/internal slots/);
      expect(ns.version).toBe(version);
      expect(Object.getPrototypeOf(P)).toBe(Function.prototype);
      expect(p).not.toBeInstanceOf(Map);
      expect(bags[0]).toBeInstanceOf(Map);
      expect(bags[0]!.get("a")).toBe(1);
    });
  }

  test("a Map of another realm or a different class of the same name is not the same superclass", () => {
    const { ns } = bagWorld();
    // A class named Map that is not the Map the instances were made by.
    const Other = { Map: class {} }.Map as unknown as MapConstructor;
    class Bag extends Other {
      label = "bag";
    }
    const error = refusal(() =>
      updateSync(ns, patch("same-name").replaceImplementation("Bag", Bag).build()),
    );
    expect(error).toBeInstanceOf(ExternalSuperclassError);
  });

  test("another release's superclass that is an ES5-style function: the refusal says to restart, not to register it (review advY1: p-queue's eventemitter3)", () => {
    const release = () =>
      new Function(`"use strict";
        function EventEmitter() { this._events = {}; }
        EventEmitter.prototype.on = function () { return this; };
        return EventEmitter;`)() as new () => object;
    const ns = new Namespace("es5-parent");
    const First = release();
    class Queue extends First {
      size = 0;
    }
    ns.registerClass(Queue, { externalSuperclass: true });
    const Second = release();
    class Queue2 extends Second {
      size = 0;
    }
    const error = refusal(() =>
      updateSync(ns, patch("q2").replaceImplementation("Queue", Queue2).build()),
    );
    expect(error).toBeInstanceOf(ExternalSuperclassError);
    expect(error.message).toContain(
      "or restart: this EventEmitter is an ES5-style constructor function",
    );
    expect(error.message).not.toContain("register EventEmitter");
  });

  test("between managed classes the superclass change migrates (item 4)", () => {
    const ns = new Namespace("managed");
    class Base {
      id = 1;
    }
    const BaseH = ns.registerClass(Base);
    class Other {
      tag = "o";
    }
    const OtherH = ns.registerClass(Other);
    class Leaf extends BaseH {
      leaf = true;
    }
    const LeafH = ns.registerClass(Leaf);
    const l = new LeafH();
    class Leaf2 extends OtherH {
      leaf = true;
    }
    const result = updateSync(ns, patch("move").replaceImplementation("Leaf", Leaf2).build());
    expect(result.changes.map((c) => c.kind)).toContain("superclass-changed");
    expect(l).toBeInstanceOf(OtherH);
    expect(l).not.toBeInstanceOf(BaseH);
    expect({ ...l }).toEqual({ tag: "o", leaf: true });
    result.rollback();
    expect(l).toBeInstanceOf(BaseH);
    expect({ ...l }).toEqual({ id: 1, leaf: true });
  });
});

describe("fields a platform superclass keeps its state under", () => {
  test.each([
    [
      "renaming a field onto EventEmitter's _events",
      () => patch("p").renameField("Svc", "hits", "_events").build(),
    ],
    [
      "adding a field named _maxListeners",
      () => patch("p").addField("Svc", "_maxListeners", { default: 3 }).build(),
    ],
  ])("%s is refused before anything changes, naming the field and EventEmitter", (_, make) => {
    class Svc extends EventEmitter {
      hits = 0;
    }
    const ns = new Namespace("platform-fields");
    const S = ns.registerClass(Svc);
    const svc = new S();
    let heard = 0;
    svc.on("job", () => heard++);
    const version = ns.version;
    const error = refusal(() => updateSync(ns, make()));
    expect([error.code, error.message]).toEqual([
      "MM_INVALID_PATCH",
      expect.stringMatching(
        /field "_(events|maxListeners)" is where its superclass EventEmitter keeps its own state/,
      ),
    ]);
    svc.emit("job");
    expect([ns.version, heard, svc.getMaxListeners(), svc.hits]).toEqual([version, 1, 10, 0]);
  });
});

describe("what an external superclass's constructor set stays in front of the class's fields", () => {
  for (const policy of ["eager", "lazy"] as const) {
    test(`an EventEmitter subclass given a field: migrated objects keep the emitter's state first, as fresh ones have it; the rollback restores them (${policy})`, () => {
      const V1 = class Bar extends EventEmitter {
        a = 1;
        b = 2;
      };
      const V2 = class Bar extends EventEmitter {
        a = 1;
        b = 2;
        c = 3;
      };
      const ns = new Namespace(`emitter-order-${policy}`);
      const Bar = ns.registerClass(V1, { name: "Bar" });
      const o = new Bar();
      let heard = 0;
      o.on("x", () => heard++);
      const before = Object.keys(o);
      const result = updateSync(
        ns,
        patch("c").replaceImplementation("Bar", V2).policy(policy).build(),
      );
      o.emit("x");
      expect([Object.keys(o), heard]).toEqual([Object.keys(new Bar()), 1]);
      expect(Object.keys(o)).toEqual([...before, "c"]);
      result.rollback();
      expect(Object.keys(o)).toEqual(before);
      o.emit("x");
      expect(heard).toBe(2);
    });
  }

  test("an object with no field of its class: what the program added stays after the new fields, as on a fresh object", () => {
    const ns = new Namespace("no-field-expando");
    const Tagged = ns.registerClass(class Tagged {}, { name: "Tagged" });
    const o = new Tagged() as Record<string, unknown>;
    o.tag = "t";
    updateSync(
      ns,
      patch("id")
        .replaceImplementation(
          "Tagged",
          class Tagged {
            id = 1;
          },
        )
        .build(),
    );
    const fresh = new Tagged() as Record<string, unknown>;
    fresh.tag = "t";
    expect(Object.keys(o)).toEqual(Object.keys(fresh));
  });

  test("an object with no field whose properties a helper defined read-only (ethers' defineProperties): a release appending a field commits, they stay in front; rollback exact", () => {
    const release = (extra: string) =>
      new Function(`"use strict";
        function defineProperties(t, v) { for (const k in v) Object.defineProperty(t, k, { enumerable: true, value: v[k] }); }
        return class Fragment { constructor(type, name) { defineProperties(this, { type, name }); ${extra} } };`)() as new (
        type: string,
        name: string,
      ) => object;
    const ns = new Namespace("helper-read-only");
    const Fragment = ns.registerClass(release(""), { name: "Fragment" }) as unknown as new (
      type: string,
      name: string,
    ) => object;
    const live = new Fragment("function", "transfer");
    const descriptors = Object.getOwnPropertyDescriptors(live);
    const next = release("this.gas = null;");
    const result = updateSync(ns, patch("gas").replaceImplementation("Fragment", next).build());
    expect(JSON.stringify(live)).toBe(JSON.stringify(new next("function", "transfer")));
    result.rollback();
    expect(Object.getOwnPropertyDescriptors(live)).toEqual(descriptors);
  });

  test("a non-configurable property an external superclass defines first does not stop the update, and stays", () => {
    class Base {
      constructor() {
        Object.defineProperty(this, "uid", { value: 7, enumerable: true });
        (this as Record<string, unknown>).base1 = 1;
      }
    }
    const ns = new Namespace("fixed-in-front");
    const S = ns.registerClass(
      class S extends Base {
        s = 3;
      },
      { externalSuperclass: true },
    );
    const s = new S();
    const result = updateSync(
      ns,
      patch("t")
        .replaceImplementation(
          "S",
          class S extends Base {
            s = 3;
            t = 4;
          },
        )
        .build(),
    );
    expect(Object.keys(s)).toEqual(["uid", "base1", "s", "t"]);
    expect(Object.getOwnPropertyDescriptor(s, "uid")).toMatchObject({
      value: 7,
      configurable: false,
    });
    result.rollback();
    expect(Object.keys(s)).toEqual(["uid", "base1", "s"]);
  });
});
