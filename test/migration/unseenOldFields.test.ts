/**
 * An old field the new version may still hold although reading its source
 * did not learn it (assigned in one branch of an if, or by
 * `Object.assign(this, rest)`) is carried over, not deleted, as the update's
 * MM_UNSEEN_STATE warning says. superstruct 0.16.7 -> 1.0.4 deleted
 * `validator` from every live Struct (1.0 assigns it in an if/else) and the
 * next `is()` threw; a field the new version drops for good still goes.
 */
import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { besidesOldLayout } from "../support/releaseWarnings.js";

type Made = Record<string, unknown> & { is(v: unknown): boolean };

const evaluate = (source: string) =>
  new Function(`"use strict"; return ${source};`)() as new (
    props: Record<string, unknown>,
  ) => Made;

// superstruct 0.16 → 1.0's Struct: the release sets `validator` in both
// branches of an if/else (learned: the objects have it, no word) or in one
// (out of the reader's sight: said); either way the object keeps its own.
const CONDITIONAL_VALIDATOR = {
  "both branches of an if/else":
    "if (props.validator) { this.validator = props.validator; } else { this.validator = () => []; }",
  "one branch": "if (props.validator) { this.validator = props.validator; }",
};

describe.each(Object.entries(CONDITIONAL_VALIDATOR))(
  "a field the new constructor assigns in %s",
  (how, assignment) => {
    test.each(["eager", "lazy", "progressive"] as const)(
      "keeps its value (%s); rollback exact",
      async (policy) => {
        const V1 = evaluate(`class Struct {
    constructor(props) { this.type = props.type; this.validator = props.validator ?? (() => []); }
    is(v) { return this.validator(v).length === 0; }
  }`);
        const V2 = evaluate(`class Struct {
    constructor(props) { this.type = props.type; ${assignment} }
    is(v) { return [...this.validator(v)].length === 0; }
  }`);
        const ns = new Namespace("unseen-conditional");
        ns.registerClass(V1);
        const s = new V1({
          type: "number",
          validator: (v: unknown) => (typeof v === "number" ? [] : ["no"]),
        });
        const validator = s.validator;
        const result = updateSync(ns, patch("up").replaceImplementation("Struct", V2).build(), {
          policy,
        });
        const said = result.warnings.some((w) => w.field === "validator");
        expect(said).toBe(how === "one branch");
        // A method call first: a lazy update migrates an object at its first call.
        expect([s.is(1), s.is("x")]).toEqual([true, false]);
        if (policy === "lazy") result.completeMigration();
        await result.completion;
        expect(s.validator).toBe(validator);
        result.rollback();
        expect(Object.keys(s)).toEqual(["type", "validator"]);
        expect(s.validator).toBe(validator);
      },
    );
  },
);

test("old fields survive a new constructor that writes properties it cannot name", () => {
  const V1 = evaluate(`class Failure {
    constructor(props) { this.value = props.value; this.path = props.path; this.name = "Failure"; }
  }`);
  const V2 = evaluate(`class Failure {
    constructor(props) { this.name = "Failure"; Object.assign(this, props); }
  }`);
  const ns = new Namespace("unseen-opaque");
  ns.registerClass(V1);
  const f = new V1({ value: 3, path: ["a"] });
  const result = updateSync(ns, patch("up").replaceImplementation("Failure", V2).build());
  expect({ ...f }).toEqual({ name: "Failure", value: 3, path: ["a"] });
  result.rollback();
  expect(Object.entries(f)).toEqual([
    ["value", 3],
    ["path", ["a"]],
    ["name", "Failure"],
  ]);
});

test("a field the new version drops, with nothing unseen, is still deleted", () => {
  const V1 = evaluate(`class Point { constructor(p) { this.x = p.x; this.legacy = 1; } }`);
  const V2 = evaluate(`class Point { constructor(p) { this.x = p.x; } }`);
  const ns = new Namespace("unseen-none");
  ns.registerClass(V1);
  const p = new V1({ x: 1 });
  updateSync(ns, patch("up").replaceImplementation("Point", V2).build());
  expect({ ...p }).toEqual({ x: 1 });
});

