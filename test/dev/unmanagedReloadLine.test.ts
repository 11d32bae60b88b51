/**
 * The line of a save that changes only a class metamorph does not manage (it
 * extends a package's class, or another module manages a class of its name):
 * its methods were replaced, and the line said "no class or function
 * changed" before the warning saying so (review advZ5 3). It now names what
 * was updated, as the Vite page does (`updated methods of El`); the second
 * class of a name is said to be reloaded too, not to need a rename for it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  type Running,
  run,
  saveAndWait,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const MAIN = `import { createInterface } from "node:readline";
import { El } from "./el.js";
import { Item } from "./cart.js";
import { Item as MenuItem } from "./menu.js";

Object.assign(globalThis, { el: new El(), item: new Item(), menu: new MenuItem() });
${ANSWER_STDIN}
console.log("ready");
`;

test("a save that changes only unmanaged classes says it updated their methods", async () => {
  dir = tempProject("unmanaged-line", {
    "el.ts": `import { Base } from "widgets";\nexport class El extends Base {\n  n = 0;\n  inc() { return ++this.n; }\n}\n`,
    "cart.ts": `export class Item {\n  label() { return "cart"; }\n}\n`,
    "menu.ts": `export class Item {\n  label() { return "menu"; }\n}\n`,
    "main.ts": MAIN,
  });
  const widgets = join(dir, "node_modules", "widgets");
  mkdirSync(widgets, { recursive: true });
  writeFileSync(
    join(widgets, "package.json"),
    `{ "name": "widgets", "type": "module", "main": "index.js" }\n`,
  );
  writeFileSync(join(widgets, "index.js"), "export class Base { hello() { return 'base'; } }\n");
  program = run([...CLI, "dev", "--no-restart", "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
  expect(await program.stderr.waitFor(/menu\.ts: warning: class Item is not managed/)).toBe(
    "[metamorph] menu.ts: warning: class Item is not managed: another module already defines a managed class named Item (rename one of them to have both managed); its methods are still reloaded, its fields are not",
  );
  const el = await saveAndWait(
    program,
    join(dir, "el.ts"),
    (t) => t.replace("++this.n", "this.n += 100"),
    /el\.ts: (updated|no class|error)/,
  );
  expect(el.join("\n")).toMatch(/el\.ts: updated methods of El \| 0 instances migrated/);
  // In a dev user's words: no registerClass options to pass.
  expect(program.stderr.all.join("\n")).toContain(
    "el.ts: warning: class El is not managed (MM_UNMANAGED_CLASS class El extends Base, which metamorph does not manage); its methods are still reloaded, its fields are not",
  );
  const menu = await saveAndWait(
    program,
    join(dir, "menu.ts"),
    (t) => t.replace('"menu"', '"MENU"'),
    /menu\.ts: (updated|no class|error)/,
  );
  expect(menu.join("\n")).toMatch(/menu\.ts: updated methods of Item \|/);
  expect(await ask(program, "[el.inc(), item.label(), menu.label()]")).toEqual([
    100,
    "cart",
    "MENU",
  ]);
}, 60_000);
