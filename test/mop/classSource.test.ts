import fc from "fast-check";
import ts from "typescript";
import { describe, expect, test, vi } from "vitest";
import { InvalidClassDefinitionError } from "../../src/index.js";
import type { FieldDefinition, MethodDefinition } from "../../src/index.js";
import {
  parseClassSource,
  parseModuleClasses,
  readClassSource,
} from "../../src/mop/source/parse.js";
import type { ParsedClass } from "../../src/mop/source/parsedClass.js";
import { sourceDeclaresPrivateMembers } from "../../src/mop/source/privateMembers.js";

type AnyClass = new (...args: never[]) => object;

/** Evaluates class source text the way a module would (no TypeScript). */
function evaluate(source: string): AnyClass {
  return new Function(`return (${source});`)() as AnyClass;
}

function names(fields: readonly FieldDefinition[]): string[] {
  return fields.map((field) => field.name);
}

function methodSummary(parsed: ParsedClass): string[] {
  return parsed.methods.map(
    (m) =>
      `${m.static ? "static " : ""}${m.kind} ${typeof m.key === "string" ? m.key : `[${m.key.symbol}]`}`,
  );
}

function expectInvalid(run: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidClassDefinitionError);
  expect((caught as InvalidClassDefinitionError).code).toBe("MM_INVALID_DEFINITION");
  expect((caught as Error).message).toMatch(message);
}

