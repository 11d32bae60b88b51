/**
 * `export default class { … }` under `metamorph dev` (review advZ5 3). tsx
 * names such a class "default" at run time (esbuild's keepNames), which is
 * no class name: the class was left unmanaged with a message naming
 * esbuild's binding (`class store_default is not managed
 * (MM_INVALID_DEFINITION … "default" is not a valid class name …)`), a save
 * said "no class or function changed", and a field it added never reached
 * the running object. It is registered under its module binding's name now,
 * like every other class: an added field reaches the object, which is the
 * same one, and runs the new code.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  run,
  tempProject,
  removeDir,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const STORE = `export default class {
  n = 1;
  inc() { this.n++; return this.n; }
}
`;

const main = (from: string) => `import { createInterface } from "node:readline";
import Store from "${from}";

const s = new Store();
Object.assign(globalThis, { s, first: s });
${ANSWER_STDIN}
console.log("ready");
`;

test("an anonymous default-exported class is managed: an added field reaches its objects", async () => {
  ({ dir, program } = await startDev("anonymous-default", {
    "store.ts": STORE,
    "main.ts": main("./store.js"),
  }));
  expect(await ask(program, "s.inc()")).toBe(2);
  const lines = await saveAndWait(
    program,
    join(dir, "store.ts"),
    (t) => t.replace("n = 1;", "n = 1;\n  k = 7;").replace("this.n++", "this.n += 100"),
    /store\.ts: (updated|no class|error)/,
  );
  expect(lines.join("\n")).toMatch(
    /store\.ts: updated store_default \(\+k, ~inc\(\)\) \| 1 instance migrated/,
  );
  expect(program.stderr.all.join("\n")).not.toMatch(/is not managed|not a valid class name/);
  expect(await ask(program, "[s === first, s.k, s.inc()]")).toEqual([true, 7, 102]);
}, 60_000);

test("an anonymous default-exported class of a JavaScript module gets esbuild's name, and is managed", async () => {
  await program?.stop();
  if (dir) removeDir(dir);
  dir = tempProject("anonymous-default-js", { "store.js": STORE, "main.js": main("./store.js") });
  program = run([...CLI, "dev", "--no-restart", "main.js"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
  expect(await ask(program, "s.inc()")).toBe(2);
  const lines = await saveAndWait(
    program,
    join(dir, "store.js"),
    (t) => t.replace("n = 1;", "n = 1;\n  k = 7;"),
    /store\.js: (updated|no class|error)/,
  );
  expect(lines.join("\n")).toMatch(
    /store\.js: updated store_default \(\+k\) \| 1 instance migrated/,
  );
  expect(lines.join("\n")).not.toMatch(/restart|not re-run/);
  expect(await ask(program, "[s === first, s.k, s.inc()]")).toEqual([true, 7, 3]);
}, 60_000);
