/**
 * Modules without classes under the Vite plugin, in headless Chromium
 * (review advZ16 1). Vite evaluates an edited module anew, and its
 * importers that accept the update (class modules) with it: `ids.ts`'s
 * counter started again at 1 and its registry was empty for the new
 * `Entity`, while the objects and older code had the old ones (ids 1,2,3,4,1;
 * `Entity.count()` 1), and `app.ts`'s exported store was a second, empty
 * one — with no word. Such a module's top level is now guarded like a class
 * module's: its new version takes over the running values, and a changed
 * statement reloads the page, saying which line.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { editFile, removeDir, tempProject } from "./support.js";

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

const FILES = {
  "index.html": `<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>`,
  "ids.ts": `let next = 1;
export function nextId() { return next++; }
export const registry = new Map<number, object>();
export function label(id: number) { return "#" + id; }
`,
  "store.ts": `export class Store { items: string[] = []; add(t: string) { this.items.push(t); } }\n`,
  "app.ts": `import { Store } from "./store.ts";
export const store = new Store();
export function fmt(n: number) { return n + " items"; }
`,
  "entity.ts": `import { nextId, registry, label } from "./ids.ts";
import { store, fmt } from "./app.ts";
export class Entity {
  id = nextId();
  constructor() { registry.set(this.id, this); store.add(label(this.id)); }
  static count() { return registry.size; }
  static shown() { return fmt(store.items.length); }
  static store() { return store; }
}
`,
  "main.ts": `import { Entity } from "./entity.ts";
const all = [new Entity(), new Entity(), new Entity()];
(globalThis as Record<string, unknown>).app = { all, Entity, store: Entity.store() };
`,
};

type Seen = { ids: number[]; count: number; shown: string; items: string[]; sameStore: boolean };

/** Makes one more entity, then reads what the page holds. */
const addAndRead = (page: Page): Promise<Seen> =>
  page.evaluate(() => {
    type Entity = { id: number };
    const app = (globalThis as Record<string, unknown>).app as {
      all: Entity[];
      Entity: { new (): Entity; count(): number; shown(): string; store(): unknown };
      store: { items: string[] };
    };
    app.all.push(new app.Entity());
    return {
      ids: app.all.map((e) => e.id),
      count: app.Entity.count(),
      shown: app.Entity.shown(),
      items: [...app.store.items],
      sameStore: app.Entity.store() === app.store,
    };
  });

const updates = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= n,
    n,
    { timeout: 15_000 },
  );

test("an edit of a module without classes keeps its state for the classes that import it; a changed statement reloads, saying why", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-module-state", FILES);
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const lines: string[] = [];
  page.on("console", (m) => lines.push(m.text()));
  let loads = 0;
  page.on("load", () => loads++);

  expect(await addAndRead(page)).toEqual({
    ids: [1, 2, 3, 4],
    count: 4,
    shown: "4 items",
    items: ["#1", "#2", "#3", "#4"],
    sameStore: true,
  });
  // A function of ids.ts changed: the counter and the registry go on.
  editFile(join(dir, "ids.ts"), (t) => t.replace(`"#" + id`, `"id " + id`));
  await updates(page, 1);
  expect(await addAndRead(page)).toEqual({
    ids: [1, 2, 3, 4, 5],
    count: 5,
    shown: "5 items",
    items: ["#1", "#2", "#3", "#4", "id 5"],
    sameStore: true,
  });
  // A function of app.ts changed: its exported store stays the one the page has.
  editFile(join(dir, "app.ts"), (t) => t.replace(`" items"`, `" things"`));
  await updates(page, 2);
  expect(await addAndRead(page)).toMatchObject({
    ids: [1, 2, 3, 4, 5, 6],
    count: 6,
    shown: "6 things",
    sameStore: true,
  });
  expect(lines.join("\n")).toContain(
    "[metamorph] /entity.ts: updated Entity (unchanged, evaluated again: a module it imports changed) | 0 instances migrated",
  );
  expect(lines.join("\n")).not.toContain("constructor or other code");
  expect(loads).toBe(0);

  // A new top-level statement would run on top of what the running version did: the page reloads, saying so.
  editFile(join(dir, "ids.ts"), (t) => `${t}registry.clear();\n`);
  await page.waitForFunction(
    () => (globalThis as { app?: { all: unknown[] } }).app?.all.length === 3,
    null,
    {
      timeout: 15_000,
    },
  );
  expect(loads).toBe(1);
  expect(lines).toContain(
    "[metamorph] /ids.ts: line 5: a top-level statement changed, and running it again would repeat what the running version did: the page reloads",
  );
}, 90_000);