describe("parseClassSource: fields", () => {
  test("declared fields keep declaration order and initialiser text", () => {
    const parsed = parseClassSource(`class Point {
      x = 0;
      y;
      label = "origin" + String(1);
      "quoted key" = [1, 2];
      42 = true;
    }`);
    expect(parsed.name).toBe("Point");
    expect(parsed.superclass).toBeNull();
    expect(parsed.fields).toEqual([
      { name: "x", initializer: "0" },
      { name: "y" },
      { name: "label", initializer: '"origin" + String(1)' },
      { name: "quoted key", initializer: "[1, 2]" },
      { name: "42", initializer: "true" },
    ]);
    expect(parsed.constructorSource).toBeNull();
    expect(parsed.unsupported).toEqual([]);
  });

  test("constructor writes follow declared fields, first write fixes the position", () => {
    const source = `class Account extends Base {
      id = nextId();
      constructor(owner, { limit }) {
        super(owner);
        const stamp = Date.now();
        this.owner = owner;
        this.balance = 0;
        this.history = [];
        this.limit = limit;
        this.createdAt = stamp;
        this.kind = "basic";
        this.balance = 10;
        this.tag = this.kind + "!";
        this.count = arguments.length;
        this.made = new.target.name;
      }
    }`;
    const parsed = parseClassSource(source);
    expect(parsed.superclass).toBe("Base");
    expect(parsed.fields).toEqual([
      { name: "id", initializer: "nextId()" },
      { name: "owner" },
      // The last unconditional write gives the value; the first gives the position.
      { name: "balance", initializer: "10" },
      { name: "history", initializer: "[]" },
      { name: "limit" },
      { name: "createdAt" },
      { name: "kind", initializer: '"basic"' },
      // `this` is fine for a field the constructor creates: earlier fields are set.
      { name: "tag", initializer: 'this.kind + "!"' },
      { name: "count" },
      { name: "made" },
    ]);
    expect(parsed.constructorSource).toMatch(/^constructor\(owner, \{ limit \}\) \{/);
    expect(parsed.constructorSource).toMatch(/this\.made = new\.target\.name;\n\s*\}$/);
  });

  test("the parsed order is the order the engine creates the fields in", () => {
    const source = `class Mixed {
      a = 1;
      b;
      constructor(x) {
        this.c = x;
        this.b = 2;
        this.d = 3;
        this.a = 4;
      }
    }`;
    const parsed = parseClassSource(source);
    expect(names(parsed.fields)).toEqual(["a", "b", "c", "d"]);
    const Mixed = evaluate(source) as new (x: number) => object;
    expect(Object.keys(new Mixed(9))).toEqual(names(parsed.fields));
    // b was declared without a value and set by the constructor to a constant.
    expect(parsed.fields[1]).toEqual({ name: "b", initializer: "2" });
    expect(parsed.fields[0]).toEqual({ name: "a", initializer: "4" });
  });

  test("a declared field set by the constructor from `this` has no known initialiser", () => {
    const parsed = parseClassSource(`class C {
      items;
      size = 0;
      constructor() { this.items = this.makeItems(); this.size = super.size ?? 1; }
    }`);
    expect(parsed.fields).toEqual([{ name: "items" }, { name: "size" }]);
  });

  test("values that use parameters or locals only through shadowing names stay known", () => {
    const parsed = parseClassSource(`class C {
      constructor(e, list) {
        const total = 3;
        this.onEvent = (e) => this.handle(e);
        this.mapper = function (list) { return list.map((x) => x * 2); };
        this.obj = { e: 1, list: 2, method(total) { return total; } };
        this.short = { total };
        this.member = other.e.list;
      }
    }`);
    expect(parsed.fields).toEqual([
      { name: "onEvent", initializer: "(e) => this.handle(e)" },
      { name: "mapper", initializer: "function (list) { return list.map((x) => x * 2); }" },
      { name: "obj", initializer: "{ e: 1, list: 2, method(total) { return total; } }" },
      // Shorthand `{ total }` reads the local.
      { name: "short" },
      { name: "member", initializer: "other.e.list" },
    ]);
  });

  test("chained assignments, comma sequences, blocks and bracket keys", () => {
    const source = `class C {
      constructor(n) {
        this.a = this.b = 0, this.c = n;
        { this.d = 1; }
        this["e f"] = 2;
        this[3] = "three";
        (this.g) = (5);
      }
    }`;
    const parsed = parseClassSource(source);
    expect(parsed.fields).toEqual([
      { name: "b", initializer: "0" },
      { name: "a", initializer: "0" },
      { name: "c" },
      { name: "d", initializer: "1" },
      { name: "e f", initializer: "2" },
      { name: "3", initializer: '"three"' },
      { name: "g", initializer: "5" },
    ]);
    // Integer-like keys are ordered first by the engine, so compare as sets there.
    const C = evaluate(source) as new (n: number) => object;
    expect(Object.keys(new C(1)).sort()).toEqual(names(parsed.fields).sort());
  });

  test("conditional, looped, guarded and deferred writes are reported, not learned", () => {
    const parsed = parseClassSource(`class C {
      constructor(options) {
        if (options.debug) this.debug = true;
        for (const k of options.keys) this.last = k;
        try { this.risky = compute(); } catch { this.failed = true; }
        setTimeout(() => { this.later = 1; });
        options.ready && (this.ready = true);
        if (options.x) this.x = 1;
        this.x = 2;
        this.always = 1;
      }
    }`);
    expect(parsed.fields).toEqual([
      { name: "x", initializer: "2" },
      { name: "always", initializer: "1" },
    ]);
    expect(parsed.unsupported).toEqual([
      "field `x` is also assigned conditionally earlier in the constructor; its position in the field order may vary",
      "field `debug` is assigned only conditionally in the constructor; not learned",
      "field `last` is assigned only in a loop in the constructor; not learned",
      "field `risky` is assigned only in a try statement in the constructor; not learned",
      "field `failed` is assigned only in a try statement in the constructor; not learned",
      "field `later` is assigned only in a nested function or expression in the constructor; not learned",
      "field `ready` is assigned only in a nested function or expression in the constructor; not learned",
    ]);
  });

  test("a conditional write to a known field keeps its declared initialiser", () => {
    const parsed = parseClassSource(
      `class C { mode = "a"; constructor(m) { if (m) this.mode = m; } }`,
    );
    expect(parsed.fields).toEqual([{ name: "mode", initializer: '"a"' }]);
    expect(parsed.unsupported).toEqual([]);
  });

  test("writes inside a nested function with its own `this` are not this object's fields", () => {
    const parsed = parseClassSource(`class C {
      constructor() {
        this.a = 1;
        const helper = { init() { this.notMine = 1; } };
        function f() { this.alsoNotMine = 2; }
      }
    }`);
    expect(parsed.fields).toEqual([{ name: "a", initializer: "1" }]);
    expect(parsed.unsupported).toEqual([]);
  });

  test("early return, return override, Object.assign and dynamic keys are reported", () => {
    const parsed = parseClassSource(`class C {
      constructor(options, key) {
        this.a = 1;
        Object.assign(this, options);
        this[key] = 2;
        if (!options) return;
        this.b = 2;
        return new Proxy(this, {});
        this.unreachable = 3;
      }
    }`);
    expect(names(parsed.fields)).toEqual(["a", "b"]);
    expect(parsed.unsupported).toEqual([
      "the constructor creates properties that cannot be named statically: `Object.assign(this, options)`",
      "the constructor creates properties that cannot be named statically: `this[key] = 2`",
      "the constructor may return early; fields assigned after that return are not always set",
      "the constructor returns another object; the instance's fields may not be these",
    ]);
  });

  test("fields first created by methods or arrow-function field initialisers are reported", () => {
    const parsed = parseClassSource(`class C {
      known = 1;
      onClick = () => { this.clicked = true; this.known = 2; };
      open() { this.handle = connect(); }
      set value(v) { this._value = v; }
      static reset() { this.instances = 0; }
    }`);
    expect(names(parsed.fields)).toEqual(["known", "onClick"]);
    expect(parsed.unsupported).toEqual([
      "field `clicked` is assigned in the initialiser of field `onClick`, not by the constructor; not learned",
      "field `handle` is assigned in method `open`, not by the constructor; not learned",
      "field `_value` is assigned in method `value`, not by the constructor; not learned",
    ]);
  });

  test("auto-accessors (as emitted) and computed field keys are not learned and say why", () => {
    // What esbuild emits for \`accessor count = 0\` and \`static accessor total = 0\`
    // (no engine runs auto-accessors natively): private storage and a get/set pair.
    const parsed = parseClassSource(`class C {
      #count = 0;
      get count() { return this.#count; }
      set count(_) { this.#count = _; }
      [key] = 1;
      [/* @__PURE__ */ Symbol.for("app.tag")] = 2;
      ["literal"] = 3;
      static #total = 0;
      static get total() { return this.#total; }
      static set total(_) { this.#total = _; }
    }`);
    expect(parsed.fields).toEqual([{ name: "literal", initializer: "3" }]);
    expect(parsed.hasPrivateMembers).toBe(true);
    expect(parsed.privateMembers).toEqual(["#count", "#total"]);
    expect(parsed.unsupported).toEqual([
      "field with computed key `[key]`; not learned",
      "symbol-keyed field `[app.tag]`; not learned",
    ]);
    expect(parsed.members.map((m) => `${m.static ? "static " : ""}${m.kind} ${m.name}`)).toEqual([
      "field #count",
      "get count",
      "set count",
      "field [key]",
      "field [app.tag]",
      "field literal",
      "static field #total",
      "static get total",
      "static set total",
    ]);
  });
});

