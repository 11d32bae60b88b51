/**
 * Issue 15, item 1 (the part `metamorph dev` can choose): with
 * `--instance-finder heap` (the library's default in Node once it is the
 * heap finder), nothing is recorded when a managed class constructs, so
 * 2,000,000 short-lived temporaries made in one job die young — the heap
 * does not grow by their size before the job ends (with the registry each
 * one is kept alive by its `WeakRef` until then) — 30,000,000 in one job run
 * to the end (the registry's keep-alive set aborts V8 past ~2^24), a reload
 * afterwards still finds and migrates the live objects, and temporaries made
 * through the reloaded class die young too. The time of
 * the loop is printed beside the same loop's without metamorph, not asserted.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
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

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const VEC = `export class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec): Vec {
    return new Vec(this.x + o.x, this.y + o.y);
  }
}
`;

const LOOP = `const n = 2_000_000;
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
let acc = new Vec(0, 0);
const one = new Vec(1, 1);
for (let i = 0; i < n; i++) acc = acc.add(one);
const ms = performance.now() - t0;
const grewMB = (process.memoryUsage().heapUsed - before) / 1e6;
`;

/** 30,000,000 temporaries in the same job: with a WeakRef per construction V8 aborts past ~2^24 of them. */
const THIRTY_MILLION = `let big = new Vec(0, 0);
for (let i = 0; i < 30_000_000; i++) big = big.add(one);
`;

const MAIN = `import { createInterface } from "node:readline";
import { Vec } from "./vec.js";
${LOOP}
${THIRTY_MILLION}
Object.assign(globalThis, { acc, Vec });
${ANSWER_STDIN}
console.log(JSON.stringify({ ms, grewMB, x: acc.x, x30: big.x }));
`;

const PLAIN = `class Vec {
  constructor(x, y) { this.x = x; this.y = y; }
  add(o) { return new Vec(this.x + o.x, this.y + o.y); }
}
${LOOP}
console.log(JSON.stringify({ ms, grewMB, x: acc.x }));
`;

interface Loop {
  ms: number;
  grewMB: number;
  x: number;
  x30?: number;
}

test("2M temporaries in one job under --instance-finder heap die young, 30M run to the end, a reload still migrates, and temporaries of the reloaded class die young", async () => {
  dir = tempProject("allocation", { "vec.ts": VEC, "main.ts": MAIN, "plain.mjs": PLAIN });

  const plain = run(["plain.mjs"], dir);
  const plainLoop = JSON.parse(
    await plain.stdout.waitFor(/^\{/, { timeoutMs: 30_000, what: "the plain loop" }),
  ) as Loop;
  await plain.stop();

  program = run([...CLI, "dev", "--instance-finder", "heap", "main.ts"], dir, {}, { stdin: true });
  const running = program;
  const loop = JSON.parse(
    await running.stdout.waitFor(/^\{/, {
      timeoutMs: 60_000,
      what: "the loop under metamorph dev",
    }),
  ) as Loop;
  console.log(
    `2,000,000 temporaries in one job: ${loop.ms.toFixed(0)} ms under metamorph dev --instance-finder heap, ${plainLoop.ms.toFixed(0)} ms without metamorph (${(loop.ms / plainLoop.ms).toFixed(2)}×); heap grew ${loop.grewMB.toFixed(1)} MB (${plainLoop.grewMB.toFixed(1)} MB)`,
  );
  expect(loop.x).toBe(2_000_000);
  // 2M objects kept alive until the job ends would be well over 64 MB.
  expect(loop.grewMB).toBeLessThan(64);
  // Ran to the end: the process did not abort in the same job.
  expect(loop.x30).toBe(30_000_000);

  const from = running.stderr.all.length;
  editFile(join(dir, "vec.ts"), (t) => t.replace("  add(o: Vec)", "  z = 7;\n  add(o: Vec)"));
  await running.stderr.waitFor(/vec\.ts: updated Vec \(\+z\) \| \d+ instances? migrated/, {
    from,
    timeoutMs: 30_000,
  });
  expect(await ask(running, "[acc.x, acc.z, acc instanceof Vec]")).toEqual([2_000_000, 7, true]);
  // After the reload Vec constructs through its new implementation: the
  // temporaries of a loop made then still die young, and are complete objects.
  const after = (await ask(
    running,
    `(() => { const before = process.memoryUsage().heapUsed; let a = new Vec(0, 0); const one = new Vec(1, 1); for (let i = 0; i < 2_000_000; i++) a = a.add(one); return [a.x, a.z, a instanceof Vec, (process.memoryUsage().heapUsed - before) / 1e6]; })()`,
  )) as [number, number, boolean, number];
  expect(after.slice(0, 3)).toEqual([2_000_000, 7, true]);
  expect(after[3]).toBeLessThan(64);
}, 120_000);
