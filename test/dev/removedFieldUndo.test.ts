/**
 * A field line deleted by accident and saved, then restored (the editor's
 * undo) and saved again (review advZ5 4): the field came back from its
 * initialiser — `count` at 41 was 0 — and the removal did not say that any
 * values went. The removal now says how many objects' values it took and
 * that they are kept; the save that declares the field again gives them
 * back (to the objects of a subclass too), and an object made in between
 * gets the initialiser's value.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
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

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const MODEL = `export class Counter {
  count = 0;
  name = "a";
  click() { this.count++; return this.count; }
}
export class Timed extends Counter {
  at = 1;
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Counter, Timed } from "./model.js";

const c = new Counter();
for (let i = 0; i < 41; i++) c.click();
const t = new Timed();
t.count = 7;
Object.assign(globalThis, { c, t, Counter });
${ANSWER_STDIN}
console.log("ready");
`;

test("a removed field declared again by a later save gets its values back", async () => {
  ({ dir, program } = await startDev("removed-field", { "model.ts": MODEL, "main.ts": MAIN }));
  const file = join(dir, "model.ts");
  expect(await ask(program, "[c.count, t.count]")).toEqual([41, 7]);

  const removed = await saveAndWait(
    program,
    file,
    (text) =>
      text.replace("  count = 0;\n", "").replace("this.count++; return this.count;", "return 0;"),
    /model\.ts: (note: Counter\.count|error)/,
  );
  expect(removed.join("\n")).toContain("updated Counter (-count, ~click())");
  expect(removed.join("\n")).toContain(
    "model.ts: note: Counter.count: removed, with its values on 2 objects; they are kept while the program runs, and come back if a later save declares count in Counter again",
  );
  expect(
    await ask(program, "globalThis.d = new Counter(); [c.count, t.count, 'count' in d]"),
  ).toEqual([null, null, false]);

  const restored = await saveAndWait(
    program,
    file,
    () => MODEL,
    /model\.ts: (note: Counter\.count|error)/,
  );
  expect(restored.join("\n")).toContain("updated Counter (+count, ~click())");
  expect(restored.join("\n")).toContain(
    "model.ts: note: Counter.count: declared again: 2 objects got back the values it had when a save removed it",
  );
  // The object made in between has no value to get back: the initialiser's.
  expect(await ask(program, "[c.click(), t.count, d.count, c.name]")).toEqual([42, 7, 0, "a"]);
}, 60_000);