describe("parseClassSource: methods, statics, keys", () => {
  const source = `class Shape extends mixin(Base, "x") {
    static count = 0;
    static #registry = new Map();
    static { this.ready = true; }
    area() { return 0; }
    get size() { return this.area(); }
    set size(v) { throw new Error(String(v)); }
    async load(url) { return await fetch(url); }
    *points() { yield 1; }
    async *stream() { yield 2; }
    static create() { return new Shape(); }
    static get total() { return Shape.count; }
    [Symbol.iterator]() { return this.points(); }
    static [Symbol.hasInstance](x) { return false; }
    [Symbol.for("app.describe")]() { return "shape"; }
    ["with space"]() { return 1; }
    'quoted'() { return 2; }
    0x10() { return 16; }
    [\`tpl\`]() { return 3; }
    [dynamicName]() {}
    [Symbol.for("Symbol.fake")]() {}
  }`;
  const parsed = parseClassSource(source);

  test("every method kind, instance and static, in source order", () => {
    expect(parsed.superclass).toBe('mixin(Base, "x")');
    expect(methodSummary(parsed)).toEqual([
      "method area",
      "get size",
      "set size",
      "method load",
      "method points",
      "method stream",
      "static method create",
      "static get total",
      "method [Symbol.iterator]",
      "static method [Symbol.hasInstance]",
      "method [app.describe]",
      "method with space",
      "method quoted",
      "method 16",
      "method tpl",
    ]);
  });

  test("method sources are the exact member text, modifiers included", () => {
    const byName = new Map(
      parsed.methods.map((m) => [methodSummary({ ...parsed, methods: [m] })[0], m]),
    );
    expect(byName.get("method load")?.source).toBe("async load(url) { return await fetch(url); }");
    expect(byName.get("method points")?.source).toBe("*points() { yield 1; }");
    expect(byName.get("method stream")?.source).toBe("async *stream() { yield 2; }");
    expect(byName.get("static get total")?.source).toBe(
      "static get total() { return Shape.count; }",
    );
    expect(byName.get("method [Symbol.iterator]")?.source).toBe(
      "[Symbol.iterator]() { return this.points(); }",
    );
    for (const method of parsed.methods) {
      const member = parsed.members.find((m) => source.slice(m.start, m.end) === method.source);
      expect(member, method.source).toBeDefined();
    }
  });

  test("method sources paste into a class body and run", () => {
    const body = parsed.methods
      .filter((m) => m.key !== "load" && m.key !== "area")
      .map((m) => m.source)
      .join("\n");
    const Rebuilt = evaluate(`class Shape { area() { return 7; } ${body} }`) as unknown as {
      new (): { size: number; points(): Iterator<number>; [Symbol.iterator](): Iterator<number> };
      total: number;
      count: number;
    };
    const shape = new Rebuilt();
    expect(shape.size).toBe(7);
    expect([...{ [Symbol.iterator]: () => shape[Symbol.iterator]() }]).toEqual([1]);
    expect(Object.getOwnPropertyNames(Rebuilt.prototype)).toContain("16");
  });

  test("symbol keys are serialisable member keys", () => {
    expect(
      parsed.methods.find((m) => m.kind === "method" && typeof m.key !== "string")?.key,
    ).toEqual({
      symbol: "Symbol.iterator",
    });
    expect(parsed.methods.filter((m) => typeof m.key !== "string").map((m) => m.key)).toEqual([
      { symbol: "Symbol.iterator" },
      { symbol: "Symbol.hasInstance" },
      { symbol: "app.describe" },
    ]);
  });

  test("unsupported computed keys are listed and left out", () => {
    expect(parsed.unsupported).toEqual([
      "method with computed key `[dynamicName]`; not learned",
      'method with computed key `[Symbol.for("Symbol.fake")]`; not learned',
    ]);
    expect(parsed.members.filter((m) => m.key === null && !m.private).map((m) => m.name)).toEqual([
      "static {}",
      "[dynamicName]",
      '[Symbol.for("Symbol.fake")]',
    ]);
  });

  test("static fields come from declarations and static blocks, in order", () => {
    expect(parsed.staticFields).toEqual([
      { name: "count", initializer: "0" },
      { name: "ready", initializer: "true" },
    ]);
    expect(parsed.fields).toEqual([]);
    expect(parsed.privateMembers).toEqual(["#registry"]);
    expect(parsed.hasPrivateMembers).toBe(true);
  });

  test("a method defined twice keeps its first position and last source", () => {
    const twice = parseClassSource("class C { a() { return 1; } b() {} a() { return 2; } }");
    expect(twice.methods.map((m) => m.source)).toEqual(["a() { return 2; }", "b() {}"]);
    expect(twice.unsupported).toEqual([
      "method `a` is defined more than once; the last definition is kept",
    ]);
  });

  test("a static and an instance member of one name are different members", () => {
    const both = parseClassSource("class C { static a = 1; a = 2; static m() {} m() {} }");
    expect(both.fields).toEqual([{ name: "a", initializer: "2" }]);
    expect(both.staticFields).toEqual([{ name: "a", initializer: "1" }]);
    expect(methodSummary(both)).toEqual(["static method m", "method m"]);
    expect(both.unsupported).toEqual([]);
  });
});

