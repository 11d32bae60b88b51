/**
 * What a class's code reads of the object after the call that made it
 * returned (closureMembers.ts): closures reaching it through a name that
 * holds `this` (Babel's, tsc's and CoffeeScript's `_this`, a hand-written
 * `self`), and `async` or generator methods, native or transpiled, read
 * after an `await` or `yield`.
 */
import { describe, expect, test } from "vitest";
import { closureMembers } from "../../../src/mop/source/closureMembers.js";
import { readSuspendedMembers } from "../../../src/mop/source/parse.js";
import { parseJavaScript } from "../../../src/mop/source/parser.js";
import { skipOuterExpressions } from "../../../src/mop/source/syntax.js";

const classNode = (source: string) => {
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok || parsed.program.body[0]?.type !== "ExpressionStatement")
    throw new Error("not a class");
  return skipOuterExpressions(parsed.program.body[0].expression);
};
const closures = (body: string) => [...closureMembers(classNode(`class A { m() { ${body} } }`))];
const suspended = (members: string) =>
  Object.fromEntries(readSuspendedMembers(new Function(`return class A { ${members} };`)()));

describe("closures reaching the object through a name that holds it", () => {
  test("a transpiled arrow (`var _this = this; … function () { _this.tick() }`) given to a timer; not a function's own `_this`", () => {
    expect(closures("var _this = this; setInterval(function () { _this.tick(); }, 10);")).toEqual([
      "tick",
    ]);
    expect(closures("const self = this; this.on('x', function () { return self.done; });")).toEqual(
      ["done"],
    );
    // A function bound to the object, as written before arrows.
    expect(closures("setTimeout(function () { this.flush(); }.bind(this), 10);")).toEqual([
      "flush",
    ]);
    // CoffeeScript declares it first and assigns it after.
    expect(
      closures("var _this; _this = this; emitter.on('x', function () { _this.b(); });"),
    ).toEqual(["b"]);
    // Not a nested function's own `_this`, nor one run during the call, nor an assignment.
    expect(
      closures(
        "var _this = this; later(function () { var _this = this; return function () { _this.mine(); }; });",
      ),
    ).toEqual([]);
    expect(closures("var _this = this; this.xs.forEach(function (x) { _this.add(x); });")).toEqual(
      [],
    );
    expect(closures("var _this = this; (function () { _this.now(); })();")).toEqual([]);
    expect(closures("var _this = this; later(function () { _this.timer = null; });")).toEqual([]);
  });
});

describe("reads after an `await` or `yield`", () => {
  test("a native async method: what follows the first await, not what precedes it", () => {
    expect(
      suspended(
        "async run() { this.before(); const v = await this.task(); return this.after(v); }",
      ),
    ).toEqual({ after: ["run()"] });
    // An async method that never awaits is never suspended.
    expect(suspended("async run() { return this.a(); }")).toEqual({});
    // Assigned, not read: a dropped field assigned adds a property, nothing fails.
    expect(suspended("async run() { await 1; this.state = 'done'; }")).toEqual({});
  });

  test("a loop holding an await repeats its test and body; a for…of reads its iterable once", () => {
    expect(
      suspended("async poll() { while (this.running) { this.tick(); await sleep(); } }"),
    ).toEqual({ running: ["poll()"], tick: ["poll()"] });
    expect(
      suspended("async each() { for (const x of this.items) { this.use(x); await x; } }"),
    ).toEqual({ use: ["each()"] });
    expect(
      suspended(
        "async *[Symbol.asyncIterator]() { for await (const x of this.src) yield this.f(x); }",
      ),
    ).toEqual({ f: ["[Symbol.asyncIterator]()"] });
  });

  test("transpiled: Babel's _asyncToGenerator, tsc's __awaiter, esbuild's __async", () => {
    const babel =
      "run() { var _this = this; return _asyncToGenerator(function* () { _this.a(); yield _this.task(); return _this.b(); })(); }";
    expect(suspended(babel)).toEqual({ b: ["run()"] });
    const tsc =
      "run() { return __awaiter(this, void 0, void 0, function* () { this.a(); yield this.task(); return this.b(); }); }";
    expect(suspended(tsc)).toEqual({ b: ["run()"] });
    const esbuild =
      "run() { return __async(this, null, function* () { yield this.task(); this.c(); }); }";
    expect(suspended(esbuild)).toEqual({ c: ["run()"] });
    // Babel's async arrow handed to a timer is a closure, all of it.
    const timer =
      "m() { var _this = this; setTimeout(_asyncToGenerator(function* () { _this.x(); yield 1; }), 1); }";
    expect(suspended(timer)).toEqual({});
    expect([...closureMembers(classNode(`class A { ${timer} }`))]).toEqual(["x"]);
  });
});

test("an arrow a field initialiser makes keeps the object: what it reads counts; what the initialiser reads while constructing does not (review advX5)", () => {
  expect([
    ...closureMembers(
      classNode(
        "class A { limit = this.max; onTick = () => this.gone2(); handler = function () { return this.own; }; }",
      ),
    ),
  ]).toEqual(["gone2"]);
});
