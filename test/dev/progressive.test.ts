/**
 * Issue 15, item 4: a reload of classes with more instances than the
 * threshold (`--progressive-above`, lowered here) migrates them progressively
 * — slice by slice between the program's own tasks — with progress lines and
 * a final line giving the pause and the duration, keeps every object's state,
 * and lets the program's loop run while it migrates. The loop here checks on
 * every turn whether some sampled objects have migrated and others not:
 * seeing that proves it ran in the middle of the reload, whatever the timing
 * and whatever order the finder gives (100,000 dots made in one job switch
 * the default, adaptive finder to the heap query).
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

const COUNT = 100_000;

const DOT = `export class Dot {
  x = 0;
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Dot } from "./dot.js";

const dots = Array.from({ length: ${COUNT} }, (_, i) => {
  const dot = new Dot();
  dot.x = i;
  return dot;
});
const loop = { turns: 0, duringReload: 0, armed: false };
/** Every 1000th dot: the sweep's order is the finder's (the heap's is not the array's). */
const sample = dots.filter((_, i) => i % 1000 === 0);
/** A loop turn on every pass of the event loop while armed, until every sampled dot has migrated. */
function turn() {
  loop.turns++;
  const migrated = sample.filter((dot) => Object.hasOwn(dot, "y")).length;
  if (migrated > 0 && migrated < sample.length) loop.duringReload++;
  if (migrated === sample.length) loop.armed = false;
  else setImmediate(turn);
}
function arm() {
  loop.armed = true;
  setImmediate(turn);
  return "armed";
}
function check() {
  let sum = 0;
  let withY = 0;
  for (const dot of dots) {
    sum += dot.x;
    if (dot.y === 2) withY++;
  }
  return { sum, withY, instances: dots.every((d) => d instanceof Dot) };
}
Object.assign(globalThis, { loop, arm, check });
${ANSWER_STDIN}
console.log("ready");
`;

test("above the threshold a reload migrates progressively, says how far it is, and the loop keeps running", async () => {
  dir = tempProject("progressive", { "dot.ts": DOT, "main.ts": MAIN });
  program = run(
    [...CLI, "dev", "--progressive-above", "1000", "main.ts"],
    dir,
    {},
    { stdin: true },
  );
  const running = program;
  await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  expect(await ask(running, "arm()")).toBe("armed");

  const from = running.stderr.all.length;
  editFile(join(dir, "dot.ts"), (t) => t.replace("  x = 0;", "  x = 0;\n  y = 2;"));
  const final = await running.stderr.waitFor(/migrated progressively in/, {
    from,
    timeoutMs: 30_000,
    what: "the final line of the progressive reload",
  });
  const lines = running.stderr.all.slice(from);
  expect(lines).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^\\[metamorph\\] dot\\.ts: updated Dot \\(\\+y\\) \\| migrating ${COUNT} instances progressively, pause \\d+\\.\\d\\d ms$`,
      ),
    ),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^\\[metamorph\\] dot\\.ts: migrating \\d+/${COUNT} instances progressively \\(\\d+ %\\)$`,
      ),
    ),
  );
  expect(final).toMatch(
    new RegExp(
      `^\\[metamorph\\] dot\\.ts: ${COUNT} instances migrated progressively in \\d+(\\.\\d)? m?s, pause \\d+\\.\\d\\d ms, longest block \\d+ ms( \\(finding the instances\\))?$`,
    ),
  );
  // No colour codes when not writing to a terminal.
  expect(lines.join("\n").includes("\u001b")).toBe(false);

  expect(await ask(running, "check()")).toEqual({
    sum: (COUNT * (COUNT - 1)) / 2,
    withY: COUNT,
    instances: true,
  });
  if (process.env.METAMORPH_TEST_VERBOSE) console.log(lines.join("\n"));
  const loop = (await ask(running, "loop")) as { turns: number; duringReload: number };
  expect(loop.duringReload).toBeGreaterThan(0);
}, 90_000);