describe("parseClassSource: private members", () => {
  test("every private form is named, in source order, and kept out of fields and methods", () => {
    const parsed = parseClassSource(`class Counter {
      #count = 0;
      static #instances = 0;
      #bump() { this.#count++; }
      get #double() { return this.#count * 2; }
      static #reset() {}
      visible = 1;
      static isCounter(o) { return #count in o; }
      inc() { this.#bump(); return this.#double; }
    }`);
    expect(parsed.hasPrivateMembers).toBe(true);
    expect(parsed.privateMembers).toEqual(["#count", "#instances", "#bump", "#double", "#reset"]);
    expect(parsed.fields).toEqual([{ name: "visible", initializer: "1" }]);
    expect(methodSummary(parsed)).toEqual(["static method isCounter", "method inc"]);
    expect(
      parsed.members
        .filter((m) => m.private)
        .map((m) => `${m.static ? "static " : ""}${m.kind} ${m.name}`),
    ).toEqual([
      "field #count",
      "static field #instances",
      "method #bump",
      "get #double",
      "static method #reset",
    ]);
  });

  test("a class without private members says so", () => {
    const parsed = parseClassSource("class Plain { a = 1; m() { return this.a; } }");
    expect(parsed.hasPrivateMembers).toBe(false);
    expect(parsed.privateMembers).toEqual([]);
  });

  test("an inner class using an enclosing class's private name has none of its own", () => {
    const parsed = parseClassSource(
      "class Inner { peek(o) { return #secret in o ? o.#secret : 0; } }",
    );
    expect(parsed.hasPrivateMembers).toBe(false);
    expect(parsed.unsupported).toEqual([
      "uses private name `#secret` declared by an enclosing class",
    ]);
  });

  test("a private write in the constructor is not a public field", () => {
    const parsed = parseClassSource("class C { #x; constructor(x) { this.#x = x; this.y = 1; } }");
    expect(parsed.fields).toEqual([{ name: "y", initializer: "1" }]);
    expect(parsed.privateMembers).toEqual(["#x"]);
  });
});

describe("the private-member detector used by rewriting", () => {
  test("agrees with the parsed members: instance # members count, static ones and uses do not", () => {
    const cases: [string, boolean][] = [
      ["class Counter { #count = 0; static #instances = 0; inc() { this.#count++; } }", true],
      ["class Plain { a = 1; m() { return this.a; } }", false],
      ["class Inner { peek(o) { return #secret in o ? o.#secret : 0; } }", false],
      ["class C { #x; constructor(x) { this.#x = x; this.y = 1; } }", true],
      ["class S { static #n = 0; static get #x() { return S.#n; } }", false],
      ["class M { #m() {} }", true],
    ];
    for (const [source, expected] of cases) {
      const parsed = parseClassSource(source);
      expect([source, sourceDeclaresPrivateMembers(source)]).toEqual([source, expected]);
      expect(parsed.members.some((m) => m.private && !m.static)).toBe(expected);
    }
  });
});

