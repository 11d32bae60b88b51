/**
 * Objects keeping their state under symbols of their module (`this[kItems]`
 * with `const kItems = Symbol("items")`, as undici keeps every field): a
 * package's next release has symbols of its own. Applied as "methods
 * changed", undici 5.22 -> 5.28 broke every old Headers (`get()` threw);
 * such an update is refused before anything changes. Keys the two releases
 * share (strings, `Symbol.for`) are no reason to refuse.
 */
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Bag = { add(x: string): Bag; size(): number; tag(): string };

/** One evaluation of the module; `key` is the expression the key constant is bound to. */
function release(tag: string, key: string, extra = "") {
  return new Function(
    "tag",
    `"use strict";
    const kItems = ${key};
    return class Bag {
      constructor() { this[kItems] = []; ${extra} }
      add(x) { this[kItems].push(x); return this; }
      size() { return this[kItems].length; }
      tag() { return tag; }
    };`,
  )(tag) as new () => Bag;
}

test.each(["eager", "lazy", "progressive"] as const)(
  "a new implementation from another evaluation is refused, naming the symbols, with nothing changed (%s)",
  (policy) => {
    const [v1, v2] = [release("v1", 'Symbol("items")'), release("v2", 'Symbol("items")')];
    const ns = new Namespace("symbols");
    ns.registerClass(v1);
    const bag = new v1().add("a").add("b");
    const keys = Reflect.ownKeys(bag);
    expect(() =>
      updateSync(ns, patch("up").replaceImplementation("Bag", v2).build(), { policy }),
    ).toThrow(
      expect.objectContaining({
        code: "MM_PRIVATE_STATE",
        message: expect.stringContaining("symbols of its module (Symbol(items))"),
      }),
    );
    expect([bag.size(), bag.tag(), Reflect.ownKeys(bag)]).toEqual([2, "v1", keys]);
  },
);

test("a field change refused too", () => {
  const v1 = release("v1", 'Symbol("items")');
  const v2 = release("v2", 'Symbol("items")', "this.count = 0;");
  const ns = new Namespace("symbols-fields");
  ns.registerClass(v1);
  const bag = new v1().add("a");
  expect(() => updateSync(ns, patch("up").replaceImplementation("Bag", v2).build())).toThrow(
    expect.objectContaining({ code: "MM_PRIVATE_STATE" }),
  );
  expect(Object.keys(bag)).toEqual([]);
});

test.each([
  ["a string constant", '"items"'],
  ["a registered symbol", 'Symbol.for("items")'],
])("keys both releases share (%s) apply, the state kept", (_, key) => {
  const [v1, v2] = [release("v1", key), release("v2", key)];
  const ns = new Namespace("shared-keys");
  ns.registerClass(v1);
  const bag = new v1().add("a").add("b");
  updateSync(ns, patch("up").replaceImplementation("Bag", v2).build());
  expect([bag.size(), bag.tag()]).toEqual([2, "v2"]);
});

test("the same module scope (sameScope) applies: the symbols are the running version's", () => {
  const v1 = new Function(
    `"use strict";
    const kItems = Symbol("items");
    const make = (tag) => class Bag {
      constructor() { this[kItems] = []; }
      add(x) { this[kItems].push(x); return this; }
      size() { return this[kItems].length; }
      tag() { return tag; }
    };
    return [make("v1"), make("v2")];`,
  )() as [new () => Bag, new () => Bag];
  const ns = new Namespace("same-scope-symbols");
  ns.registerClass(v1[0]);
  const bag = new v1[0]().add("a");
  updateSync(ns, patch("up").replaceImplementation("Bag", v1[1], { sameScope: true }).build());
  expect([bag.size(), bag.tag()]).toEqual([1, "v2"]);
});

