/**
 * A class moved to a module of its own under the Vite plugin, in headless
 * Chromium (review advY5 H4): `todo.ts` created with `class Todo`, then
 * `models.ts` saved without it, importing it. The new class was left
 * unmanaged for good ("another module already defines a managed class
 * named Todo", again at every later edit) and the old one reported removed,
 * its objects on the old code. Now the old handle takes the moved class:
 * the objects run its code, and later edits of `todo.ts` apply.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";

const todo = (label: string) => `export class Todo {
  text = "";
  label() { return "${label}:" + this.text; }
}
`;
const list = `export class List {
  items: Todo[] = [];
  add(t: string) { const x = new Todo(); x.text = t; this.items.push(x); return x; }
}
`;

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

const updates = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= n,
    n,
    { timeout: 15_000 },
  );

/** Labels of the list's todos, one added now among them. */
const labels = (page: Page) =>
  page.evaluate(() => {
    const { l } = (globalThis as Record<string, unknown>).app as {
      l: { add(t: string): unknown; items: { label(): string }[] };
    };
    l.add(`x${l.items.length}`);
    return l.items.map((t) => t.label());
  });

test("a class moved to its own module keeps its objects, which run its code there, edits included", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-moved-class", {
    "index.html": `<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>`,
    "models.ts": `${todo("t1")}${list}`,
    "main.ts": `import { List } from "./models.ts";\nconst l = new List(); l.add("milk");\n(globalThis as Record<string, unknown>).app = { l };\n`,
  });
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const lines: string[] = [];
  page.on("console", (m) => lines.push(m.text()));
  expect(await labels(page)).toEqual(["t1:milk", "t1:x1"]);

  writeAtomically(join(dir, "todo.ts"), todo("t2"));
  writeAtomically(join(dir, "models.ts"), `import { Todo } from "./todo.ts";\n${list}`);
  await updates(page, 1);
  expect(await labels(page)).toEqual(["t2:milk", "t2:x1", "t2:x2"]);
  expect(lines.join("\n")).toContain("[metamorph] /models.ts: class Todo moved to /todo.ts");

  writeAtomically(join(dir, "todo.ts"), todo("t3"));
  await updates(page, 2);
  expect(await labels(page)).toEqual(["t3:milk", "t3:x1", "t3:x2", "t3:x3"]);
  expect(lines.join("\n")).not.toMatch(/is not managed|was removed/);
}, 90_000);
