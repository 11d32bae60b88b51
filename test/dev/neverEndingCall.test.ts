/**
 * Review advZ26 L5: with a `Worker` whose `async run()` never returns, a
 * save adding a field to Worker waits for it and is refused (right), but
 * saves are compared with the running version, so that layout change stayed
 * part of every later save of the file: an edit of another class's method
 * waited for the same call and was refused the same way, with a message
 * that did not say why, until a restart. Now such a save applies the rest
 * of the file, Worker held back on its running version (a note says what,
 * for which call, and what to do), without waiting again for a call that
 * already outlived a wait; the undo of the layout change applies; and a
 * save changing nothing else is refused naming the class, the method
 * running, when it started, and what to do.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  removeDir,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const WORKER = `const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Worker {
  ticks = 0;
  async run() {
    for (;;) {
      this.ticks++;
      await sleep(10);
    }
  }
}

export class Helper {
  label() {
    return "one";
  }
}
`;
const MAIN = `import { createInterface } from "node:readline";
import { Helper, Worker } from "./worker.js";
const worker = new Worker();
const helper = new Helper();
void worker.run();
Object.assign(globalThis, { worker, helper });
${ANSWER_STDIN}
console.log("ready");
`;

async function save(edit: (text: string) => string, until: RegExp): Promise<string[]> {
  const from = program!.stderr.all.length;
  editFile(join(dir!, "worker.ts"), edit);
  await program!.stderr.waitFor(until, { from, timeoutMs: 20_000 });
  return program!.stderr.all.slice(from);
}

/** The worker's own keys, and whether its loop still ticks (two reads, some ticks apart). */
async function workerState(): Promise<[string[], boolean]> {
  const before = (await ask(program!, "worker.ticks")) as number;
  await ask(program!, "new Promise((r) => setTimeout(r, 50)), 0");
  await program!.stdout.waitFor(/^=> /);
  for (let i = 0; i < 50; i++) {
    const now = (await ask(program!, "worker.ticks")) as number;
    if (now > before) return [(await ask(program!, "Object.keys(worker)")) as string[], true];
  }
  return [(await ask(program!, "Object.keys(worker)")) as string[], false];
}

const ADD_FIELD = (t: string) => t.replace("ticks = 0;", "ticks = 0;\n  extra = 1;");

test("a refused layout change does not block the file's later saves", async () => {
  dir = tempProject("never-ending-call", { "worker.ts": WORKER, "main.ts": MAIN });
  program = run(
    [...CLI, "dev", "--quiescence-timeout", "300", "main.ts"],
    dir,
    {},
    { stdin: true },
  );
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });

  // 1. The field added: waited for, refused, naming the class, the call, its start, and what to do.
  let lines = await save(ADD_FIELD, /worker\.ts: the running version is kept/);
  let said = lines.join("\n");
  expect(said).toContain("waiting for 1 call in flight (Worker.run())");
  expect(said).toMatch(
    /worker\.ts:3: error: MM_LIFECYCLE Worker \(\+extra\) changes the objects of a call in flight, Worker\.run\(\) \(async, started at \d\d:\d\d:\d\d, \d+\.\d s ago\), which did not return within 300 ms/,
  );
  expect(said).toContain(
    "worker.ts: the running version is kept; let Worker.run() return (a loop: have it stop on a flag), then save worker.ts again — or restart the program (rs and Enter) to apply this edit",
  );
  expect(await workerState()).toEqual([["ticks"], true]);

  // 2. Another class's method edited, the field still in the file: applies at once, Worker held back.
  lines = await save((t) => t.replace('"one"', '"two"'), /worker\.ts: (updated|error)/);
  said = lines.join("\n");
  expect(said).not.toContain("waiting for");
  expect(lines[0]).toMatch(/^\[metamorph\] worker\.ts: updated Helper \(~label\(\)\) \| /);
  expect(lines[0]).not.toContain("fixed");
  await program.stderr.waitFor(/worker\.ts: note: Worker/, {
    from: program.stderr.all.length - lines.length,
  });
  expect(program.stderr.all.join("\n")).toMatch(
    /worker\.ts: note: Worker \(\+extra\) not applied: it changes the objects of a call in flight, Worker\.run\(\) \(async, started at \d\d:\d\d:\d\d, \d+\.\d s ago\), which has not returned \(an earlier save waited 300 ms for it\)\. worker\.ts still has it: it applies at a save of worker\.ts once that call has returned; if it never returns \(a loop\), restart the program \(rs and Enter\) to apply it/,
  );
  expect(await ask(program, "helper.label()")).toBe("two");
  expect(await workerState()).toEqual([["ticks"], true]);

  // 3. Again, the field still there: still applies, Worker still held back.
  lines = await save((t) => t.replace('"two"', '"three"'), /worker\.ts: (updated|error)/);
  expect(lines[0]).toMatch(/updated Helper \(~label\(\)\)/);
  expect(await ask(program, "helper.label()")).toBe("three");

  // 4. The field taken out again (undo): applies, nothing left held back.
  lines = await save((t) => t.replace("\n  extra = 1;", ""), /worker\.ts: /);
  expect(lines.join("\n")).not.toMatch(/error|not applied|waiting for/);
  expect(await workerState()).toEqual([["ticks"], true]);
  expect(await ask(program, "helper.label()")).toBe("three");
}, 90_000);

test("a save changing a waiting class and another applies the other at once; the held one applies once the call returned", async () => {
  await program?.stop();
  if (dir) removeDir(dir);
  dir = tempProject("never-ending-call-2", {
    "worker.ts": WORKER.replace("for (;;) {", "while (!(globalThis as { stop?: boolean }).stop) {"),
    "main.ts": MAIN,
  });
  program = run(
    [...CLI, "dev", "--quiescence-timeout", "300", "main.ts"],
    dir,
    {},
    { stdin: true },
  );
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  const lines = await save(
    (t) => ADD_FIELD(t).replace('"one"', '"two"'),
    /worker\.ts: note: Worker/,
  );
  expect(lines.join("\n")).toContain("waiting for 1 call in flight (Worker.run())");
  expect(lines.join("\n")).toMatch(/updated Helper \(~label\(\)\) \| /);
  expect(lines.join("\n")).toMatch(
    /note: Worker \(\+extra\) not applied: it changes the objects of a call in flight, Worker\.run\(\) \(async, started at \d\d:\d\d:\d\d, \d+\.\d s ago\), which did not return within 300 ms\./,
  );
  expect(await ask(program, "[helper.label(), Object.keys(worker)]")).toEqual(["two", ["ticks"]]);
  // The loop stops: the next save of the file applies the held change.
  await ask(program, "globalThis.stop = true");
  await ask(program, "new Promise((r) => setTimeout(r, 50)), 0");
  const after = await save((t) => t.replace('"two"', '"three"'), /worker\.ts: (updated|error)/);
  expect(after[0]).toMatch(
    /updated Worker \(\+extra\); Helper \(~label\(\)\) \| 1 instance migrated/,
  );
  expect(await ask(program, "[helper.label(), Object.keys(worker), worker.extra]")).toEqual([
    "three",
    ["ticks", "extra"],
    1,
  ]);
}, 90_000);
