/**
 * Worker threads and Node child processes that the program starts keep the
 * code they loaded (the dev loader and runtime are this thread's): `metamorph
 * dev` says so when one starts, at an update made while one runs (the line
 * would otherwise read as if every copy of the class were updated), and when
 * a module only they loaded is saved (before, nothing was printed; review
 * advZ20 r4). A child that is not Node (`cat`) runs no code of the program:
 * it is not counted.
 */
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const CALC = 'export class Calc {\n  run(n) {\n    return "v1:" + n * 2;\n  }\n}\n';

const FILES = {
  "calc.mjs": CALC,
  "worker.mjs": `import { parentPort } from "node:worker_threads";
import { Calc } from "./calc.mjs";
const calc = new Calc();
parentPort.on("message", (n) => parentPort.postMessage("worker " + calc.run(n)));
`,
  "child.mjs": `import { Calc } from "./calc.mjs";
const calc = new Calc();
process.on("message", (n) => process.send("child " + calc.run(n)));
`,
  "main.mjs": `import { Worker } from "node:worker_threads";
import { fork, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Calc } from "./calc.mjs";
// Not Node: runs no code of the program (it ends with its input, when the program does).
const cat = spawn("cat");
await new Promise((spawned) => cat.once("spawn", spawned));
const calc = new Calc();
const worker = new Worker(new URL("./worker.mjs", import.meta.url));
const child = fork(new URL("./child.mjs", import.meta.url));
const ask = (to, n) => new Promise((answer) => { to.once("message", answer); (to.postMessage ?? to.send).call(to, n); });
globalThis.state = () => Promise.all([calc.run(1), ask(worker, 2), ask(child, 3)]).then((all) => { globalThis.last = all; });
${ANSWER_STDIN}
await ask(worker, 0);
await ask(child, 0);
console.log("ready");
`,
};

/** The program's state: asks its worker and child, then reads the answers. */
async function state(running: Running): Promise<unknown> {
  await ask(running, "(state(), 0)");
  for (let i = 0; i < 100; i++) {
    const last = await ask(running, "globalThis.last ?? null");
    if (last !== null) {
      await ask(running, "(globalThis.last = undefined, 0)");
      return last;
    }
  }
  throw new Error("the program did not answer with its worker's and child's state");
}

describe("metamorph dev: worker threads and child processes", () => {
  test("says that they keep their code: when they start, at an update, at a save of their own module", async () => {
    dir = tempProject("others", FILES);
    program = run([...CLI, "dev", "main.mjs"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    await program.stderr.waitFor(
      /a worker thread started: saves update the main thread only, workers keep the code they loaded \(restart the program to update them: rs and Enter\)/,
    );
    await program.stderr.waitFor(
      /a Node child process started \(pid \d+\): saves update this process only, child processes keep the code they loaded/,
    );
    expect(await state(program)).toEqual(["v1:2", "worker v1:4", "child v1:6"]);

    let from = program.stderr.all.length;
    editFile(join(dir, "calc.mjs"), (t) => t.replace('"v1:"', '"v2:"'));
    await program.stderr.waitFor(
      // `cat`, still running, is not counted.
      /calc\.mjs: note: updated in the main thread only; 1 worker thread and 1 Node child process keep the old code/,
      { from, timeoutMs: 20_000 },
    );
    expect(program.stderr.all.slice(from).join("\n")).toMatch(
      /calc\.mjs: updated Calc \(~run\(\)\)/,
    );
    expect(await state(program)).toEqual(["v2:2", "worker v1:4", "child v1:6"]);

    from = program.stderr.all.length;
    editFile(join(dir, "worker.mjs"), (t) => t.replace('"worker "', '"Worker "'));
    await program.stderr.waitFor(
      /worker\.mjs: note: not loaded by the main thread, so not updated; a worker thread or child process that loaded it keeps the old code/,
      { from, timeoutMs: 20_000 },
    );
    expect(await state(program)).toEqual(["v2:2", "worker v1:4", "child v1:6"]);
  }, 60_000);
});