describe("parseClassSource: shapes of text", () => {
  test("anonymous classes, spans relative to the given text", () => {
    const source = "class { a = 1; m() { return 2; } }";
    const parsed = parseClassSource(source);
    expect(parsed.name).toBe("");
    expect(parsed.start).toBe(0);
    expect(parsed.end).toBe(source.length);
    expect(parsed.members.map((m) => source.slice(m.start, m.end))).toEqual([
      "a = 1;",
      "m() { return 2; }",
    ]);
  });

  test("leading comments and whitespace, a trailing line comment", () => {
    const source = "  /* doc */\n class Named extends A.B { m() {} } // done";
    const parsed = parseClassSource(source);
    expect(parsed.name).toBe("Named");
    expect(parsed.superclass).toBe("A.B");
    expect(source.slice(parsed.start, parsed.end)).toBe("class Named extends A.B { m() {} }");
    expect(source.slice(parsed.members[0]!.start, parsed.members[0]!.end)).toBe("m() {}");
  });

  test("extends expressions are kept as written", () => {
    expect(parseClassSource("class A extends (flag ? B : C) {}").superclass).toBe("(flag ? B : C)");
    expect(parseClassSource("class A extends null {}").superclass).toBe("null");
    expect(parseClassSource("class A extends class {} {}").superclass).toBe("class {}");
  });

  test("text that is not one class is refused with a clear error", () => {
    expectInvalid(
      () => parseClassSource("function Foo() { this.a = 1; }"),
      /a function, not a class.*function Foo/,
    );
    expectInvalid(() => parseClassSource("() => 1"), /not a single class/);
    expectInvalid(() => parseClassSource(""), /one class/);
    expectInvalid(() => parseClassSource("class A {} class B {}"), /class/);
    expectInvalid(() => parseClassSource("class A {}; x"), /class/);
    expectInvalid(() => parseClassSource("class A { m( }"), /syntax error at offset 13/);
    expectInvalid(() => parseClassSource("class A { constructor() {"), /syntax error/);
    expectInvalid(
      () => parseClassSource("function Map() { [native code] }"),
      /a function, not a class/,
    );
    expectInvalid(() => parseClassSource(`class A { ${"x".repeat(200)} = 1 ) }`), /\.\.\.`$/);
  });
});

describe("transpiled forms", () => {
  test("esbuild below ES2022: __publicField and lowered private fields", () => {
    // esbuild 0.25, target es2020, useDefineForClassFields true.
    const parsed = parseClassSource(`class A extends Base {
  constructor(x, y = 3) {
    super();
    __publicField(this, "x", x);
    __publicField(this, "y", y);
    __publicField(this, "a", 1);
    __publicField(this, "b");
    __privateAdd(this, _p, 2);
    this.b = x + 1;
  }
  get p() {
    return __privateGet(this, _p);
  }
}`);
    expect(parsed.fields).toEqual([
      { name: "x" },
      { name: "y", initializer: "3" },
      { name: "a", initializer: "1" },
      { name: "b" },
    ]);
    expect(parsed.hasPrivateMembers).toBe(true);
    expect(parsed.unsupported).toEqual([
      "private state lowered by a transpiler (`__privateAdd(this, _p, 2)`) is invisible to reflection",
      "private state lowered by a transpiler (`__privateGet(this, _p)`) is invisible to reflection",
    ]);
  });

  test("a minified bundle: esbuild's field helper renamed `c` (graphlib 3.0.4) is read as fields, unless a method has the name", () => {
    const parsed = parseClassSource(
      `class Graph{constructor(e){c(this,"_isDirected",!0);c(this,"_nodes",{});this._label=void 0;e&&(this._isDirected=e.directed)}}`,
    );
    expect(parsed.fields).toEqual([
      { name: "_isDirected", initializer: "!0" },
      { name: "_nodes", initializer: "{}" },
      { name: "_label", initializer: "void 0" },
    ]);
    expect(parsed.unsupported).toEqual([]);
    // The same shape need not be a field helper (a listener): a field of a
    // method's name would shadow it, so that is not read as one, nor is the
    // shape outside the constructor.
    const other = parseClassSource(
      `class A { constructor(v) { on(this, "close", v); f(this, key, v); g(this, "b"); } close() {} open() { on(this, "data", 1); } }`,
    );
    expect(other.fields).toEqual([]);
    expect(other.unsupported).toEqual([
      'the constructor creates properties that cannot be named statically: `on(this, "close", v)`',
    ]);
  });

  test("tsc below ES2022: Object.defineProperty and WeakMap private fields", () => {
    const parsed = parseClassSource(`class A extends Base {
    constructor(x, y = 3) {
        super();
        Object.defineProperty(this, "x", { enumerable: true, configurable: true, writable: true, value: x });
        Object.defineProperty(this, "a", { enumerable: true, configurable: true, writable: true, value: 1 });
        Object.defineProperty(this, "b", { enumerable: true, configurable: true, writable: true, value: void 0 });
        _A_p.set(this, 2);
        Object.defineProperty(this, "c", { get() { return 1; } });
    }
}`);
    expect(parsed.fields).toEqual([
      { name: "x" },
      { name: "a", initializer: "1" },
      { name: "b", initializer: "void 0" },
    ]);
    expect(parsed.hasPrivateMembers).toBe(true);
    expect(parsed.unsupported[0]).toMatch(/_A_p\.set\(this, 2\)/);
    expect(parsed.unsupported[1]).toMatch(
      /cannot be named statically: `Object\.defineProperty\(this, "c"/,
    );
  });

  test("Babel helpers, including the module-interop call form", () => {
    const parsed = parseClassSource(`class A {
      constructor() {
        _defineProperty(this, "a", 1);
        (0, _defineProperty2.default)(this, "b", []);
        _classPrivateFieldInitSpec(this, _secret, { writable: true, value: 0 });
      }
    }`);
    expect(parsed.fields).toEqual([
      { name: "a", initializer: "1" },
      { name: "b", initializer: "[]" },
    ]);
    expect(parsed.hasPrivateMembers).toBe(true);
  });

  test("useDefineForClassFields false: statics from a static block, __name ignored", () => {
    const parsed = parseClassSource(`class A extends Base {
    static { __name(this, "A"); }
    static { this.s = 5; this.t = this.s + 1; }
    #p;
    constructor(x, y = 3) {
        super();
        this.x = x;
        this.a = 1;
        this.#p = 2;
    }
}`);
    expect(parsed.staticFields).toEqual([
      { name: "s", initializer: "5" },
      { name: "t", initializer: "this.s + 1" },
    ]);
    expect(parsed.fields).toEqual([{ name: "x" }, { name: "a", initializer: "1" }]);
    expect(parsed.unsupported).toEqual([]);
  });

  test("tsx output: minified layout, constructor before the fields, __name block", () => {
    // What `tsx` (esbuild with keepNames) prints for a TS class with parameter properties.
    const source =
      'class A extends Base{constructor(x,y=3){super();this.x=x;this.y=y;this.b=x+1;this.c=[]}x;y;static{__name(this,"A")}a=1;b;static s=5;#p=2;get p(){return this.#p}}';
    const parsed = parseClassSource(source);
    expect(parsed.fields).toEqual([
      { name: "x" },
      { name: "y", initializer: "3" },
      { name: "a", initializer: "1" },
      { name: "b" },
      { name: "c", initializer: "[]" },
    ]);
    expect(parsed.staticFields).toEqual([{ name: "s", initializer: "5" }]);
    expect(parsed.methods.map((m) => m.source)).toEqual(["get p(){return this.#p}"]);
    expect(parsed.privateMembers).toEqual(["#p"]);
    expect(parsed.unsupported).toEqual([]);
  });
});

// Classes compiled by this test run's own TypeScript transform.
class LiveBase {
  constructor(public readonly origin = "base") {}
}

class LiveAccount extends LiveBase {
  static opened = 0;
  balance = 0;
  owner: string;
  declare brand: string;
  history: number[] = [];
  #pin = 1234;
  constructor(
    private readonly bank: string,
    public currency: string,
    owner: string,
  ) {
    super();
    this.owner = owner.trim();
    this.createdAt = 17;
  }
  createdAt: number;
  deposit(amount: number): void {
    this.balance += amount;
  }
  checkPin(pin: number): boolean {
    return pin === this.#pin;
  }
  bankName(): string {
    return this.bank;
  }
}

describe("readClassSource on live TypeScript classes", () => {
  test("fields come back in the order instances actually have them", () => {
    const parsed = readClassSource(LiveAccount);
    const instance = new LiveAccount("b", "EUR", " ann ");
    const inherited = Object.keys(new LiveBase());
    expect(Object.keys(instance).filter((k) => !inherited.includes(k))).toEqual(
      names(parsed.fields),
    );
    expect(names(parsed.fields)).toEqual([
      "bank",
      "currency",
      "balance",
      "owner",
      "history",
      "createdAt",
    ]);
    expect(parsed.fields.find((f) => f.name === "history")?.initializer).toBe("[]");
    expect(parsed.fields.find((f) => f.name === "createdAt")?.initializer).toBe("17");
    expect(parsed.fields.find((f) => f.name === "owner")?.initializer).toBeUndefined();
    expect(parsed.staticFields).toEqual([{ name: "opened", initializer: "0" }]);
    expect(parsed.privateMembers).toEqual(["#pin"]);
    expect(methodSummary(parsed)).toEqual(["method deposit", "method checkPin", "method bankName"]);
    expect(parsed.superclass).toBe("LiveBase");
    expect(names(readClassSource(LiveBase).fields)).toEqual(["origin"]);
  });

  test("the transform emits parameter properties as field declarations", () => {
    // Documents the form the parser must handle: no TS syntax survives, and
    // parameter properties become plain `x;` declarations.
    const text = Function.prototype.toString.call(LiveAccount);
    expect(text).not.toMatch(/private|readonly|declare|: string/);
    expect(text).toMatch(/^\s*bank;\s*$/m);
    expect(text).toMatch(/this\.bank = bank/);
  });

  test("results are cached per class and immutable", () => {
    const first = readClassSource(LiveAccount);
    expect(readClassSource(LiveAccount)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.fields)).toBe(true);
    expect(Object.isFrozen(first.fields[0])).toBe(true);
  });

  test("an anonymous class expression takes its runtime name; a static toString is bypassed", () => {
    const Holder = class {
      value = 1;
      static toString(): string {
        return "not a class";
      }
    };
    const parsed = readClassSource(Holder);
    expect(parsed.name).toBe("Holder");
    expect(parsed.fields).toEqual([{ name: "value", initializer: "1" }]);
  });

  test("functions that are not classes are refused", () => {
    expectInvalid(() => readClassSource(Map), /a function, not a class.*native code/);
    expectInvalid(() => readClassSource(() => 1), /not a single class/);
    expectInvalid(
      () =>
        readClassSource(function Legacy(this: { a: number }) {
          this.a = 1;
        }),
      /function Legacy/,
    );
  });
});

