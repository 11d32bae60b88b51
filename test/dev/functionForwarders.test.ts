/**
 * The forwarding a top-level function declaration gets from the loader's
 * rewrite (src/dev/functionForwarders.ts), in process: for every kind of
 * function (plain, generator, async, async generator), with or without a
 * "use strict" directive of its own, in strict and sloppy code, the function
 * the module declared runs its own code until the module's accessor is
 * given a new version, then that version's — with `this`, the arguments
 * and `new.target` — and its own again once the accessor is given the
 * declared function back (a reload's undo, a release's rollback). The
 * accessor reads the running version, so that undo reads what to put back.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import { DEV_GLOBAL } from "../../src/dev/compile.js";
import { instrumentModule } from "../../src/dev/instrument.js";
import type { ScopeAccess } from "../../src/dev/scopeAccess.js";

const KEY = Symbol.for(DEV_GLOBAL);
const globals = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete globals[KEY];
});

type Kind = "plain" | "generator" | "async" | "asyncGenerator";

const HEAD: Record<Kind, string> = {
  plain: "function",
  generator: "function*",
  async: "async function",
  asyncGenerator: "async function*",
};

/** What a version of `f` gives back: its label, `this`'s tag and its arguments. */
function body(kind: Kind, label: string): string {
  const value = `[${JSON.stringify(label)}, this && this.tag, ...arguments]`;
  return kind === "plain" || kind === "async" ? `return ${value};` : `yield ${value};`;
}

/** A CommonJS module declaring `f`, instrumented and run with a stand-in runtime: its export and accessors. */
function load(kind: Kind, directive: boolean, strict: boolean) {
  const code = `${strict ? '"use strict";\n' : ""}f.early = f;
${HEAD[kind]} f(a, b) {${directive ? ' "use strict";' : ""} ${body(kind, "v1")} }
module.exports = { f };
`;
  const out = instrumentModule(code, "/project/m.js", "hash", "script").code;
  let access: ScopeAccess | undefined;
  globals[KEY] = {
    module: (_url: string, given: ScopeAccess) => {
      access = given;
      return undefined;
    },
  };
  const module = { exports: {} as { f: Function } };
  new Function("require", "module", "exports", "__filename", "__dirname", out)(
    createRequire(import.meta.url),
    module,
    module.exports,
    "/project/m.js",
    "/project",
  );
  return { f: module.exports.f, bindings: access!.bindings };
}

/** What calling `f` on `this` with the arguments gives, whatever its kind. */
async function result(f: Function, self: unknown, args: unknown[]): Promise<unknown> {
  const value = f.apply(self, args);
  if (value instanceof Promise) return value;
  if (value && typeof value === "object" && Symbol.asyncIterator in value) {
    const out: unknown[] = [];
    for await (const v of value as AsyncIterable<unknown>) out.push(v);
    return out;
  }
  if (value && typeof value === "object" && Symbol.iterator in value)
    return [...(value as Iterable<unknown>)];
  return value;
}

test("the declared function follows the running version (its arity too), and comes back to its own code", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Kind>("plain", "generator", "async", "asyncGenerator"),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 4 }),
      fc.nat(4),
      async (kind, directive, strict, args, arity) => {
        const { f, bindings } = load(kind, directive, strict);
        const self = { tag: "me" };
        const expected = (label: string) => {
          const value = [label, "me", ...args];
          return kind === "generator" || kind === "asyncGenerator" ? [value] : value;
        };
        expect(await result(f, self, args)).toEqual(expected("v1"));
        // Hoisted: a statement before the declaration captured the same function.
        expect((f as { early?: Function }).early).toBe(f);
        expect(bindings.f).toBe(f);
        const params = ["p", "q", "r", "s"].slice(0, arity).join(", ");
        const next = new Function(`return ${HEAD[kind]} f(${params}) { ${body(kind, "v2")} }`)();
        bindings.f = next;
        expect(bindings.f).toBe(next);
        expect(await result(f, self, args)).toEqual(expected("v2"));
        expect(f.name).toBe("f");
        // Arity is what code dispatching on it (Express's error handlers) reads.
        expect(f.length).toBe(arity);
        bindings.f = f;
        expect(bindings.f).toBe(f);
        expect(await result(f, self, args)).toEqual(expected("v1"));
        expect(f.length).toBe(2);
      },
    ),
    { seed: 7, numRuns: 60 },
  );
});

test("a constructor function: new on the declared function builds with the running version, on its prototype", () => {
  const code = `function Point(x) { this.x = x; this.v = 1; }
Point.prototype.norm = function () { return Math.abs(this.x); };
module.exports = { Point };
`;
  const out = instrumentModule(code, "/project/p.js", "hash", "script").code;
  let access: ScopeAccess | undefined;
  globals[KEY] = {
    module: (_url: string, given: ScopeAccess) => {
      access = given;
      return undefined;
    },
  };
  const module = {
    exports: {} as { Point: new (x: number) => { x: number; v: number; norm(): number } },
  };
  new Function("require", "module", "exports", "__filename", "__dirname", out)(
    createRequire(import.meta.url),
    module,
    module.exports,
    "/project/p.js",
    "/project",
  );
  const { Point } = module.exports;
  access!.bindings.Point = function Point(this: { x: number; v: number }, x: number) {
    this.x = x;
    this.v = 2;
  };
  const p = new Point(-3);
  expect(p).toBeInstanceOf(Point);
  expect({ x: p.x, v: p.v, norm: p.norm() }).toEqual({ x: -3, v: 2, norm: 3 });
});
