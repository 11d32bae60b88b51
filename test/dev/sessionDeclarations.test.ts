/**
 * Functions and variables whose declaration came and went during the
 * session: a function an earlier save added changes like any other (it
 * kept its first body: "no class or function changed"), and so does one a
 * save removed and a later save declares again with a new body; a removed
 * module const declared again with another initialiser keeps its running
 * value and says so (a restart without `--no-restart`), as a changed one
 * does, while one declared again as it was changes nothing.
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
} from "./support.js";

let dir: string;
let program: Running;

const ITEM = `const RATE = 2;
function fmt(n: number): string {
  return "A" + n;
}
export class Item {
  n = 1;
  label(): string {
    return fmt(this.n);
  }
  rated(): number {
    return this.n * RATE;
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Item } from "./item.js";
Object.assign(globalThis, { item: new Item() });
${ANSWER_STDIN}
console.log("ready");
`;

const save = (change: (text: string) => string, expected: RegExp) =>
  saveAndWait(program, join(dir, "item.ts"), change, expected);

describe("metamorph dev: declarations added, removed and declared again", () => {
  beforeAll(async () => {
    ({ dir, program } = await startDev("session-declarations", {
      "item.ts": ITEM,
      "main.ts": MAIN,
    }));
  }, 30_000);

  stopAndRemoveAfter(afterAll, () => ({ program, dir }));

  test("a function an earlier save added takes each new body", async () => {
    await save(
      (t) =>
        t
          .replace(
            "export class Item {",
            'function helper(): string {\n  return "H1";\n}\nexport class Item {',
          )
          .replace("    return fmt(this.n);", "    return helper() + fmt(this.n);"),
      /item\.ts: updated Item \(~label\(\)\)/,
    );
    expect(await ask(program, "item.label()")).toBe("H1A1");
    await save((t) => t.replace('"H1"', '"H2"'), /item\.ts: updated function helper/);
    expect(await ask(program, "item.label()")).toBe("H2A1");
  });

  test("a function a save removed and a later one declares again takes its new body", async () => {
    const removed = 'function fmt(n: number): string {\n  return "A" + n;\n}\n';
    await save(
      (t) => t.replace(removed, "").replace("helper() + fmt(this.n)", 'helper() + "-" + this.n'),
      /item\.ts: updated Item \(~label\(\)\)/,
    );
    expect(await ask(program, "item.label()")).toBe("H2-1");
    await save(
      (t) =>
        t
          .replace("export class Item {", `${removed.replace('"A"', '"B"')}export class Item {`)
          .replace('helper() + "-" + this.n', "helper() + fmt(this.n)"),
      /item\.ts: updated Item \(~label\(\)\); function fmt/,
    );
    expect(await ask(program, "item.label()")).toBe("H2B1");
  });

  test("a const a save removed keeps its value declared again, and says so when its initialiser differs", async () => {
    await save(
      (t) => t.replace("const RATE = 2;\n", "").replace("this.n * RATE", "this.n * 10"),
      /item\.ts: updated Item \(~rated\(\)\)/,
    );
    const same = await save(
      (t) => `const RATE = 2;\n${t.replace("this.n * 10", "this.n * RATE")}`,
      /item\.ts: updated Item \(~rated\(\)\)/,
    );
    expect(same.join("\n")).not.toMatch(/RATE keeps its running value/);
    expect(await ask(program, "item.rated()")).toBe(2);
    await save(
      (t) => t.replace("const RATE = 2;\n", "").replace("this.n * RATE", "this.n * 10"),
      /item\.ts: updated Item \(~rated\(\)\)/,
    );
    await save(
      (t) => `const RATE = 3;\n${t.replace("this.n * 10", "this.n * RATE")}`,
      /item\.ts: note: line 1: module-level const RATE keeps its running value/,
    );
    expect(await ask(program, "item.rated()")).toBe(2);
  });
});