describe("parseModuleClasses", () => {
  test("every top-level class form, by name, in source order, with spans", () => {
    const source = `import { Base } from "./base.js";
class Plain { a = 1; }
export class Exported extends Base { m() {} }
const Expr = class Inner { b = 2; }, other = 3, Second = (class {});
let Later = class {};
function factory() { return class NotTopLevel {}; }
if (x) { class AlsoNot {} }
export default class Default { static s = 1; }
`;
    const classes = parseModuleClasses(source, "/app/models.js");
    expect(classes.map((c) => c.name)).toEqual([
      "Plain",
      "Exported",
      "Expr",
      "Second",
      "Later",
      "default",
    ]);
    expect(classes.map((c) => source.slice(c.start, c.end))).toEqual([
      "class Plain { a = 1; }",
      "export class Exported extends Base { m() {} }",
      "class Inner { b = 2; }",
      "class {}",
      "class {}",
      "export default class Default { static s = 1; }",
    ]);
    expect(classes[1]!.superclass).toBe("Base");
    expect(classes[2]!.fields).toEqual([{ name: "b", initializer: "2" }]);
    const exported = classes[1]!;
    expect(source.slice(exported.members[0]!.start, exported.members[0]!.end)).toBe("m() {}");
  });

  test("anonymous default exports are named `default`", () => {
    expect(
      parseModuleClasses("export default class { x = 1; }", "a.mjs").map((c) => c.name),
    ).toEqual(["default"]);
    expect(parseModuleClasses("export default (class { x = 1; });", "a.js")[0]?.fields).toEqual([
      { name: "x", initializer: "1" },
    ]);
  });

  test("TypeScript as tsc emits it: parameter properties first, type-only members gone", () => {
    // tsc (target ES2022, useDefineForClassFields by default) for:
    //   export abstract class Repo<T extends { id: string }> extends Store<T> implements Iterable<T> {
    //     [key: string]: unknown; declare readonly tag: string; abstract kind: string;
    //     private items: Map<string, T> = new Map<string, T>(); count!: number; label?: string;
    //     static readonly instances: number = 0;
    //     constructor(private readonly db: Db, public name = "repo", plain: number) {
    //       super(); this.count = plain as number; this.ready = true satisfies boolean; }
    //     get(id: string): T | undefined; get(id: string, fallback: T): T;
    //     get(id: string, fallback?: T): T | undefined { return this.items.get(id) ?? fallback; }
    //     abstract validate(item: T): boolean;
    //     *[Symbol.iterator](): Iterator<T> { yield* this.items.values(); }
    //     protected async save<U>(item: U): Promise<void> {} }
    //   declare class Ambient { x: number }
    //   const Cast = class { a = 1 } as unknown as new () => object;
    const source = `export class Repo extends Store {
    db;
    name;
    items = new Map();
    count;
    label;
    static instances = 0;
    constructor(db, name = "repo", plain) {
        super();
        this.db = db;
        this.name = name;
        this.count = plain;
        this.ready = true;
    }
    get(id, fallback) {
        return this.items.get(id) ?? fallback;
    }
    *[Symbol.iterator]() { yield* this.items.values(); }
    async save(item) { }
}
const Cast = class {
    a = 1;
};
`;
    const [repo, cast, ...rest] = parseModuleClasses(source, "src/repo.js");
    expect(rest).toEqual([]);
    expect(repo!.name).toBe("Repo");
    expect(repo!.superclass).toBe("Store");
    expect(repo!.fields).toEqual([
      { name: "db" },
      { name: "name", initializer: '"repo"' },
      { name: "items", initializer: "new Map()" },
      { name: "count" },
      { name: "label" },
      { name: "ready", initializer: "true" },
    ]);
    expect(repo!.staticFields).toEqual([{ name: "instances", initializer: "0" }]);
    expect(methodSummary(repo!)).toEqual(["method get", "method [Symbol.iterator]", "method save"]);
    expect(repo!.methods[0]!.source).toMatch(/^get\(id, fallback\) \{/);
    expect(repo!.methods[2]!.source).toBe("async save(item) { }");
    const paramSpans = repo!.members.filter(
      (m) => m.kind === "field" && (m.name === "db" || m.name === "name"),
    );
    expect(paramSpans.map((m) => source.slice(m.start, m.end))).toEqual(["db;", "name;"]);
    expect(cast!.name).toBe("Cast");
    expect(cast!.fields).toEqual([{ name: "a", initializer: "1" }]);
  });

  test("the documented TypeScript field order is the order tsc's emit creates", () => {
    const source = `
class Base { constructor(public inherited = 0) {} }
export class Order extends Base {
  first = 1;
  second: string;
  constructor(private p1: number, readonly p2: string, local: number) {
    super();
    this.second = "s";
    this.third = local;
  }
  third: number;
  fourth = 4;
}`;
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    const { Order, Base } = new Function(
      `${js.replace(/export /g, "")}; return { Order, Base };`,
    )() as {
      Order: new (a: number, b: string, c: number) => object;
      Base: new () => object;
    };
    const own = Object.keys(new Order(1, "2", 3)).filter(
      (k) => !Object.keys(new Base()).includes(k),
    );
    expect(own).toEqual(["p1", "p2", "first", "second", "third", "fourth"]);
    // Parsing tsc's JavaScript output gives the same fields.
    const fromJs = parseModuleClasses(js, "order.js").find((c) => c.name === "Order")!;
    expect(names(fromJs.fields)).toEqual(own);
    expect(fromJs.fields.find((f) => f.name === "second")?.initializer).toBe('"s"');
  });

  test("decorators (as tsc and esbuild emit them) are reported, JSX (as emitted) parses", () => {
    // \`@sealed class D { @log m() {} }\` with experimentalDecorators, target ES2022.
    const tsc = `let D = class D {
    m() { }
};
__decorate([
    log
], D.prototype, "m", null);
D = __decorate([
    sealed
], D);
`;
    const esbuild = `let D = class {
  m() {
  }
};
__decorateClass([
  log
], D.prototype, "m", 1);
D = __decorateClass([
  sealed
], D);
`;
    for (const source of [tsc, esbuild]) {
      const [decorated] = parseModuleClasses(source, "d.js");
      expect(decorated!.unsupported).toEqual([
        "class decorators are not evaluated; they may replace the class or its members",
        "member decorators are not evaluated; they may replace members or add initialisers",
      ]);
    }
    // esbuild for \`export class View { render() { return <div a={1} />; } }\` (.tsx).
    const [view] = parseModuleClasses(
      `export class View {
  render() {
    return /* @__PURE__ */ React.createElement("div", { a: 1 });
  }
}`,
      "v.js",
    );
    expect(view!.methods[0]!.source).toMatch(/^render\(\) \{\n\s+return \/\* @__PURE__/);
  });

  test("a syntax error names the file and position", () => {
    let caught: unknown;
    try {
      parseModuleClasses("class A {\n  m( {\n}", "src/broken.js");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidClassDefinitionError);
    expect((caught as Error).message).toMatch(
      /^Cannot read the classes of src\/broken\.js: syntax error at 3:2: Unexpected token/,
    );
    expect((caught as InvalidClassDefinitionError).details).toMatchObject({
      fileName: "src/broken.js",
      line: 3,
      column: 2,
    });
  });

  test("a module without classes gives none", () => {
    expect(parseModuleClasses("export const x = 1;\nfunction f() {}", "x.js")).toEqual([]);
  });
});

describe("no compiler at run time", () => {
  test("without Node's require (a browser) class source still parses", async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    try {
      const fresh = await import("../../src/mop/source/parse.js");
      expect(fresh.parseClassSource("class A { a = 1 }").fields).toEqual([
        { name: "a", initializer: "1" },
      ]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      vi.resetModules();
    }
  });
});

// ---------------------------------------------------------------------------
// Property: random class shapes round-trip through print → parse.

const RESERVED = new Set(
  `break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async get set accessor constructor prototype of`.split(
    " ",
  ),
);
const identifier = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,6}$/).filter((n) => !RESERVED.has(n));

