/**
 * Code a reload evaluates outside its module (src/dev/scopeEvaluate.ts)
 * behaves as if it were evaluated in the module's scope: generated code —
 * reads, writes, compound and destructuring assignments, shorthand
 * properties, calls (`this` undefined), `typeof`, and the ways code declares
 * names of its own that shadow module bindings (blocks, parameters, catch,
 * loops, `var` hoisting, named function and class expressions, labels,
 * property keys) — gives the same results and leaves the module's bindings
 * with the same values as with a direct `eval` in the module. Its text, read
 * back from a function it made, is the text as written.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { ScopeAccess } from "../../src/dev/scopeAccess.js";
import { asWritten, evaluateInScope, TopLevelOnlyBinding } from "../../src/dev/scopeEvaluate.js";

interface World {
  /** Direct eval in the module's scope: how code ran before. */
  readonly direct: (code: string) => unknown;
  readonly access: ScopeAccess;
  readonly state: () => unknown;
}

/**
 * A module scope: `a`, `b` (let), `f` (a function reporting whether `this`
 * is undefined), `log` (const), `K` (a class) have accessors; `c` (a let
 * only top-level code uses) has none.
 */
function world(): World {
  return new Function(`"use strict";
    let a = 1, b = 2, c = 3;
    const log = [];
    function f(v) { return [this === undefined, v]; }
    class K { static tag = "K"; }
    const access = {
      bindings: {
        __proto__: null,
        get a() { return a; }, set a(v) { a = v; },
        get b() { return b; }, set b(v) { b = v; },
        get f() { return f; }, set f(v) { f = v; },
        get log() { return log; },
        get K() { return K; }, set K(v) { K = v; },
      },
      import: (s) => import(s),
      strict: true,
    };
    return { direct: (code) => eval(code), access, state: () => [a, b, c, log, f(0)] };`)() as World;
}

const BOUND = new Set(["a", "b", "c", "f", "log", "K"]);

const letter = fc.constantFrom("a", "b");

/** Expressions over the module's bindings (and `c` only where the code declares it). */
const expression: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -3, max: 9 }).map(String),
  letter,
  fc.tuple(letter, letter).map(([x, y]) => `(${x} + ${y})`),
  letter.map((x) => `f(${x})[1]`),
  letter.map((x) => `(0, f)(${x})[0]`),
  letter.map((x) => `typeof ${x}`),
  letter.map((x) => `({ ${x}: 5 }).${x}`),
  letter.map((x) => `K.tag + ${x}`),
  letter.map((x) => `((${x}) => ${x} * 2)(${x === "a" ? "b" : "a"})`),
);

/** Statements, each pushing what it sees to `log` or writing a module binding. */
const statement: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(letter, expression).map(([x, e]) => `${x} = ${e};`),
  fc.tuple(letter, expression).map(([x, e]) => `${x} += ${e};`),
  letter.map((x) => `${x}++;`),
  expression.map((e) => `log.push(${e});`),
  fc.tuple(expression, expression).map(([e1, e2]) => `[a, b] = [${e1}, ${e2}];`),
  expression.map((e) => `({ a, b: t } = { a: ${e}, b: b }); log.push(t);`),
  expression.map((e) => `({ b = ${e} } = {});`),
  letter.map((x) => `log.push({ ${x} });`),
  letter.map((x) => `log.push(f(${x}));`),
  letter.map((x) => `log.push(f\`${x}\`[0]);`),
  // No semicolon: a callee beginning the next statement must not continue this one.
  fc.tuple(letter, letter).map(([x, y]) => `${x} = ${y}\n  f(${x})\n  f\`${y}\``),
  fc.tuple(letter, expression).map(([x, e]) => `{ let ${x} = ${e}; ${x}++; log.push(${x}); }`),
  expression.map((e) => `{ let c = ${e}; log.push(c + a); }`),
  expression.map((e) => `log.push((function () { var c = ${e}; return c + b; })());`),
  expression.map((e) => `log.push((function () { c = ${e}; var c; return c; })());`),
  letter.map((x) => `for (let ${x} = 0; ${x} < 2; ${x}++) log.push(${x});`),
  letter.map((x) => `for (const c of [${x}]) log.push(c);`),
  letter.map((x) => `try { throw ${x} + 1; } catch (${x}) { log.push(${x}); }`),
  letter.map((x) => `try { throw [${x}]; } catch ([c]) { log.push(c); }`),
  letter.map((x) => `log.push((function ${x}() { return typeof ${x}; })());`),
  letter.map((x) => `log.push((class ${x} { static m() { return typeof ${x}; } }).m());`),
  letter.map((x) => `log.push(new (class { v = ${x}; m() { return this.v; } })().m());`),
  letter.map((x) => `${x}: for (const t of [1, 2]) { log.push(t); break ${x}; }`),
  letter.map((x) => `switch (${x}) { case 1: { let a = 7; log.push(a); } default: log.push(b); }`),
  fc.constantFrom(
    "function f() { return 0; } log.push(typeof f);",
    "log.push(inner()); function inner() { return a; }",
  ),
);

