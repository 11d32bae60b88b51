/**
 * Review advZ26 L6: a save that changed only a constructor's body was
 * applied, but its update line did not name the constructor ("Bag
 * (constructor or other code)", or only the field it sets: "Item (x = …)");
 * and a type-only save (an interface edited, the compiled JavaScript the
 * same) printed nothing at all, as if it had not been seen.
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
import { Reporter } from "../../src/dev/reporter.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const ITEM = `export class Item {
  x: number;
  constructor() {
    this.x = 1;
  }
}

export class Bag {
  n = 0;
  constructor() {
    this.n += 1;
  }
  size() {
    return this.n;
  }
}
`;
const TYPES = `export interface Shape {
  w: number;
}
export type Id = string;
`;
const MAIN = `import { createInterface } from "node:readline";
import { Bag, Item } from "./item.js";
import "./types.js";
Object.assign(globalThis, { item: new Item(), bag: new Bag(), Item, Bag });
${ANSWER_STDIN}
console.log("ready");
`;

test("a constructor's body changed: the update line names it, for new objects only", async () => {
  ({ dir, program } = await startDev("constructor-line", {
    "item.ts": ITEM,
    "types.ts": TYPES,
    "main.ts": MAIN,
  }));
  const item = join(dir, "item.ts");
  let lines = await saveAndWait(
    program,
    item,
    (t) => t.replace("this.n += 1;", "this.n += 2;"),
    /item\.ts: updated/,
  );
  expect(lines[0]).toMatch(
    /^\[metamorph\] item\.ts: updated Bag \(~constructor: new objects only\) \| /,
  );
  lines = await saveAndWait(
    program,
    item,
    (t) => t.replace("this.x = 1;", "this.x = 2;"),
    /item\.ts: updated/,
  );
  expect(lines[0]).toMatch(/updated Item \(x = …, ~constructor: new objects only\) \| /);
  expect(await ask(program, "[item.x, new Item().x, bag.n, new Bag().n]")).toEqual([1, 2, 1, 2]);
  // A method changed, the constructor not: no constructor named.
  lines = await saveAndWait(
    program,
    item,
    (t) => t.replace("return this.n;", "return this.n * 10;"),
    /item\.ts: updated/,
  );
  expect(lines[0]).toMatch(/updated Bag \(~size\(\)\) \| /);
}, 60_000);

test("a type-only save prints one line saying it has no runtime effect", async () => {
  const lines = await saveAndWait(
    program!,
    join(dir!, "types.ts"),
    (t) => t.replace("w: number;", "w: number; h?: number;"),
    /types\.ts: /,
  );
  expect(lines).toEqual([
    "[metamorph] types.ts: no runtime effect (the compiled JavaScript is unchanged: types or comments only)",
  ]);
  expect(await ask(program!, "bag.size()")).toBe(10);
}, 60_000);

test("the line is said once per text: a second change event of the same save says nothing more", () => {
  const said: string[] = [];
  const reporter = new Reporter("/p", (line) => said.push(line), 0);
  reporter.noRuntimeEffect("/p/types.ts", "type A = 1;");
  reporter.noRuntimeEffect("/p/types.ts", "type A = 1;");
  reporter.noRuntimeEffect("/p/other.ts", "type A = 1;");
  reporter.noRuntimeEffect("/p/types.ts", "type A = 2;");
  expect(said.map((l) => l.split(":")[0])).toEqual([
    "[metamorph] types.ts",
    "[metamorph] other.ts",
    "[metamorph] types.ts",
  ]);
});
