/**
 * Classes the page leaves unmanaged, under the Vite plugin in headless
 * Chromium (review advZ5 1, 2): a class extending a package's class (Lit's
 * `LitElement`, React's `Component`), and a second class named like one
 * another module manages (`Item` in cart.ts and menu.ts). Their edits were
 * accepted and dropped: no update line, no reload, the old code kept running,
 * the start-up warning printed again. As under `metamorph dev`, an edit now
 * replaces their methods in place, says so, and tells the page
 * (`metamorph:update`); the objects stay the same ones.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
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
  "counter.ts": `import { Base } from "widgets";
export class Counter extends Base {
  n = 0;
  inc() { this.n += 1; return this.n; }
}
`,
  "cart.ts": `export class Item {\n  qty = 1;\n  label() { return "cart x" + this.qty; }\n}\n`,
  "menu.ts": `export class Item {
  title = "File";
  label() { return "menu " + this.title; }
}
export class Menu {
  items = [new Item()];
  labels() { return this.items.map((i) => i.label()).join(","); }
}
`,
  "main.ts": `import { Counter } from "./counter.ts";
import { Item as CartItem } from "./cart.ts";
import { Menu } from "./menu.ts";
const counter = new Counter();
const menu = new Menu();
const told: string[][] = [];
addEventListener("metamorph:update", (e) => told.push((e as CustomEvent).detail.classes));
(globalThis as Record<string, unknown>).app = { counter, first: counter, cart: new CartItem(), menu, told };
`,
};

const updates = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= n,
    n,
    { timeout: 15_000 },
  );

type App = {
  counter: { inc(): number; hello(): string };
  first: unknown;
  cart: { label(): string };
  menu: { labels(): string; items: unknown[] };
  told: string[][];
};

const read = (page: Page) =>
  page.evaluate(() => {
    const app = (globalThis as Record<string, unknown>).app as App;
    return {
      inc: app.counter.inc(),
      hello: app.counter.hello(),
      same: app.counter === app.first,
      cart: app.cart.label(),
      menu: app.menu.labels(),
      told: app.told,
      last: (globalThis as { __metamorph?: { last: string } }).__metamorph?.last,
    };
  });

test("an edit of a class extending a package's class, or named like another module's, replaces its methods", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-unmanaged", FILES);
  const pkg = join(dir, "node_modules", "widgets");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    `{ "name": "widgets", "type": "module", "main": "index.js" }\n`,
  );
  writeFileSync(join(pkg, "index.js"), `export class Base { hello() { return "base"; } }\n`);
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, {
    configFile: false,
    plugins: [metamorph()],
    // Served as it is: no optimizer run that would reload the page.
    optimizeDeps: { exclude: ["widgets"] },
  });
  const { page } = opened;
  const lines: string[] = [];
  page.on("console", (m) => lines.push(m.text()));
  let reloads = 0;
  page.on("load", () => reloads++);
  expect(await read(page)).toMatchObject({ inc: 1, hello: "base", menu: "menu File", told: [] });

  // A class extending a package's class: its methods replaced, its object's state kept.
  editFile(join(dir, "counter.ts"), (t) => t.replace("this.n += 1", "this.n += 100"));
  await updates(page, 1);
  expect(await read(page)).toMatchObject({
    inc: 101,
    hello: "base",
    same: true,
    told: [["Counter"]],
    last: "/counter.ts: updated methods of Counter",
  });
  // In a dev user's words: no registerClass options to pass.
  expect(lines.join("\n")).toContain(
    "/counter.ts: warning: class Counter is not managed (MM_UNMANAGED_CLASS class Counter extends Base, which metamorph does not manage): its methods were replaced, its fields and existing objects were not migrated",
  );

  // The second Item, edited with a managed class of its module: one update line for both.
  editFile(join(dir, "menu.ts"), (t) =>
    t.replace('"menu " + this.title', '"MENU " + this.title').replace('.join(",")', '.join("|")'),
  );
  await updates(page, 2);
  const after = await read(page);
  expect(after).toMatchObject({ inc: 201, cart: "cart x1", menu: "MENU File", same: true });
  expect(after.told).toEqual([["Counter"], ["Menu", "Item"]]);
  expect(after.last).toMatch(
    /^\/menu\.ts: updated Menu \(~labels\(\)\); methods of Item \| \d+ instances? migrated/,
  );
  expect(lines.join("\n")).toContain(
    "/menu.ts: warning: class Item is not managed (another module already defines a managed class named Item): its methods were replaced",
  );
  // The start-up warning (before these lines were listened to) is not repeated at each evaluation.
  expect(lines.filter((l) => l.includes("is not managed:"))).toEqual([]);
  expect(reloads).toBe(0);
}, 90_000);
