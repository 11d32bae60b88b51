/**
 * An edited top-level function that makes functions the program keeps (a
 * middleware factory, a function registering handlers): the update line is
 * followed by a note that what it made before keeps the old code (review
 * advZ20 7: `updated function counting`, and the running middleware kept
 * the old header, with no word) — and plain functions, whose callbacks are
 * run and dropped, get none (src/dev/madeFunctions.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { parseModule } from "../../src/dev/compile.js";
import { madeFunctionNotes } from "../../src/dev/madeFunctions.js";
import {
  ANSWER_STDIN,
  ask,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;
stopAndRemoveAfter(afterEach, () => ({ program, dir }));

// esbuild as tsx runs it (a dependency of tsx's): keepNames wraps named arrows in `__name(…)`.
const esbuild = createRequire(import.meta.resolve("tsx"))("esbuild") as {
  transformSync(code: string, options: object): { code: string };
};
const compilers = {
  "plain JavaScript": (js: string) => js,
  tsx: (js: string) =>
    esbuild.transformSync(js, { loader: "ts", format: "esm", keepNames: true, target: "node20" })
      .code,
};

/** The notes for every top-level function of `js` (each counted as edited). */
function notes(js: string): string[] {
  const names = [...js.matchAll(/^(?:export )?function (\w+)/gm)].map((m) => m[1]!);
  return madeFunctionNotes(parseModule(js, "/m.js"), names);
}

const KEPT = {
  "returns a closure": "return (req, res, next) => { res.setHeader('x', s); next(); };",
  "returns it held by a name": "const mw = (a) => a + s;\n  return mw;",
  "returns an inner function in an object": "function inner() { return s; }\n  return { inner };",
  "returns an object with a method": "return { get() { return s; } };",
  "returns an array of them": "return [() => s, () => 2];",
  "stores it outside the call": "handlers.latest = () => s;",
  "registers a route": 'app.get("/x", (req, res) => res.send(s));',
  "registers a listener": 'emitter.on("tick", () => s);',
  "starts an interval": "setInterval(() => s, 1000);",
} as const;

const PLAIN = {
  "maps and filters": "return xs.map((x) => x * 2).filter((x) => x > s);",
  "sorts and reduces": "return [...xs].sort((a, b) => a - b).reduce((a, b) => a + b, s);",
  "waits with a promise": "return new Promise((resolve) => setTimeout(resolve, s));",
  "chains a promise": "return fetch(s).then((r) => r.json()).catch(() => null);",
  "calls a local function": "const sq = (y) => y * y;\n  return sq(s);",
  "defers once": "setTimeout(() => console.log(s), 10);\n  queueMicrotask(() => s);",
  "returns a value": "return s + 1;",
} as const;

const program_ = (body: string) =>
  `const handlers = {};\nexport function f(s, xs, app, emitter) {\n  ${body}\n}\n`;

describe.each(Object.entries(compilers))("functions that make functions (%s)", (_, compile) => {
  test.each(Object.entries(KEPT))("noted: a function that %s", (_, body) => {
    const [note] = notes(compile(program_(body)));
    expect(note).toMatch(
      /^line \d+: function f (returns|stores|gives) a function it makes.*\(line \d+\): the functions it made before this save .* keep the old code; call it again, or restart, to use the new$/,
    );
  });

  test.each(Object.entries(PLAIN))("not noted: a function that %s", (_, body) => {
    expect(notes(compile(program_(body)))).toEqual([]);
  });

  test("property: noted exactly when one of the functions it makes leaves the call; seed 20261207", () => {
    const kept = Object.values(KEPT);
    const plain = Object.values(PLAIN).filter((b) => !b.startsWith("return"));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...plain), { maxLength: 3 }),
        fc.option(fc.constantFrom(...kept), { nil: undefined }),
        (before, leaving) => {
          // Each in a block of its own: their names do not clash.
          const statements = [...before, ...(leaving === undefined ? [] : [leaving])];
          const body = statements.map((b) => `{\n  ${b}\n  }`).join("\n  ");
          expect(notes(compile(program_(body))).length).toBe(leaving === undefined ? 0 : 1);
        },
      ),
      { seed: 20261207, numRuns: 80 },
    );
  });
});

test("the note names the function the program keeps: what it returns, and to what it gives one", () => {
  expect(notes(program_("const mw = (a) => a;\n  return mw;"))[0]).toMatch(
    /^line 2: function f returns a function it makes \(line 3\)/,
  );
  expect(notes(program_("app.use((req, res, next) => next());"))[0]).toMatch(
    /function f gives a function it makes to app\.use \(line 3\)/,
  );
});

describe("metamorph dev: an edited middleware factory", () => {
  test("the update is followed by a note; an edit of a plain function is not", async () => {
    ({ dir, program } = await startDev("made-functions", {
      "middleware.ts": `export function tagging(tag: string) {
  return (headers: Record<string, string>) => { headers["x-tag"] = tag + "-v1"; };
}
export function label(n: number): string { return [n].map((x) => "n" + x).join(); }
`,
      "main.ts": `import { createInterface } from "node:readline";
import { label, tagging } from "./middleware.js";
const middleware = tagging("mw");
const tag = (mw: (h: Record<string, string>) => void) => { const h: Record<string, string> = {}; mw(h); return h["x-tag"]; };
// Through the module's live bindings: the functions a reload assigns.
Object.assign(globalThis, { kept: () => tag(middleware), fresh: () => tag(tagging("mw")), label: (n: number) => label(n) });
${ANSWER_STDIN}
console.log("ready");
`,
    }));
    const file = join(dir, "middleware.ts");
    const lines = await saveAndWait(
      program,
      file,
      (s) => s.replace('"-v1"', '"-v2"'),
      /function tagging returns a function/,
    );
    expect(lines.join("\n")).toContain("updated function tagging");
    expect(lines.join("\n")).toMatch(
      /note: line 1: function tagging returns a function it makes \(line 2\): the functions it made before this save/,
    );
    // As the note says: the middleware made at start-up keeps the old code, a new one has the new.
    expect(await ask(program, "[kept(), fresh()]")).toEqual(["mw-v1", "mw-v2"]);
    const plain = await saveAndWait(
      program,
      file,
      (s) => s.replace('"n"', '"#"'),
      /function label/,
    );
    expect(plain.join("\n")).not.toContain("note");
    expect(await ask(program, "label(3)")).toBe("#3");
  }, 60_000);
});
