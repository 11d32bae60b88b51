/**
 * A class module with top-level code under the Vite plugin, in headless
 * Chromium (review advY5 C1, H1, H2): Vite evaluates each version of an
 * edited module as a new module instance, and every save ran the module's
 * bootstrap again — a second app mounted, listeners and timers doubled,
 * an unguarded `customElements.define` failing the edit (the page stuck on
 * the first version), and an exported singleton made anew (the page
 * reloaded, its state lost). Unchanged top-level statements now do not run
 * again and their variables keep their running values; a changed one reloads
 * the page, saying which line. Nor do unchanged static initialisers (H6).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";

const main = (label: string, bootstrap = "app.mount();") => `
const LABEL = "${label}";
let nextId = 1;
export class Store { items: number[] = []; add() { this.items.push(nextId++); } }
export const store = new Store();
class App {
  static timers = (globalThis as { timers?: number }).timers = ((globalThis as { timers?: number }).timers ?? 0) + 1;
  clicks = 0;
  root = document.createElement("div");
  mount() { document.body.append(this.root); this.root.addEventListener("click", () => this.onClick()); this.render(); }
  onClick() { this.clicks++; store.add(); this.render(); }
  render() { this.root.textContent = LABEL + ":" + this.clicks; }
}
class XTag extends HTMLElement {}
customElements.define("x-tag", XTag);
const app = new App();
${bootstrap}
let keys = 0;
document.addEventListener("keydown", () => keys++);
(globalThis as Record<string, unknown>).app = { app, store, keys: () => keys };
`;

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

type Seen = { texts: string[]; items: number[]; keys: number; timers: number; updates: number };

/** Clicks every app root and presses a key, then reads what the page shows. */
const clickAndRead = (page: Page): Promise<Seen> =>
  page.evaluate(() => {
    const roots = Array.from(document.querySelectorAll<HTMLElement>("body > div"));
    for (const root of roots) root.click();
    document.dispatchEvent(new KeyboardEvent("keydown"));
    const g = (globalThis as Record<string, unknown>).app as {
      store: { items: number[] };
      keys(): number;
    };
    return {
      texts: roots.map((r) => r.textContent ?? ""),
      items: [...g.store.items],
      keys: g.keys(),
      timers: (globalThis as { timers?: number }).timers ?? 0,
      updates: (globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0,
    };
  });

const updates = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= n,
    n,
    { timeout: 15_000 },
  );

test("an edit of a class runs none of its module's unchanged top-level code again; a changed statement reloads the page, saying why", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-top-level", {
    "index.html": `<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>`,
    "main.ts": main("v1"),
  });
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const errors: string[] = [];
  const lines: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => lines.push(m.text()));
  let loads = 0;
  page.on("load", () => loads++);

  expect(await clickAndRead(page)).toEqual({
    texts: ["v1:1"],
    items: [1],
    keys: 1,
    timers: 1,
    updates: 0,
  });
  // The constant changed (it takes its new value); the app, the store, its counter, the listener and the element stay.
  writeAtomically(join(dir, "main.ts"), main("v2").replace("this.clicks++", "this.clicks += 10"));
  await updates(page, 1);
  expect(await clickAndRead(page)).toEqual({
    texts: ["v2:11"],
    items: [1, 2],
    keys: 2,
    // An unchanged static initialiser does not run again either (review advY5 H6).
    timers: 1,
    updates: 1,
  });
  expect(loads).toBe(0);
  expect(errors).toEqual([]);

  // Mounting again would make a second app: the page reloads instead, with the new code.
  writeAtomically(join(dir, "main.ts"), main("v3", "app.mount(); app.onClick();"));
  await page.waitForFunction(() => document.body.textContent === "v3:1", null, { timeout: 15_000 });
  expect(loads).toBe(1);
  expect(lines.join("\n")).toContain(
    "[metamorph] /main.ts: line 17: a top-level statement changed, and running it again would repeat what the running version did: the page reloads",
  );
}, 90_000);
