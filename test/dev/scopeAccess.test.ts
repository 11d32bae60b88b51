/**
 * Which module bindings an instrumented module gives accessors
 * (src/dev/scopeAccess.ts): imports, function and class declarations, the
 * variables a function or class of the module uses, and those never
 * reassigned after their declaration — not the ones only top-level code
 * reassigns, which V8 can then keep in registers. And the module carries no
 * `eval` any more.
 */
import { describe, expect, test } from "vitest";
import { parseModule, type SourceType, topLevel } from "../../src/dev/compile.js";
import { instrumentModule } from "../../src/dev/instrument.js";
import {
  accessHeader,
  accessorBindings,
  nameUses,
  type ScopeAccess,
  withFastBindings,
} from "../../src/dev/scopeAccess.js";

function accessors(js: string, sourceType: SourceType = "module"): Record<string, boolean> {
  const parsed = parseModule(js, "/m.js", sourceType);
  return Object.fromEntries(accessorBindings(parsed, topLevel(parsed), sourceType));
}

const MODULE = `import { join } from "node:path";
import * as fs from "node:fs";
let nextId = 0;
let acc = 0;
let total = 0;
let settings = { debug: false };
const UNIT = "cm";
const t0 = performance.now();
var seen;
export class Vec {
  id = nextId++;
  add(o) { return new Vec(); }
}
function log(text) { console.log(text, seen); }
const twice = (x) => x * 2 + total;
for (let i = 0; i < 10; i++) acc = acc + i;
total += acc;
seen = true;
[acc] = [1];
`;

describe("the module bindings that get accessors", () => {
  test("imports, functions, classes, variables functions use or that are never reassigned; not those only top-level code reassigns", () => {
    expect(accessors(MODULE)).toEqual({
      join: false,
      fs: false,
      log: true,
      Vec: true,
      nextId: true,
      total: true,
      settings: true,
      UNIT: false,
      t0: false,
      twice: false,
      seen: true,
    });
  });

  test("names used inside functions and classes, and names reassigned, are found by name (shadowing not resolved)", () => {
    const parsed = parseModule(
      "let a = 1, b = 2;\nfunction f(b) { return b; }\nclass C { [a] = 1; static { a; } }\nfor (a of []);\n({ b } = {});\nlabel: a++;\n",
      "/m.js",
    );
    const uses = nameUses(parsed.program.body);
    expect([...uses.inFunctions].sort()).toEqual(["C", "a", "b", "f"]);
    expect([...uses.assigned].sort()).toEqual(["a", "b"]);
  });

  test("property keys, member names and labels are not uses", () => {
    const parsed = parseModule(
      "let x = 0, y = 0, z = 0;\nfunction f(o) { return { x: 1 }.x + o.y; }\nz: for (;;) { break z; }\n",
      "/m.js",
    );
    expect(nameUses(parsed.program.body).inFunctions.has("x")).toBe(false);
    expect(nameUses(parsed.program.body).inFunctions.has("y")).toBe(false);
  });

  test("a CommonJS module also gives require, module, exports, __filename and __dirname", () => {
    expect(accessors('"use strict";\nconst { join } = require("node:path");\n', "script")).toEqual({
      join: false,
      require: false,
      module: false,
      exports: false,
      __filename: false,
      __dirname: false,
    });
  });

  test("TypeScript tsx compiled for require: the module's top level is its wrapper's body", () => {
    const js =
      '__filename="/m.ts";(()=>{"use strict";\nconst { join } = require("node:path");\nlet acc = 0;\nlet hits = 0;\nfunction hit() { hits++; }\nfor (let i = 0; i < 9; i++) acc = acc + i;\n})()\n';
    expect(accessors(js, "script")).toEqual({
      join: false,
      hit: true,
      hits: true,
      require: false,
      module: false,
      exports: false,
      __filename: false,
      __dirname: false,
    });
    const parsed = parseModule(js, "/m.js", "script");
    expect(accessHeader(parsed, topLevel(parsed), "script")).toContain("strict: true");
  });

  test("the header is an object of accessors; strict for modules and for scripts that say so", () => {
    const js = "let a = 1;\nconst f = () => a;\n";
    const parsed = parseModule(js, "/m.js");
    const header = accessHeader(parsed, topLevel(parsed), "module");
    expect(header).toContain("get a() { return a; }");
    expect(header).toContain("set a(__metamorph$value) { a = __metamorph$value; }");
    expect(header).toContain("get meta() { return import.meta; }, strict: true");
    const script = parseModule("x = 1;\n", "/m.js", "script");
    expect(accessHeader(script, topLevel(script), "script")).toContain("strict: false");
  });

  test("an instrumented module has no eval: its accessors read and write its bindings", () => {
    const { code } = instrumentModule(MODULE, "/m.js", "hash");
    expect(code).not.toMatch(/\beval\b/);
    const header = code.slice(0, code.indexOf("\n"));
    expect(header).toContain("get nextId() { return nextId; }");
    expect(header).not.toContain("get acc()");
  });

  test("the runtime's copy of the accessors reads and writes the module's bindings", () => {
    const module = new Function(`"use strict"; let a = 1; const b = 2;
      return { access: { bindings: { get a() { return a; }, set a(v) { a = v; }, get b() { return b; } }, import: (s) => import(s), strict: true }, a: () => a };`)() as {
      access: ScopeAccess;
      a: () => number;
    };
    const fast = withFastBindings(module.access).bindings;
    expect(Object.keys(fast)).toEqual(["a", "b"]);
    fast.a = 5;
    expect([module.a(), fast.a, fast.b]).toEqual([5, 5, 2]);
    expect(() => {
      fast.b = 3;
    }).toThrow(TypeError);
  });

  test("withFastBindings keeps import.meta a getter: the module's import.meta is not made until a reload reads it", () => {
    let made = 0;
    const meta = { url: "file:///m.mjs" };
    const access = {
      bindings: { __proto__: null },
      import: async () => ({}),
      get meta() {
        made++;
        return meta;
      },
      strict: true,
    };
    const fast = withFastBindings(access);
    expect(made).toBe(0);
    expect(fast.meta).toBe(meta);
    expect(made).toBe(1);
    expect(fast.strict).toBe(true);
  });
});
