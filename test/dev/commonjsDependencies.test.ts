/**
 * `metamorph dev` on a CommonJS `.js` program whose dependencies take the
 * `"module-sync"` export condition, as express does through get-intrinsic →
 * async-function: `require` of such a package loads an ES module, which
 * imports or requires CommonJS files of its own. Under plain Node it runs;
 * under `metamorph dev` it died at start-up (`request for './index.js' is not
 * in cache`, review advZ20 r3): the loader hook handed the program's CommonJS
 * to Node 20's ESM translator, whose `require` cannot load such packages.
 * The program's classes must still be managed once the program runs under
 * Node's own CommonJS loader — also those of its own ES modules that
 * `require` loads, which Node compiles from the text `_compile` is given,
 * bypassing the module hooks.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  BIN,
  editFile,
  type Running,
  run,
  stopAndRemoveAfter,
} from "./support.js";

/**
 * The CLI from source as the package runs a JavaScript entry: tsx's ESM hooks
 * for metamorph's own TypeScript, without tsx's `require` hook, which would
 * compile the program's CommonJS (ES modules too) in Node's stead.
 */
const JS_CLI = ["--import", import.meta.resolve("tsx/esm"), BIN];

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

/** A project of `files` (paths may name folders, node_modules included). */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "metamorph-cjs-deps-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const packageJson = (name: string, exports: unknown) =>
  `${JSON.stringify({ name, version: "1.0.0", exports }, null, 2)}\n`;

/** async-function's layout: under `require`, an ES module importing the package's CommonJS file. */
const IMPORTS_CJS = {
  "node_modules/sync-import/package.json": packageJson("sync-import", {
    ".": [
      { "module-sync": "./require.mjs", import: "./index.mjs", default: "./index.js" },
      "./index.js",
    ],
  }),
  "node_modules/sync-import/require.mjs":
    "import make from './index.js';\nexport default make;\nexport { make as 'module.exports' };\n",
  "node_modules/sync-import/index.mjs": "import make from './index.js';\nexport default make;\n",
  "node_modules/sync-import/index.js": "'use strict';\nmodule.exports = () => 'imported';\n",
};

/** An ES module chosen by `require` that itself requires a CommonJS file (createRequire). */
const REQUIRES_CJS = {
  "node_modules/sync-require/package.json": packageJson("sync-require", {
    ".": { "module-sync": "./sync.mjs", default: "./impl.cjs" },
  }),
  "node_modules/sync-require/sync.mjs":
    "import { createRequire } from 'node:module';\nconst impl = createRequire(import.meta.url)('./impl.cjs');\nexport default impl;\nexport { impl as 'module.exports' };\n",
  "node_modules/sync-require/impl.cjs":
    "class Helper {\n  name() {\n    return 'required';\n  }\n}\nmodule.exports = new Helper();\n",
};

/** "ready" once the program says so, or what it printed on stderr if it exits first (a start-up failure). */
function startOrExit(running: Running): Promise<string> {
  const exited = new Promise<string>((resolveExit) =>
    running.child.once("exit", () => resolveExit(running.stderr.all.join("\n"))),
  );
  const ready = running.stdout
    .waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" })
    .then(() => "ready");
  return Promise.race([ready, exited]);
}

describe("metamorph dev: CommonJS programs and the ES modules that require loads", () => {
  test("starts, and an edit of its class updates the live object", async () => {
    dir = project({
      "package.json": '{ "type": "commonjs" }\n',
      ...IMPORTS_CJS,
      ...REQUIRES_CJS,
      "app.js": `const { Counter } = require("./counter.js");
const make = require("sync-import");
const helper = require("sync-require");
const { createInterface } = require("node:readline");
const c = new Counter();
c.n = 5;
Object.assign(globalThis, { c, Counter, deps: [make(), helper.name()] });
${ANSWER_STDIN}
console.log("ready");
`,
      "counter.js": `class Counter {\n  n = 0;\n  describe() {\n    return "n=" + this.n;\n  }\n}\nmodule.exports = { Counter };\n`,
    });
    program = run([...JS_CLI, "dev", "--no-restart", "app.js"], dir, {}, { stdin: true });
    expect(await startOrExit(program)).toBe("ready");
    expect(await ask(program, "deps")).toEqual(["imported", "required"]);
    expect(await ask(program, "c.describe()")).toBe("n=5");

    const from = program.stderr.all.length;
    editFile(join(dir, "counter.js"), (t) =>
      t
        .replace("  n = 0;", "  n = 0;\n  step = 2;")
        .replace('"n=" + this.n', '"count " + this.n * this.step'),
    );
    await program.stderr.waitFor(
      /counter\.js: updated Counter \(\+step, ~describe\(\)\) \| 1 instance migrated/,
      { from, timeoutMs: 20_000 },
    );
    expect(await ask(program, "[c.describe(), c instanceof Counter]")).toEqual(["count 10", true]);
  }, 60_000);

  test("its own ES modules that require loads (.mjs, .js of an untyped package) are managed", async () => {
    // Node hands an ES module that `require` loads to `_compile` with the
    // format "module" (none for an untyped package's .js, which only parses
    // as one): the require hook rewrote it as a script, and the program died
    // at start-up on its `export`. The saved version of the untyped .js is
    // asked of the loader as an ES module: guessed, it was CommonJS to tsx.
    dir = project({
      "package.json": '{ "type": "commonjs" }\n',
      "app.js": `const { Shape } = require("./shape.mjs");
const { Point } = require("./lib/point.js");
const { createInterface } = require("node:readline");
const s = new Shape();
const p = new Point();
p.x = 3;
Object.assign(globalThis, { s, p, Shape, Point });
${ANSWER_STDIN}
console.log("ready");
`,
      "shape.mjs": `export class Shape {\n  sides = 3;\n  name() {\n    return "sides " + this.sides;\n  }\n}\n`,
      "lib/package.json": "{}\n",
      "lib/point.js": `export class Point {\n  x = 0;\n  show() {\n    return "x=" + this.x;\n  }\n}\n`,
    });
    program = run([...JS_CLI, "dev", "--no-restart", "app.js"], dir, {}, { stdin: true });
    expect(await startOrExit(program)).toBe("ready");
    expect(await ask(program, "[s.name(), p.show()]")).toEqual(["sides 3", "x=3"]);

    let from = program.stderr.all.length;
    editFile(join(dir, "shape.mjs"), (t) => t.replace('"sides " +', '"a shape of " +'));
    await program.stderr.waitFor(/shape\.mjs: updated Shape \(~name\(\)\)/, {
      from,
      timeoutMs: 20_000,
    });
    from = program.stderr.all.length;
    editFile(join(dir, "lib/point.js"), (t) =>
      t
        .replace("  x = 0;", "  x = 0;\n  y = 7;")
        .replace('"x=" + this.x', '"x=" + this.x + ",y=" + this.y'),
    );
    await program.stderr.waitFor(
      /point\.js: updated Point \(\+y, ~show\(\)\) \| 1 instance migrated/,
      {
        from,
        timeoutMs: 20_000,
      },
    );
    expect(
      await ask(program, "[s.name(), p.show(), s instanceof Shape, p instanceof Point]"),
    ).toEqual(["a shape of 3", "x=3,y=7", true, true]);
  }, 60_000);
});
