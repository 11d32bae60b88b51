/**
 * A field a save adds gets, on the existing objects, the value its
 * initialiser gives a new object, computed in the module's scope: one that
 * reads the module (a const, a function, an import added by the same save)
 * and an arrow function field (which tsx wraps in its module's `__name`)
 * failed every such save with "__metamorph$scope is not defined", whatever
 * the migrations module said, until the program restarted. A `migrate` of
 * the migrations module has the last word on the value; a field whose
 * initialiser throws on the existing objects is blamed on the source, not
 * on the migrations module, and the next save applies.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
  writeAtomically,
} from "./support.js";

let dir: string;
let program: Running;

const ITEM = `const LIMIT = 5;
let seq = 0;
function next(): number {
  return ++seq;
}
export class Item {
  a = 1;
  use(): number {
    return LIMIT;
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Item } from "./item.js";
Object.assign(globalThis, { item: new Item(), Item });
${ANSWER_STDIN}
console.log("ready");
`;

const save = (file: string, change: (text: string) => string, expected: RegExp) =>
  saveAndWait(program, join(dir, file), change, expected);

describe("metamorph dev: fields added to live objects", () => {
  beforeAll(async () => {
    ({ dir, program } = await startDev("added-fields", { "item.ts": ITEM, "main.ts": MAIN }));
  }, 30_000);

  stopAndRemoveAfter(afterAll, () => ({ program, dir }));

  test("initialisers that read the module run in it for the existing objects", async () => {
    await save(
      "item.ts",
      (t) =>
        t.replace("  a = 1;\n", "  a = 1;\n  f = () => this.a;\n  lim = LIMIT;\n  id = next();\n"),
      /item\.ts: updated Item \(\+f, \+lim, \+id\) \| 1 instance migrated/,
    );
    expect(await ask(program, "[item.f(), item.lim, item.id, new Item().id]")).toEqual([
      1, 5, 1, 2,
    ]);
    await save(
      "item.ts",
      (t) =>
        `import { EventEmitter } from "node:events";\n${t.replace("  a = 1;\n", "  a = 1;\n  events = new EventEmitter();\n")}`,
      /item\.ts: updated Item \(\+events\)/,
    );
    expect(await ask(program, "typeof item.events.on")).toBe("function");
  });

  test("a migrate of the migrations module has the last word on an added field", async () => {
    writeAtomically(
      join(dir, "item.migrations.ts"),
      'export const migrate = { Item(old: unknown, item: { tag: string }) { item.tag = "migrated"; } };\n',
    );
    await save(
      "item.ts",
      (t) => t.replace("  a = 1;\n", "  a = 1;\n  tag = String(LIMIT);\n"),
      /item\.ts: updated Item \(\+tag\)/,
    );
    expect(await ask(program, "[item.tag, new Item().tag]")).toEqual(["migrated", "5"]);
  });

  test("an initialiser that throws on the existing objects is blamed on the source, and the next save applies", async () => {
    const failed = await save(
      "item.ts",
      (t) => t.replace("  a = 1;\n", "  a = 1;\n  size = (this as any).options.size;\n"),
      /error: MM_MIGRATION_FAILED computing field "size"/,
    );
    expect(failed.join("\n")).toMatch(/^\[metamorph\] item\.ts:\d+: error:/m);
    await save(
      "item.ts",
      (t) => t.replace("(this as any).options.size", "LIMIT * 2"),
      /item\.ts: updated Item \(\+size\) \| \d+ instances migrated, pause [\d.]+ ms \| fixed/,
    );
    expect(await ask(program, "item.size")).toBe(10);
  });
});