test("a base class whose objects are all of a subclass is looked at through them", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const kItems = Symbol("items");
      class Base { constructor() { this[kItems] = []; } size() { return this[kItems].length; } tag() { return tag; } }
      class Sub extends Base { add(x) { this.size(); return x; } }
      return { Base, Sub };`,
    )(tag) as { Base: new () => Bag; Sub: new () => Bag };
  const [v1, v2] = [release("v1"), release("v2")];
  const ns = new Namespace("symbols-subclass");
  ns.registerClass(v1.Base);
  ns.registerClass(v1.Sub);
  const sub = new v1.Sub();
  expect(() =>
    updateSync(
      ns,
      patch("up")
        .replaceImplementation("Base", v2.Base)
        .replaceImplementation("Sub", v2.Sub)
        .build(),
    ),
  ).toThrow(expect.objectContaining({ code: "MM_PRIVATE_STATE" }));
  expect(sub.tag()).toBe("v1");
});

test("one refusal names every class whose objects hold such keys, and the base class whose code reads them: its migrator covers them all (postcss 8.4.14 -> 8.4.47)", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const kClean = Symbol("isClean");
      class Node { constructor() { this[kClean] = false; } clean() { return this[kClean]; } tag() { return tag; } }
      class Rule extends Node { constructor() { super(); this.selector = "a"; } }
      class Decl extends Node { constructor() { super(); this.prop = "color"; } }
      return { Node, Rule, Decl };`,
    )(tag) as Record<"Node" | "Rule" | "Decl", new () => { clean(): boolean; tag(): string }>;
  const [v1, v2] = [release("v1"), release("v2")];
  const ns = new Namespace("symbols-hierarchy");
  for (const c of [v1.Node, v1.Rule, v1.Decl]) ns.registerClass(c);
  const objects = [new v1.Rule(), new v1.Decl()];
  const up = () =>
    patch("up")
      .replaceImplementation("Node", v2.Node)
      .replaceImplementation("Rule", v2.Rule)
      .replaceImplementation("Decl", v2.Decl);
  let refusal: unknown;
  try {
    updateSync(ns, up().build());
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toMatchObject({
    code: "MM_PRIVATE_STATE",
    details: { classes: expect.arrayContaining(["Rule", "Decl"]) },
    message: expect.stringMatching(
      /^classes (Rule, Decl|Decl, Rule) keep their objects' state under symbols of their module \(read by Node's code\) \(Symbol\(isClean\)\).*a migrator for Node \(it runs for its subclasses' objects too\)/,
    ),
  });
  expect(objects.map((o) => o.tag())).toEqual(["v1", "v1"]);
  // The migrator the message names lets the whole update through.
  updateSync(
    ns,
    up()
      .migrate("Node", () => {})
      .build(),
  );
  expect(objects.map((o) => o.tag())).toEqual(["v2", "v2"]);
});

test("symbols Node's EventEmitter puts on every emitter (kCapture, kShapeMode) are shared by both releases: a subclass reading computed keys applies (graphology 0.25.1 -> 0.25.4, koa 2.14 -> 2.15); a symbol of the subclass's own module is still refused", () => {
  const release = (tag: string, own: boolean) =>
    new Function(
      "EventEmitter",
      "tag",
      `"use strict";
      const kOwn = Symbol("own");
      const HIDDEN = ["_events", "_eventsCount", "_maxListeners"];
      return class Graph extends EventEmitter {
        constructor() {
          super();
          this.nodes = new Map();
          for (const prop of HIDDEN) Object.defineProperty(this, prop, { value: this[prop], writable: true, enumerable: false });
          ${own ? "this[kOwn] = 1;" : ""}
        }
        addNode(key) { this.nodes.set(key, {}); this.emit("added", key); return tag; }
      };`,
    )(EventEmitter, tag) as new () => EventEmitter & {
      addNode(k: string): string;
      nodes: Map<string, object>;
    };
  expect(Object.getOwnPropertySymbols(new EventEmitter()).length).toBeGreaterThan(0);
  const ns = new Namespace("emitter-symbols");
  const v1 = release("v1", false);
  ns.registerClass(v1, { externalSuperclass: true });
  const graph = new v1();
  const heard: string[] = [];
  graph.on("added", (k: string) => heard.push(k));
  graph.addNode("a");
  updateSync(ns, patch("up").replaceImplementation("Graph", release("v2", false)).build());
  expect([graph.addNode("b"), graph.nodes.size, heard]).toEqual(["v2", 2, ["a", "b"]]);

  const ns2 = new Namespace("emitter-own-symbols");
  const o1 = release("v1", true);
  ns2.registerClass(o1, { externalSuperclass: true });
  const own = new o1();
  expect(() =>
    updateSync(ns2, patch("up").replaceImplementation("Graph", release("v2", true)).build()),
  ).toThrow(
    expect.objectContaining({
      code: "MM_PRIVATE_STATE",
      message: expect.stringContaining("(Symbol(own))"),
    }),
  );
  expect(own.addNode("x")).toBe("v1");
});

