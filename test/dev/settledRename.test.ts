/**
 * Issue 15, item 8: a rename settled after the fact. An edit renames
 * `count → total` and `label → title` without a hint (taken as removed +
 * added, with a warning); the program goes on writing the new fields; then
 * the migrations module is saved with the hints. The update is undone and
 * applied again with the renames, and what was written since is kept: a
 * counter at 65 that counted 8 more under its new name is at 73 (not 65, nor
 * 8), a string written since keeps its value, a field nobody wrote gets the
 * old field's value, and an object created since keeps what it holds.
 * Once another file's update came in between, the engine cannot undo it any
 * more (only the latest update can be): the note says so.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  CLI,
  editFile,
  run,
  writeAtomically,
  ANSWER_STDIN,
  ask,
  type Running,
  tempProject,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const COUNTER = `export class Counter {
  count = 0;
  label = "";

  tick(): void {
    this.count++;
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Counter } from "./counter.js";

const c = new Counter();
c.label = "clicks";
const d = new Counter();
d.count = 5;
d.label = "idle";
Object.assign(globalThis, { c, d, Counter });
${ANSWER_STDIN}
console.log("ready");
`;

test("a rename hint saved after the update keeps what was written to the new fields since", async () => {
  dir = tempProject("settled", { "counter.ts": COUNTER, "main.ts": MAIN });
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  const running = program;
  await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  expect(await ask(running, "for (let i = 0; i < 65; i++) c.tick(); c.count")).toBe(65);

  // The rename without a hint: removed + added, with a warning.
  let from = running.stderr.all.length;
  editFile(join(dir, "counter.ts"), (t) =>
    t.replaceAll("count", "total").replaceAll("label", "title"),
  );
  await running.stderr.waitFor(/warning: Counter: fields count, label disappeared/, {
    from,
    timeoutMs: 20_000,
  });
  expect(await ask(running, "c")).toEqual({ total: 0, title: "" });

  // The program goes on under the new names.
  expect(
    await ask(
      running,
      'for (let i = 0; i < 8; i++) c.tick(); c.title = "written"; globalThis.b = new Counter(); b.tick(); b.tick(); [c.total, b.total]',
    ),
  ).toEqual([8, 2]);

  // The hints, after the fact.
  from = running.stderr.all.length;
  writeAtomically(
    join(dir, "counter.migrations.ts"),
    'export const renames = { Counter: { total: "count", title: "label" } };\n',
  );
  await running.stderr.waitFor(/updated Counter \(count→total, label→title/, {
    from,
    timeoutMs: 20_000,
  });
  await running.stderr.waitFor(/note: Counter\.title: kept/, { from, timeoutMs: 20_000 });
  const lines = running.stderr.all.slice(from).join("\n");
  expect(lines).toMatch(/undid the last update of counter\.ts/);
  expect(lines).toMatch(
    /counter\.ts: note: Counter\.total: kept the values written since the undone update on 2 objects/,
  );
  expect(lines).toMatch(
    /counter\.ts: note: Counter\.title: kept the values written since the undone update on 2 objects/,
  );

  expect(await ask(running, "c")).toEqual({ total: 73, title: "written" });
  expect(await ask(running, "d")).toEqual({ total: 5, title: "idle" });
  expect(await ask(running, "b")).toEqual({ total: 2, title: "" });
  expect(await ask(running, "[c, d, b].every((o) => o instanceof Counter)")).toBe(true);
}, 90_000);

let dir2: string | undefined;
let program2: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program: program2, dir: dir2 }));

test("a rename hint saved after another file's update says why it cannot undo the update any more", async () => {
  dir2 = tempProject("settled-late", {
    "counter.ts": COUNTER,
    "other.ts": "export class Other {\n  v = 1;\n}\n",
    "main.ts": `import { Other } from "./other.js";\n${MAIN.replace("Object.assign(globalThis, { c, d, Counter });", "Object.assign(globalThis, { c, d, Counter, other: new Other() });")}`,
  });
  program2 = run([...CLI, "dev", "main.ts"], dir2, {}, { stdin: true });
  const running = program2;
  await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  let from = running.stderr.all.length;
  editFile(join(dir2, "counter.ts"), (t) => t.replaceAll("count", "total"));
  const warning = await running.stderr.waitFor(/warning: Counter: field count disappeared/, {
    from,
    timeoutMs: 20_000,
  });
  expect(warning).toMatch(/saving it before another file re-applies this update with the rename$/);
  from = running.stderr.all.length;
  editFile(join(dir2, "other.ts"), (t) => t.replace("  v = 1;\n", "  v = 1;\n  w = 2;\n"));
  await running.stderr.waitFor(/other\.ts: updated Other \(\+w\)/, { from, timeoutMs: 20_000 });
  from = running.stderr.all.length;
  writeAtomically(
    join(dir2, "counter.migrations.ts"),
    'export const renames = { Counter: { total: "count" } };\n',
  );
  expect(await running.stderr.waitFor(/counter\.migrations\.ts saved/, { from })).toBe(
    "[metamorph] counter.ts: note: counter.migrations.ts saved, but the last update of counter.ts can no longer be undone to apply it again (only the latest update can be, and other.ts was updated after it); it applies to the next update of counter.ts",
  );
}, 90_000);
