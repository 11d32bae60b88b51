/**
 * A single-file program under `metamorph dev`: a class and a top-level loop
 * in one module, which no longer carries a direct `eval` (issue 15, item 1:
 * its top-level bindings stay out of the module's context). A new method
 * version that reads and writes a module variable some function of the
 * module already uses reloads live and shares that variable with the old
 * code; one that reads a variable only the top-level code reassigns (the
 * loop's counter) cannot reach it, and is refused naming the variable and
 * its line, the running version kept (`--no-restart`); with restarts on
 * (the default) the program restarts instead, saying why, as for the other
 * edits metamorph cannot apply live.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  tempProject,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string;
let program: Running;

const MAIN = `import { createInterface } from "node:readline";
let scale = 2;
let steps = 0;
function setScale(s: number): void {
  scale = s;
}
class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec): Vec {
    return new Vec(this.x + o.x, this.y + o.y);
  }
}
let acc = new Vec(0, 0);
const one = new Vec(1, 1);
for (let i = 0; i < 100_000; i++) {
  acc = acc.add(one);
  steps++;
}
Object.assign(globalThis, { acc, Vec, setScale });
${ANSWER_STDIN}
console.log("ready");
`;

async function save(change: (text: string) => string, expected: RegExp): Promise<string> {
  const from = program.stderr.all.length;
  editFile(join(dir, "main.ts"), change);
  return program.stderr.waitFor(expected, { from, what: `the reaction to ${expected}` });
}

describe("metamorph dev: a class and a top-level loop in one module", () => {
  beforeAll(async () => {
    dir = tempProject("scope", { "main.ts": MAIN });
    program = run([...CLI, "dev", "--no-restart", "main.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
  }, 30_000);

  stopAndRemoveAfter(afterAll, () => ({ program, dir }));

  test("a new method that uses a variable a function already uses reloads live and shares it", async () => {
    expect(await ask(program, "acc.x")).toBe(100_000);
    await save(
      (t) =>
        t.replace(
          "  add(o: Vec): Vec {",
          "  scaled(): number {\n    return this.x * scale;\n  }\n  grow(): number {\n    scale++;\n    return scale;\n  }\n  add(o: Vec): Vec {",
        ),
      /main\.ts: updated Vec \(\+scaled\(\), \+grow\(\)\)/,
    );
    expect(await ask(program, "acc.scaled()")).toBe(200_000);
    // The new code and the old function write the same binding.
    expect(await ask(program, "(setScale(3), acc.scaled())")).toBe(300_000);
    expect(await ask(program, "[acc.grow(), acc.scaled(), acc instanceof Vec]")).toEqual([
      4,
      400_000,
      true,
    ]);
  });

  test("a reloaded method's stack positions name the user's file and line", async () => {
    await save(
      (t) =>
        t.replace(
          "  scaled(): number {",
          '  boom(): never {\n    throw new Error("boom at " + scale);\n  }\n  scaled(): number {',
        ),
      /main\.ts: updated Vec \(\+boom\(\)\)/,
    );
    const line =
      readFileSync(join(dir, "main.ts"), "utf8")
        .split("\n")
        .indexOf('    throw new Error("boom at " + scale);') + 1;
    const frame = await ask(
      program,
      '(() => { try { acc.boom(); } catch (e) { return e.stack.split("\\n").slice(0, 2); } })()',
    );
    expect(frame).toEqual(["Error: boom at 4", expect.stringContaining(`main.ts:${line}:11`)]);
  });

  test("a new method that reads a variable only top-level code reassigns is refused, naming it and its line", async () => {
    const refused = await save(
      (t) =>
        t.replace(
          "  scaled(): number {",
          "  progress(): number {\n    return steps;\n  }\n  scaled(): number {",
        ),
      /error/,
    );
    const line =
      readFileSync(join(dir, "main.ts"), "utf8").split("\n").indexOf("    return steps;") + 1;
    expect(refused).toContain(`main.ts:${line}:`);
    expect(refused).toMatch(/uses steps, a module-level variable that only top-level statements/);
    expect(refused).toContain("cannot be applied live");
    // The running version is kept, and still works.
    expect(await ask(program, "[typeof acc.progress, acc.scaled()]")).toEqual([
      "undefined",
      400_000,
    ]);
  });
});

describe("metamorph dev with restarts (the default)", () => {
  let restartDir: string | undefined;
  let running: Running | undefined;

  stopAndRemoveAfter(afterAll, () => ({ program: running, dir: restartDir }));

  test("a reload that needs a top-level-only variable restarts the program, saying why", async () => {
    restartDir = tempProject("scope-restart", { "main.ts": MAIN });
    running = run([...CLI, "dev", "main.ts"], restartDir, {}, { stdin: true });
    await running.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
    const from = running.stderr.all.length;
    const ready = running.stdout.all.length;
    editFile(join(restartDir, "main.ts"), (t) =>
      t.replace(
        "  add(o: Vec): Vec {",
        "  progress(): number {\n    return steps;\n  }\n  add(o: Vec): Vec {",
      ),
    );
    const line = await running.stderr.waitFor(/restarting/, { from, timeoutMs: 20_000 });
    expect(line).toMatch(/restarting: main\.ts: .*uses steps, a module-level variable/);
    await running.stdout.waitFor(/^ready$/, {
      from: ready,
      timeoutMs: 30_000,
      what: "the restart",
    });
    expect(await ask(running, "acc.progress()")).toBe(100_000);
  }, 60_000);
});