test("every object is looked at: state made at first use, on one object of many; and state defined with defineProperty", () => {
  const lazy = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const kHits = Symbol("hits");
      return class Cart { constructor() { this.items = []; } hit() { return (this[kHits] = (this[kHits] ?? 0) + 1); } tag() { return tag; } };`,
    )(tag) as new () => { hit(): number; tag(): string };
  const [v1, v2] = [lazy("v1"), lazy("v2")];
  const ns = new Namespace("symbols-late");
  ns.registerClass(v1);
  const carts = Array.from({ length: 300 }, () => new v1());
  carts[250]!.hit();
  expect(() => updateSync(ns, patch("up").replaceImplementation("Cart", v2).build())).toThrow(
    expect.objectContaining({ code: "MM_PRIVATE_STATE" }),
  );
  const defined = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const kState = Symbol("state");
      return class Counter { constructor(n) { Object.defineProperty(this, kState, { value: { n }, writable: true }); } inc() { return ++this[kState].n; } tag() { return tag; } };`,
    )(tag) as new (
      n: number,
    ) => { inc(): number };
  const [d1, d2] = [defined("v1"), defined("v2")];
  const ns2 = new Namespace("symbols-defined");
  ns2.registerClass(d1);
  const counter = new d1(41);
  expect(() => updateSync(ns2, patch("up").replaceImplementation("Counter", d2).build())).toThrow(
    expect.objectContaining({ code: "MM_PRIVATE_STATE" }),
  );
  expect(counter.inc()).toBe(42);
});

test("a symbol of another module on the objects (a framework's or the program's own tag): no reason to refuse a class that reads no computed keys; a migrator lets one that does through", () => {
  const tag = Symbol("the program's tag");
  const plain = (t: string) =>
    new Function(
      "tag",
      `"use strict"; return class Box { constructor() { this.v = 1; } tag() { return tag; } };`,
    )(t) as new () => { tag(): string };
  const ns0 = new Namespace("foreign-tag-plain");
  const p1 = plain("v1");
  ns0.registerClass(p1);
  const box = new p1();
  (box as unknown as Record<symbol, unknown>)[tag] = true;
  updateSync(ns0, patch("up").replaceImplementation("Box", plain("v2")).build());
  expect(box.tag()).toBe("v2");
  const [v1, v2] = [release("v1", '"items"'), release("v2", '"items"')];
  const ns = new Namespace("foreign-tag");
  ns.registerClass(v1);
  const bag = new v1().add("a");
  (bag as unknown as Record<symbol, unknown>)[tag] = true;
  expect(() => updateSync(ns, patch("up").replaceImplementation("Bag", v2).build())).toThrow(
    expect.objectContaining({ code: "MM_PRIVATE_STATE" }),
  );
  updateSync(
    ns,
    patch("up")
      .replaceImplementation("Bag", v2)
      .migrate("Bag", () => {})
      .build(),
  );
  expect([bag.tag(), bag.size(), (bag as unknown as Record<symbol, unknown>)[tag]]).toEqual([
    "v2",
    1,
    true,
  ]);
});