const program = fc
  .array(statement, { minLength: 1, maxLength: 8 })
  .map((body) => `(function () {\n  let t;\n  ${body.join("\n  ")}\n  return log.length;\n})`);

function run(evaluate: (code: string) => unknown, code: string): unknown {
  try {
    return (evaluate(code) as () => unknown)();
  } catch (error) {
    return `threw ${(error as Error).name}`;
  }
}

describe("code evaluated through a module's accessors", () => {
  test("behaves as in the module's scope: same results, same bindings after", () => {
    fc.assert(
      fc.property(program, (code) => {
        const inScope = world();
        const outside = world();
        const expected = run(inScope.direct, code);
        const actual = run((c) => evaluateInScope(outside.access, BOUND, "module", c), code);
        expect(actual).toEqual(expected);
        expect(outside.state()).toEqual(inScope.state());
      }),
      { seed: 2026, numRuns: 300 },
    );
  });

  test("a function it makes reads back as written", () => {
    fc.assert(
      fc.property(program, (code) => {
        const made = evaluateInScope(world().access, BOUND, "module", code) as () => unknown;
        expect(asWritten(Function.prototype.toString.call(made))).toBe(code.slice(1, -1));
      }),
      { seed: 2026, numRuns: 200 },
    );
  });

  test("a module binding without accessor is refused by name before anything runs", () => {
    const w = world();
    const code = "(function () { log.push(1); return c + 1; })";
    expect(() => evaluateInScope(w.access, BOUND, "module", code)).toThrow(TopLevelOnlyBinding);
    expect(() => evaluateInScope(w.access, BOUND, "module", code)).toThrow(
      expect.objectContaining({ code: "MM_DEV_TOP_LEVEL_ONLY_BINDING" }),
    );
    expect(() => evaluateInScope(w.access, BOUND, "module", code)).toThrow(/uses c,/);
    expect(w.state()).toEqual([1, 2, 3, [], [true, 0]]);
    // Declared by the code itself, `c` is the code's own.
    const own = evaluateInScope(w.access, BOUND, "module", "(function (c) { return c + a; })");
    expect((own as (c: number) => number)(10)).toBe(11);
  });

  test("globals stay globals; import() and import.meta are the module's", async () => {
    const meta = { url: "file:///somewhere/module.mjs" };
    const requested: string[] = [];
    const access: ScopeAccess = {
      bindings: { __proto__: null } as Record<string, unknown>,
      import: async (s) => {
        requested.push(s);
        return { s };
      },
      meta,
      strict: true,
    };
    const code =
      "(async function () { return [typeof Math.max, import.meta.url, await import('./x.js')]; })";
    const made = evaluateInScope(access, new Set(), "module", code) as () => Promise<unknown>;
    expect(await made()).toEqual(["function", meta.url, { s: "./x.js" }]);
    expect(requested).toEqual(["./x.js"]);
  });
});