test("a new field whose initial value the constructor computes is named in an MM_NO_INITIAL_VALUE warning", () => {
  const V1 = evaluate(`class Input { constructor(config) { this.name = config.name; } }`);
  const V2 = evaluate(`class Input {
    constructor(config) { this.name = config.name; this.isOneOf = config.isOneOf ?? false; this.flag = false; }
  }`);
  const ns = new Namespace("no-initial");
  ns.registerClass(V1);
  const old = new V1({ name: "Filter" });
  const result = updateSync(ns, patch("up").replaceImplementation("Input", V2).build());
  expect(besidesOldLayout(result.warnings).map((w) => [w.code, w.field])).toEqual([
    ["MM_NO_INITIAL_VALUE", "isOneOf"],
  ]);
  expect({ ...old }).toEqual({ name: "Filter", isOneOf: undefined, flag: false });
  result.rollback();
  const withMigrator = updateSync(
    ns,
    patch("up2")
      .replaceImplementation("Input", V2)
      .migrate("Input", (_old, target) => {
        (target as Record<string, unknown>).isOneOf = false;
      })
      .build(),
  );
  expect(besidesOldLayout(withMigrator.warnings)).toEqual([]);
  expect(old.isOneOf).toBe(false);
});

test("an old field the new constructor makes an alias of a new one is named in an MM_ALIAS_SPLIT warning; a migrator joins them (commander 10 -> 12)", () => {
  const run = (migrate: boolean) => {
    const V1 = evaluate(`class Cmd {
    constructor() { this._args = []; }
    argument(a) { this._args.push(a); return this; }
    usage() { return this._args.join(" "); }
  }`);
    const V2 = evaluate(`class Cmd {
    constructor() { this.registeredArguments = []; this._args = this.registeredArguments; }
    argument(a) { this.registeredArguments.push(a); return this; }
    usage() { return this.registeredArguments.join(" "); }
  }`);
    const ns = new Namespace("alias");
    ns.registerClass(V1);
    const cmd = new V1({}) as Made & { argument(a: string): unknown; usage(): string };
    cmd.argument("<file>");
    let upgrade = patch("up").replaceImplementation("Cmd", V2);
    if (migrate)
      upgrade = upgrade.migrate("Cmd", (old, target) => {
        target.registeredArguments = old._args;
      });
    const result = updateSync(ns, upgrade.build());
    return {
      warnings: besidesOldLayout(result.warnings).map((w) => [w.code, w.field]),
      usage: cmd.usage(),
    };
  };
  expect(run(false)).toEqual({ warnings: [["MM_ALIAS_SPLIT", "_args"]], usage: "" });
  expect(run(true)).toEqual({ warnings: [], usage: "<file>" });
});

test("a field holding a function whose body the new version changes is named in an MM_STALE_FUNCTION_FIELD warning (old objects keep the old body)", () => {
  class Price {
    cents = 250;
    format = () => `$${this.cents / 100}`;
  }
  class PriceV2 {
    cents = 250;
    format = () => `€${(this.cents / 100).toFixed(2)}`;
  }
  Object.defineProperty(PriceV2, "name", { value: "Price" });
  const ns = new Namespace("function-fields");
  const P = ns.registerClass(Price);
  const old = new P();
  const result = updateSync(ns, patch("eur").replaceImplementation("Price", PriceV2).build());
  expect(besidesOldLayout(result.warnings).map((w) => [w.code, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "format"],
  ]);
  expect([old.format(), new P().format()]).toEqual(["$2.5", "€2.50"]);
});