test("a symbol of the old release's module held as a field value (minimatch's GLOBSTAR) is refused where the update finds the objects; a migrator that maps it applies", () => {
  const release = (tag: string, extra: string) =>
    new Function(
      "tag",
      `"use strict";
      const ANY = Symbol("any");
      class Pattern {
        constructor(parts) { this.parts = parts.map((p) => (p === "*" ? ANY : p)); ${extra} }
        match(segs) { return segs.length === this.parts.length && this.parts.every((p, i) => p === ANY || p === segs[i]); }
        tag() { return tag; }
      }
      return { Pattern, ANY };`,
    )(tag) as {
      Pattern: new (parts: string[]) => { match(s: string[]): boolean; parts: unknown[] };
      ANY: symbol;
    };
  // v2 adds a field: the update finds every object to migrate it.
  const [v1, v2] = [release("v1", ""), release("v2", "this.flags = 0;")];
  const ns = new Namespace("symbol-values");
  ns.registerClass(v1.Pattern);
  const pattern = new v1.Pattern(["src", "*"]);
  expect(() =>
    updateSync(ns, patch("up").replaceImplementation("Pattern", v2.Pattern).build()),
  ).toThrow(
    expect.objectContaining({
      code: "MM_PRIVATE_STATE",
      message: expect.stringContaining('field "parts" (Symbol(any))'),
    }),
  );
  expect(pattern.match(["src", "a.js"])).toBe(true);
  updateSync(
    ns,
    patch("up")
      .replaceImplementation("Pattern", v2.Pattern)
      .migrate("Pattern", (old, target) => {
        target.parts = (old.parts as unknown[]).map((p) => (p === v1.ANY ? v2.ANY : p));
      })
      .build(),
  );
  expect(pattern.match(["src", "a.js"])).toBe(true);
});

/** semver's Comparator: `this.semver = ANY` with `const ANY = Symbol("SemVer ANY")`; `test()` compares with its module's. */
function comparatorRelease(extraField: boolean) {
  return new Function(
    "extraField",
    `"use strict";
    const ANY = Symbol("SemVer ANY");
    return class Comparator {
      constructor(c) { this.value = c; this.semver = c === "" ? ANY : c; if (extraField) this.options = {}; }
      test(v) { return this.semver === ANY ? true : v === this.semver; }
    };`,
  )(extraField) as new (
    c: string,
  ) => { test(v: string): boolean };
}

/** lru_map: entries linked under `entry[NEWER]`, `const NEWER = Symbol("newer")`, the class reads `e[NEWER]`. */
function listRelease() {
  return new Function(`"use strict";
    const NEXT = Symbol("next");
    return class List {
      constructor() { this.head = undefined; this.tail = undefined; this.size = 0; }
      push(v) { const e = { v }; e[NEXT] = undefined; if (this.tail) this.tail[NEXT] = e; else this.head = e; this.tail = e; this.size++; }
      toArray() { const out = []; for (let e = this.head; e; e = e[NEXT]) out.push(e.v); return out; }
    };`)() as new () => { push(v: number): void; toArray(): number[] };
}

test.each(["registry", "heap"] as const)(
  "a module symbol held as a field's value (semver's ANY) or as the key of what a field holds (lru_map's linked entries) is refused, also when the fields stay the same (%s)",
  (instanceFinder) => {
    for (const extraField of [false, true]) {
      const ns = new Namespace(`held-${instanceFinder}`, { instanceFinder });
      const C = ns.registerClass(comparatorRelease(false));
      const star = new C("");
      expect(() =>
        updateSync(
          ns,
          patch("up").replaceImplementation("Comparator", comparatorRelease(extraField)).build(),
        ),
      ).toThrow(/holds a symbol of its module in field "semver" \(Symbol\(SemVer ANY\)\)/);
      expect(star.test("1.2.4")).toBe(true);
    }
    const ns = new Namespace(`linked-${instanceFinder}`, { instanceFinder });
    const L = ns.registerClass(listRelease());
    const list = new L();
    for (const v of [1, 2, 3]) list.push(v);
    expect(() =>
      updateSync(ns, patch("up").replaceImplementation("List", listRelease()).build()),
    ).toThrow(/as a key of what field "head" holds \(Symbol\(next\)\)/);
    expect(list.toArray()).toEqual([1, 2, 3]);
  },
);