type MemberSpec =
  | { readonly kind: "field"; readonly static: boolean; readonly init: number | null }
  | { readonly kind: "ctor"; readonly init: number | null }
  | {
      readonly kind: "method" | "get" | "set";
      readonly static: boolean;
      readonly flavour: "" | "async " | "*";
    }
  | { readonly kind: "symbol"; readonly static: boolean };

const memberSpec: fc.Arbitrary<MemberSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("field" as const),
    static: fc.boolean(),
    init: fc.option(fc.integer()),
  }),
  fc.record({ kind: fc.constant("ctor" as const), init: fc.option(fc.integer()) }),
  fc.record({
    kind: fc.constantFrom("method" as const, "get" as const, "set" as const),
    static: fc.boolean(),
    flavour: fc.constantFrom("" as const, "async " as const, "*" as const),
  }),
  fc.record({ kind: fc.constant("symbol" as const), static: fc.boolean() }),
);

interface Printed {
  readonly source: string;
  readonly fields: FieldDefinition[];
  readonly staticFields: FieldDefinition[];
  readonly methods: MethodDefinition[];
}

function printClass(
  members: readonly (readonly [string, MemberSpec])[],
  withSuper: boolean,
): Printed {
  const body: string[] = [];
  const ctor: string[] = [];
  const fields: FieldDefinition[] = [];
  const ctorFields: FieldDefinition[] = [];
  const staticFields: FieldDefinition[] = [];
  const methods: MethodDefinition[] = [];
  for (const [name, spec] of members) {
    switch (spec.kind) {
      case "field": {
        const prefix = spec.static ? "static " : "";
        body.push(spec.init === null ? `${prefix}${name};` : `${prefix}${name} = ${spec.init};`);
        const field = spec.init === null ? { name } : { name, initializer: String(spec.init) };
        (spec.static ? staticFields : fields).push(field);
        break;
      }
      case "ctor":
        // A null init stands for a value computed from a parameter.
        ctor.push(`this.${name} = ${spec.init === null ? "p * 2" : String(spec.init)};`);
        ctorFields.push(spec.init === null ? { name } : { name, initializer: String(spec.init) });
        break;
      case "symbol": {
        const source = `${spec.static ? "static " : ""}[Symbol.for("app.${name}")]() { return "${name}"; }`;
        body.push(source);
        methods.push({
          key: { symbol: `app.${name}` },
          kind: "method",
          static: spec.static,
          source,
        });
        break;
      }
      default: {
        const flavour = spec.kind === "method" ? spec.flavour : "";
        const head = `${spec.static ? "static " : ""}${spec.kind === "method" ? "" : `${spec.kind} `}${flavour}`;
        const params = spec.kind === "set" ? "v" : "";
        const source = `${head}${name}(${params}) { return ${spec.kind === "set" ? "void v" : "1"}; }`;
        body.push(source);
        methods.push({ key: name, kind: spec.kind, static: spec.static, source });
      }
    }
  }
  const lines = [
    `class Generated${withSuper ? " extends Object" : ""} {`,
    ...body.map((l) => `  ${l}`),
  ];
  if (ctor.length > 0 || withSuper) {
    lines.push(
      "  constructor(p) {",
      ...(withSuper ? ["    super();"] : []),
      ...ctor.map((l) => `    ${l}`),
      "  }",
    );
  }
  lines.push("}");
  return { source: lines.join("\n"), fields: [...fields, ...ctorFields], staticFields, methods };
}

test("property: printed random class shapes parse back to exactly their members", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(identifier, memberSpec), {
        selector: ([name]) => name,
        maxLength: 14,
      }),
      fc.boolean(),
      (members, withSuper) => {
        const printed = printClass(members, withSuper);
        const parsed = parseClassSource(printed.source);
        expect(parsed.name).toBe("Generated");
        expect(parsed.superclass).toBe(withSuper ? "Object" : null);
        expect(parsed.fields).toEqual(printed.fields);
        expect(parsed.staticFields).toEqual(printed.staticFields);
        expect(parsed.methods).toEqual(printed.methods);
        expect(parsed.unsupported).toEqual([]);
        expect(parsed.hasPrivateMembers).toBe(false);
        for (const member of parsed.members) {
          expect(printed.source.slice(member.start, member.end)).toMatch(
            /^(static |get |set |async |\*|constructor|\[|[a-z])/,
          );
        }
        // The engine agrees on the order of instance and static fields.
        const Generated = evaluate(printed.source) as unknown as new (p: number) => object;
        expect(Object.keys(new Generated(3))).toEqual(names(printed.fields));
        expect(Object.keys(Generated)).toEqual(names(printed.staticFields));
      },
    ),
    { seed: 20240611, numRuns: 300 },
  );
});
