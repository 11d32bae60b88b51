/**
 * `metamorph dev` in a CommonJS project (`"type": "commonjs"`, npm's
 * default): a JavaScript entry that `require`s a module declaring a class
 * runs, and an edit of that class updates the live object in place; a
 * TypeScript entry in such a project runs too (through tsx's require hook).
 */
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  CLI,
  editFile,
  run,
  ANSWER_STDIN,
  ask,
  type Running,
  tempProject,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

function project(files: Record<string, string>): string {
  return tempProject("cjs", files, "commonjs");
}

const REPL = `const { createInterface } = require("node:readline");
${ANSWER_STDIN}
console.log("ready");
`;

describe("metamorph dev in a CommonJS project", () => {
  test("a .js entry runs, and an edited class is updated in place", async () => {
    dir = project({
      "app.js": `const { Counter } = require("./counter.js");\nconst c = new Counter();\nc.n = 5;\nglobalThis.c = c;\nglobalThis.Counter = Counter;\n${REPL}`,
      "counter.js": `class Counter {\n  n = 0;\n  describe() {\n    return "n=" + this.n;\n  }\n}\nmodule.exports = { Counter };\n`,
    });
    program = run([...CLI, "dev", "app.js"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, "c.describe()")).toBe("n=5");
    const from = program.stderr.all.length;
    editFile(join(dir, "counter.js"), (t) =>
      t
        .replace("  n = 0;", "  n = 0;\n  step = 2;")
        .replace('"n=" + this.n', '"count " + this.n * this.step'),
    );
    await program.stderr.waitFor(
      /counter\.js: updated Counter \(\+step, ~describe\(\)\) \| 1 instance migrated/,
      {
        from,
        timeoutMs: 20_000,
      },
    );
    expect(await ask(program, "[c.describe(), c instanceof Counter]")).toEqual(["count 10", true]);
  }, 60_000);

  test("TypeScript compiled for require (tsx's wrapped CommonJS): an edited class updates its live objects", async () => {
    // tsx compiles TypeScript in a CommonJS package through its require
    // extension, which Node 20's module hooks never see: before the require
    // hook, such a program ran unmanaged and every save was silently ignored.
    dir = project({
      "app.ts": `import { Counter } from "./counter";\nconst c = new Counter();\nc.n = 5;\nObject.assign(globalThis, { c, Counter });\n${REPL.replace('const { createInterface } = require("node:readline");', 'import { createInterface } from "node:readline";')}`,
      "counter.ts": `export class Counter {\n  n = 0;\n  describe(): string {\n    return "n=" + this.n;\n  }\n}\n`,
    });
    program = run([...CLI, "dev", "app.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, "c.describe()")).toBe("n=5");
    const from = program.stderr.all.length;
    editFile(join(dir, "counter.ts"), (t) =>
      t
        .replace("  n = 0;", "  n = 0;\n  step = 2;")
        .replace('"n=" + this.n', '"count " + this.n * this.step'),
    );
    await program.stderr.waitFor(
      /counter\.ts: updated Counter \(\+step, ~describe\(\)\) \| 1 instance migrated/,
      { from, timeoutMs: 20_000 },
    );
    expect(await ask(program, "[c.describe(), c instanceof Counter]")).toEqual(["count 10", true]);
  }, 60_000);

  test("a .ts migrations module saved while the program runs: the next update runs its new migrator", async () => {
    // tsx loads a .ts module of a CommonJS package through require, which
    // caches by file name whatever the query of the import: the saved
    // migrations module was announced, and the first-loaded one kept running.
    dir = project({
      "app.ts": `import { Counter } from "./counter";\nconst c = new Counter();\nObject.assign(globalThis, { c });\n${REPL.replace('const { createInterface } = require("node:readline");', 'import { createInterface } from "node:readline";')}`,
      "counter.ts": "export class Counter {\n  a = 1;\n}\n",
      "counter.migrations.ts":
        "export const migrate = { Counter(old: unknown, c: Record<string, unknown>) { c.b = 100; } };\n",
    });
    program = run([...CLI, "dev", "app.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    let from = program.stderr.all.length;
    editFile(join(dir, "counter.ts"), (t) => t.replace("a = 1;", "a = 1;\n  b = 0;"));
    await program.stderr.waitFor(/counter\.ts: updated Counter \(\+b\)/, {
      from,
      timeoutMs: 20_000,
    });
    expect(await ask(program, "c")).toEqual({ a: 1, b: 100 });

    from = program.stderr.all.length;
    editFile(join(dir, "counter.migrations.ts"), (t) => t.replace("c.b = 100", "c.d = 555"));
    await program.stderr.waitFor(/counter\.migrations\.ts saved/, { from, timeoutMs: 20_000 });
    from = program.stderr.all.length;
    editFile(join(dir, "counter.ts"), (t) => t.replace("b = 0;", "b = 0;\n  d = 0;"));
    await program.stderr.waitFor(/counter\.ts: updated Counter \(\+d\)/, {
      from,
      timeoutMs: 20_000,
    });
    expect(await ask(program, "c")).toEqual({ a: 1, b: 100, d: 555 });
  }, 60_000);

  test('a "use strict" CommonJS module stays strict once instrumented', async () => {
    dir = project({
      "app.js": `const { strict } = require("./mode.js");\nglobalThis.strict = strict;\n${REPL}`,
      "mode.js": `"use strict";\nclass Probe {}\nfunction strict() {\n  return this === undefined;\n}\nmodule.exports = { strict, Probe };\n`,
    });
    program = run([...CLI, "dev", "app.js"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, "strict()")).toBe(true);
  }, 60_000);

  test("a .ts entry runs", async () => {
    dir = project({
      "app.ts": `import { helper } from "./helper";\nclass Greeter {\n  constructor(private readonly name: string) {}\n  greet(): string {\n    return helper(this.name);\n  }\n}\nconsole.log(new Greeter("cjs").greet());\n`,
      "helper.ts": `export function helper(name: string): string {\n  return "hello " + name;\n}\n`,
    });
    program = run([...CLI, "dev", "app.ts"], dir);
    await program.stdout.waitFor(/^hello cjs$/, {
      timeoutMs: 30_000,
      what: "the program's output",
    });
    expect(program.stderr.all.join("\n")).not.toMatch(/ERR_|could not start/);
  }, 60_000);
});