test("a class that reads computed keys on other objects, holding objects with a platform's symbols (an EventEmitter) or shared ones (Symbol.for), is not refused", () => {
  const release = (tag: string) =>
    new Function(
      "EventEmitter",
      `"use strict";
      const KEY = Symbol.for("shared.key");
      return class Hub {
        constructor() { this.emitter = new EventEmitter(); this.entry = { [KEY]: 1 }; }
        read(o, k) { return o[k]; }
        tag() { return "${tag}"; }
      };`,
    )(EventEmitter) as new () => { tag(): string };
  const ns = new Namespace("not-module-symbols");
  const H = ns.registerClass(release("v1"));
  const hub = new H();
  updateSync(ns, patch("up").replaceImplementation("Hub", release("v2")).build());
  expect(hub.tag()).toBe("v2");
});

test("objects of Node's own classes held in fields (a timer, an AbortSignal, a TextDecoder) carry Node's symbols, which no release changes: a class that indexes arrays is not refused; entries of a plain index linked under the module's symbol are", () => {
  const release = (tag: string) =>
    new Function(
      "TextDecoder",
      `"use strict";
      const NEXT = Symbol("next");
      return class Hub {
        constructor() {
          this.items = [1, 2];
          this.timer = setInterval(() => {}, 1e6);
          this.signal = new AbortController().signal;
          this.decoder = new TextDecoder();
          this.index = {};
        }
        link(k, v) { const e = { v }; e[NEXT] = null; this.index[k] = e; }
        sum() { let s = 0; for (let i = 0; i < this.items.length; i++) s += this.items[i]; return s; }
        stop() { clearInterval(this.timer); }
        tag() { return "${tag}"; }
      };`,
    )(TextDecoder) as new () => {
      sum(): number;
      stop(): void;
      tag(): string;
      link(k: string, v: number): void;
    };
  const ns = new Namespace("node-symbols");
  const H = ns.registerClass(release("v1"));
  const hub = new H();
  try {
    updateSync(ns, patch("up").replaceImplementation("Hub", release("v2")).build());
    expect(hub.tag()).toBe("v2");
    hub.link("a", 1);
    expect(() =>
      updateSync(ns, patch("up2").replaceImplementation("Hub", release("v3")).build()),
    ).toThrow(/as a key of what field "index" holds \(Symbol\(next\)\)/);
    expect(hub.tag()).toBe("v2");
  } finally {
    hub.stop();
  }
});

test("the refusal's advice, followed: a migrator copying the state under the new release's symbols keeps the objects' own closures of the running release working (kafkajs's Kafka: `this[CREATE_CLUSTER]`)", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const kState = Symbol("state");
      class Client {
        constructor(n) {
          this[kState] = { n };
          this.connect = () => tag + ":" + this[kState].n;
        }
        count() { return this[kState].n; }
        static get kState() { return kState; }
      }
      return Client;`,
    )(tag) as (new (n: number) => { connect(): string; count(): number }) & { kState: symbol };
  const v1 = release("v1");
  const v2 = release("v2");
  const ns = new Namespace("copied-symbols");
  ns.registerClass(v1);
  const client = new v1(3);
  const up = () => patch("up").replaceImplementation("Client", v2);
  let message = "";
  try {
    updateSync(ns, up().build());
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(
    /copies the state under the new release's symbols \(leave the old ones in place/,
  );
  updateSync(
    ns,
    up()
      .migrate("Client", (old, target) => {
        (target as Record<symbol, unknown>)[v2.kState] = old[v1.kState as unknown as string];
      })
      .build(),
  );
  // The running release's closure still reads its own symbol; the new methods read the new one.
  expect([client.connect(), client.count()]).toEqual(["v1:3", 3]);
});