test("a function field with the same text in the next release still closes over the running release's module: MM_STALE_FUNCTION_FIELD (immer 10.0 -> 10.1's produce)", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      const plugins = {};
      class Producer {
        constructor() { this.produce = (x) => (x instanceof Map && !plugins.mapSet ? "no plugin in " + tag : tag); }
        label() { return tag; }
      }
      return { Producer, enable: () => { plugins.mapSet = true; } };`,
    )(tag) as {
      Producer: new () => { produce(x: unknown): string; label(): string };
      enable(): void;
    };
  const [v1, v2] = [release("v1"), release("v2")];
  const ns = new Namespace("same-text-function-field");
  const P = ns.registerClass(v1.Producer);
  const old = new P();
  const result = updateSync(ns, patch("up").replaceImplementation("Producer", v2.Producer).build());
  expect(besidesOldLayout(result.warnings).map((w) => [w.code, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "produce"],
  ]);
  expect(result.warnings[0]!.message).toContain("another module scope");
  v2.enable();
  expect([old.label(), old.produce(new Map()), new P().produce(new Map())]).toEqual([
    "v2",
    "no plugin in v1",
    "v2",
  ]);
});

test("a bound-method field (this.m.bind(this)) whose method the new version changes keeps the old method: MM_STALE_FUNCTION_FIELD; unchanged method, no warning", () => {
  const make = (body: string, extra = "") =>
    evaluate(`class Button {
    constructor() { this.count = 0; this.onClick = this.click.bind(this); }
    click() { ${body} }
    ${extra}
  }`) as unknown as new () => { count: number; onClick(): void };
  const run = (v2: ReturnType<typeof make>) => {
    const ns = new Namespace("bound-method-field");
    const B = ns.registerClass(make("this.count += 1;"));
    const old = new B();
    const result = updateSync(
      ns,
      patch("up").replaceImplementation("Button", v2, { sameScope: true }).build(),
    );
    old.onClick();
    return {
      warnings: besidesOldLayout(result.warnings).map((w) => [w.code, w.field]),
      count: old.count,
    };
  };
  expect(run(make("this.count += 10;"))).toEqual({
    warnings: [["MM_STALE_FUNCTION_FIELD", "onClick"]],
    count: 1,
  });
  expect(run(make("this.count += 1;", "reset() { this.count = 0; }"))).toEqual({
    warnings: [],
    count: 1,
  });
});

test("a next release dropping fields while adding others (a minifier's names changed) is named in an MM_FIELDS_DROPPED warning; renames carry the values, and the warning goes (js-sdsl 4.3 -> 4.4's Deque)", () => {
  const release = (items: string, first: string) =>
    new Function(
      `"use strict";
      return class Deque {
        constructor() { this.${items} = []; this.${first} = 0; }
        push(x) { this.${items}.push(x); return this; }
        size() { return this.${items}.length - this.${first}; }
      };`,
    )() as new () => { push(x: number): unknown; size(): number };
  const run = (renames?: Record<string, string>) => {
    const ns = new Namespace("mangled");
    const D = ns.registerClass(release("A", "F"));
    const deque = new D();
    deque.push(1);
    deque.push(2);
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Deque", release("W", "O"), renames ? { renames } : {})
        .build(),
    );
    const size = deque.size();
    result.rollback();
    return {
      warnings: besidesOldLayout(result.warnings).map((w) => w.code),
      size,
      rolledBack: deque.size(),
    };
  };
  const plain = run();
  expect(plain).toEqual({ warnings: ["MM_FIELDS_DROPPED"], size: 0, rolledBack: 2 });
  expect(run({ W: "A", O: "F" })).toEqual({ warnings: [], size: 2, rolledBack: 2 });
});

test("closures the running version made that read members the next release drops are named in an MM_STALE_CLOSURE warning (mqtt 5.0 -> 5.10: the old keep-alive timer called a removed method)", () => {
  const release = (v2: boolean) =>
    new Function(
      "EventEmitter",
      `"use strict";
      return class Client extends EventEmitter {
        constructor() {
          super();
          ${v2 ? "this.keepalive = { stop() {} };" : "this.pingTimer = { clear() {} };"}
          this.on("close", () => ${v2 ? "this.keepalive.stop()" : "this.pingTimer.clear()"});
          this.on("tick", () => this.${v2 ? "onTick" : "_checkPing"}());
          this.on("end", () => this.connected);
        }
        get connected() { return true; }
        ${v2 ? "onTick() { return 2; }" : "_checkPing() { return 1; }"}
      };`,
    )(EventEmitter) as new () => EventEmitter;
  const ns = new Namespace("stale-closures");
  const C = ns.registerClass(release(false));
  const client = new C();
  const result = updateSync(ns, patch("up").replaceImplementation("Client", release(true)).build());
  const stale = result.warnings.filter((w) => w.code === "MM_STALE_CLOSURE");
  expect(stale.map((w) => w.note)).toEqual([
    "closures the running version made (arrow functions given to timers or listeners) read `pingTimer`, `_checkPing`, which the new version no longer has",
  ]);
  expect(() => client.emit("tick")).toThrow(/_checkPing is not a function/);
  // Kept members (a getter both versions have) are no reason to warn.
  const ns2 = new Namespace("kept-closures");
  ns2.registerClass(release(true));
  const same = updateSync(ns2, patch("up").replaceImplementation("Client", release(true)).build());
  expect(same.warnings.filter((w) => w.code === "MM_STALE_CLOSURE")).toEqual([]);
});

/**
 * What the patch says goes does go, even where the constructor makes
 * properties its reader cannot name (`Object.assign(this, props.extra)`):
 * a renameField or removeField on such a class (a version derived from the
 * running one), and a release's field the patch renames with `renames`, once
 * left the old field beside the new one (kept as unseen state).
 */
describe.each(["eager", "lazy", "progressive"] as const)(
  "the patch's own renames and removals (%s)",
  (policy) => {
    // A class of its own per case: a class is managed by one namespace.
    const v1 = () =>
      evaluate(`class Item {
    constructor(props) { this.id = props.id; this.price = props.price; this.note = "n"; Object.assign(this, props.extra); }
    total() { return this.price; }
  }`);
    const cases = {
      renameField: () => patch("r").renameField("Item", "price", "cost").build(),
      removeField: () => patch("r").removeField("Item", "note").build(),
      renames: () =>
        patch("r")
          .replaceImplementation(
            "Item",
            evaluate(`class Item {
            constructor(props) { this.id = props.id; this.cost = props.price; this.note = "n"; Object.assign(this, props.extra); }
            total() { return this.cost; }
          }`),
            { renames: { cost: "price" } },
          )
          .build(),
    };
    test.each(Object.keys(cases) as (keyof typeof cases)[])("%s", async (kind) => {
      const ns = new Namespace(`unseen-patch-${kind}-${policy}`, { instanceFinder: "registry" });
      const I = ns.registerClass(v1());
      const items = [new I({ id: 1, price: 10 }), new I({ id: 2, price: 20 })];
      const before = items.map((i) => ({ ...i }));
      const result = updateSync(ns, cases[kind](), { policy });
      result.completeMigration();
      await result.completion;
      for (const [n, item] of items.entries()) {
        const expected: Record<string, unknown> = { ...before[n] };
        if (kind === "removeField") delete expected.note;
        else {
          expected.cost = expected.price;
          delete expected.price;
        }
        expect(Object.keys(item).sort()).toEqual(Object.keys(expected).sort());
        expect({ ...item }).toEqual(expected);
      }
      result.rollback();
      expect(items.map((i) => ({ ...i }))).toEqual(before);
    });
  },
);

test("a next release whose minifier made two kept names trade places (@js-sdsl/ordered-map 4.4.1 -> 4.4.2: `this.A = Node` became `this.N = Node`) is named in an MM_FIELDS_DROPPED warning; renames silence it and carry the values", () => {
  class Node {
    constructor(readonly k: number) {}
  }
  const release = (compare: string, node: string) =>
    new Function(
      "Node",
      `"use strict";
      return class Tree {
        constructor(t = (a, b) => a - b) { this.${compare} = t; this.${node} = Node; this.root = new this.${node}(0); this.count = 0; }
        cmp(x) { return this.${compare}(x, this.root.k); }
      };`,
    )(Node) as new () => { cmp(x: number): number };
  for (const renames of [undefined, { A: "N", N: "A" }]) {
    const ns = new Namespace(`moved-${renames ? "renamed" : "plain"}`);
    const T = ns.registerClass(release("N", "A"));
    const tree = new T();
    const result = updateSync(
      ns,
      patch("v2").replaceImplementation("Tree", release("A", "N"), { renames }).build(),
    );
    const warned = result.warnings.filter((w) => w.code === "MM_FIELDS_DROPPED");
    if (renames) {
      expect(warned).toEqual([]);
      expect(tree.cmp(5)).toBe(5);
    } else {
      expect(warned.map((w) => w.message)).toEqual([
        expect.stringContaining("sets `N` with what the running one set `A` with (`Node`)"),
      ]);
      // What it warns of: the values sit under the names the new code reads otherwise.
      expect(() => tree.cmp(5)).toThrow(/cannot be invoked without 'new'/);
    }
  }
});

test("fields that keep their expressions, or trade only plain values (`0`, `[]`), are no moved names", () => {
  const release = (a: string, b: string) =>
    new Function(`"use strict";
      return class Pair { constructor() { this.a = ${a}; this.b = ${b}; this.items = new Map(); } };`)();
  const ns = new Namespace("not-moved");
  ns.registerClass(release("0", "[]"));
  const result = updateSync(
    ns,
    patch("v2").replaceImplementation("Pair", release("[]", "0")).build(),
  );
  expect(result.warnings.filter((w) => w.code === "MM_FIELDS_DROPPED")).toEqual([]);
});

test("two fields that trade new containers (`new Map()` and `new Set()`) are no moved names: no warning", () => {
  const release = (a: string, b: string) =>
    new Function(`"use strict";
      return class Queue { constructor() { this.pending = ${a}; this.done = ${b}; } };`)();
  const ns = new Namespace("containers-not-moved");
  ns.registerClass(release("new Map()", "new Set()"));
  const result = updateSync(
    ns,
    patch("v2").replaceImplementation("Queue", release("new Set()", "new Map()")).build(),
  );
  expect(result.warnings.filter((w) => w.code === "MM_FIELDS_DROPPED")).toEqual([]);
});

test("a function field closing over a constructor local (msgpackr's Packr: `let count; this.pack = function (v) { … }`) whose body the new release changes: MM_STALE_FUNCTION_FIELD; the same body, no warning", () => {
  const make = (body: string) =>
    evaluate(`class Packr {
    constructor() { this.offset = 0; let count = 0; this.pack = function (v) { count++; return ${body}; }; }
  }`) as unknown as new () => { pack(v: string): string };
  const run = (next: string) => {
    const ns = new Namespace("captured-local-function");
    const P = ns.registerClass(make('"v1:" + v + count'));
    const old = new P();
    old.pack("a");
    const result = updateSync(
      ns,
      patch("up").replaceImplementation("Packr", make(next), { sameScope: true }).build(),
    );
    return {
      warnings: besidesOldLayout(result.warnings).map((w) => [w.code, w.field]),
      packed: old.pack("b"),
    };
  };
  expect(run('"v2:" + v + count')).toEqual({
    warnings: [["MM_STALE_FUNCTION_FIELD", "pack"]],
    packed: "v1:b2",
  });
  expect(run('"v1:" + v + count')).toEqual({ warnings: [], packed: "v1:b2" });
});

test.each([
  [
    "an arrow with a default parameter holding a call",
    "class P { constructor(k) { this.f = (x = Number(0)) => x + k; } }",
    "class P { constructor(k) { this.f = (x = Number(0)) => x - k; } }",
  ],
  [
    "a function rebound to the object further down the constructor",
    "class P { constructor(k) { let s = k; this.f = function () { return s; }; this.f = this.f.bind(this); } }",
    "class P { constructor(k) { let s = k; this.f = function () { return -s; }; this.f = this.f.bind(this); } }",
  ],
])("MM_STALE_FUNCTION_FIELD for %s whose body changes", (_, v1, v2) => {
  const ns = new Namespace("function-fields");
  const P = ns.registerClass(
    evaluate(v1) as unknown as new (
      k: number,
    ) => { f(x?: number): number },
  );
  const old = new P(5);
  const result = updateSync(
    ns,
    patch("up")
      .replaceImplementation("P", evaluate(v2) as unknown as typeof P, { sameScope: true })
      .build(),
  );
  expect(besidesOldLayout(result.warnings).map((w) => [w.code, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "f"],
  ]);
  expect(old.f()).toBe(5);
});

test("MM_STALE_FUNCTION_FIELD for a function of the running release's module held by name (log4js's `this.parseCallStack = defaultParseCallStack`)", () => {
  const release = (line: string) =>
    new Function(`"use strict";
      function defaultParse(s) { return ${line}; }
      return class Logger { constructor(name) { this.name = name; this.parse = defaultParse; } site() { return this.parse("x.js:1"); } };`)() as new (
      name: string,
    ) => { site(): object };
  // Looked at on an object the registry lists (or one the update migrated).
  const ns = new Namespace("function-by-name", { instanceFinder: "registry" });
  const Logger = ns.registerClass(release("{ file: s }"));
  const logger = new Logger("db");
  const result = updateSync(
    ns,
    patch("up").replaceImplementation("Logger", release("{ file: s, line: 1 }")).build(),
  );
  expect(result.warnings.map((w) => [w.code, w.field, w.note])).toEqual([
    [
      "MM_STALE_FUNCTION_FIELD",
      "parse",
      "field `parse` holds the running release's function `defaultParse`, from its module; the new implementation comes from another module scope",
    ],
  ]);
  expect(logger.site()).toEqual({ file: "x.js:1" });
});

test("no MM_STALE_FUNCTION_FIELD for a field holding a global or built-in function by name (Date.now, console.log), or initialised to null", () => {
  const release = (tag: string) =>
    new Function(`"use strict";
      return class Clock { constructor() { this.now = Date.now; this.log = console.log; this.handler = null; } tag() { return "${tag}"; } };`)() as new () => {
      tag(): string;
    };
  const ns = new Namespace("global-functions", { instanceFinder: "registry" });
  const Clock = ns.registerClass(release("v1"));
  const clock = new Clock();
  (clock as unknown as { handler: () => void }).handler = () => {};
  const result = updateSync(ns, patch("up").replaceImplementation("Clock", release("v2")).build());
  expect(result.warnings.filter((w) => w.code === "MM_STALE_FUNCTION_FIELD")).toEqual([]);
  expect(clock.tag()).toBe("v2");
});

test("methods bound in the constructor (zod's `this.parse = this.parse.bind(this)`): a release adding one applies; objects get the new one bound, keep their own copies of the others (said), and a subclass's override is what it binds", () => {
  const release = (tag: string, extra: string) =>
    new Function(`"use strict";
      return class Schema {
        constructor(def) { this._def = def; this.parse = this.parse.bind(this); ${extra} }
        parse(x) { return "${tag}:" + x + ":" + this._def; }
        readonly() { return "ro:" + this._def; }
      };`)() as new (
      def: number,
    ) => { parse(x: string): string; readonly?(): unknown };
  const ns = new Namespace("bound-methods", { instanceFinder: "registry" });
  const Schema = ns.registerClass(release("v1", ""));
  class Strict extends Schema {
    override readonly() {
      return "strict";
    }
  }
  const StrictHandle = ns.registerClass(Strict);
  const [s, strict] = [new Schema(1), new StrictHandle(2)];
  const { parse } = s;
  // The program's own value of a bound field stays its own.
  const mine = () => "mine";
  (strict as { parse: unknown }).parse = mine;
  const result = updateSync(
    ns,
    patch("3.22")
      .replaceImplementation("Schema", release("v2", "this.readonly = this.readonly.bind(this);"))
      .build(),
  );
  // (With the registry named, a class registered as written is also said to have objects it cannot find.)
  const said = besidesOldLayout(result.warnings).filter((w) => w.code !== "MM_UNSEEN_INSTANCES");
  expect(said.map((w) => [w.code, w.className, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "Schema", "parse"],
  ]);
  const { parse: kept, readonly } = s;
  expect([kept("a"), readonly!(), Object.keys(s)]).toEqual([
    "v1:a:1",
    "ro:1",
    ["_def", "parse", "readonly"],
  ]);
  expect([strict.parse, strict.readonly!(), Object.keys(strict)]).toEqual([
    mine,
    "strict",
    ["_def", "parse", "readonly"],
  ]);
  result.rollback();
  expect([s.parse, Object.keys(s), strict.parse]).toEqual([parse, ["_def", "parse"], mine]);
});

test("a release bundled and minified by esbuild (its field helper renamed `c`, graphlib 3.0.4) keeps every object's fields; a listener call of that shape makes none", () => {
  const [V1, V2] = new Function(`"use strict";
    var ye = Object.defineProperty;
    var Ne = (s, e, r) => e in s ? ye(s, e, { enumerable: !0, configurable: !0, writable: !0, value: r }) : s[e] = r;
    var c = (s, e, r) => Ne(s, typeof e != "symbol" ? e + "" : e, r);
    class Store { constructor() { this.items = []; this.count = 0; } add(x) { this.items.push(x); this.count++; return this; } }
    class Store2 { constructor() { c(this, "items", []); c(this, "count", 0); } add(x) { this.items.push(x); this.count++; return this; } size() { return this.count; } }
    return [Store, Store2];`)() as [new () => Store, new () => Store];
  type Store = { add(x: string): Store; size(): number };
  const ns = new Namespace("minified-release");
  const Store = ns.registerClass(V1, { name: "Store" }) as unknown as new () => Store;
  const s = new Store().add("a").add("b");
  const result = updateSync(ns, patch("r2").replaceImplementation("Store", V2).build());
  // Kept: the helper's calls with a string key are read as the same fields
  // (once kept as properties the reader could not name, with a warning each).
  expect(result.warnings).toEqual([]);
  expect({ ...s }).toEqual({ items: ["a", "b"], count: 2 });
  expect(s.size()).toBe(2);
});

test("a short function called with this, a name and a listener is no field helper: objects gain no property, and a method of that name is no clash (advZ6)", () => {
  const [V1, V2] = new Function(`"use strict";
    const listeners = [];
    const on = (target, event, fn) => listeners.push([target, event, fn]);
    class Conn { constructor() { this.n = 0; } close() { return "closed"; } }
    class Conn2 { constructor() { this.n = 0; on(this, "close", () => 1); } close() { return "closed2"; } }
    return [Conn, Conn2];`)() as [new () => object, new () => object];
  const ns = new Namespace("listener-shape");
  const Conn = ns.registerClass(V1, { name: "Conn" }) as unknown as new () => { close(): string };
  const c = new Conn();
  updateSync(ns, patch("2").replaceImplementation("Conn", V2).build());
  expect([Object.keys(c), c.close()]).toEqual([["n"], "closed2"]);
});

test("arrows that live only during a call (a local recursive helper, an array method's callback) are no stale closures; one handed to a timer is (Z7: heap 4 -> 3)", () => {
  const release = (isValid: string, extra = "") =>
    new Function(`"use strict";
      return class Heap {
        constructor() { this.nodes = [3, 5, 4]; ${extra} }
        cmp(i, j) { return this.nodes[i] - this.nodes[j]; }
        isValid() { ${isValid} }
      };`)() as new () => { isValid(): boolean };
  const v2 = new Function(`"use strict";
    return class Heap {
      constructor() { this.nodes = [3, 5, 4]; }
      compare(i, j) { return this.nodes[i] - this.nodes[j]; }
      isValid() { return this.nodes.every((v, i) => i === 0 || this.nodes[(i - 1) >> 1] <= v); }
    };`)() as new () => { isValid(): boolean };
  const closures = (v1: new () => { isValid(): boolean }) => {
    const ns = new Namespace("stale-closure-local");
    ns.registerClass(v1);
    return updateSync(ns, patch("3").replaceImplementation("Heap", v2).build())
      .warnings.filter((w) => w.code === "MM_STALE_CLOSURE")
      .map((w) => w.note);
  };
  const recursive =
    "const ok = (i) => { const l = 2 * i + 1; return l >= this.nodes.length || (this.cmp(i, l) <= 0 && ok(l)); }; return ok(0);";
  expect(closures(release(recursive))).toEqual([]);
  expect(closures(release("return this.nodes.every((v, i) => this.cmp(0, i) <= 0);"))).toEqual([]);
  // Handed to a timer, it outlives the call: said.
  expect(
    closures(
      release(
        "return true;",
        "this.t = setTimeout(() => this.cmp(0, 1), 1e9); clearTimeout(this.t);",
      ),
    ),
  ).toHaveLength(1);
});
