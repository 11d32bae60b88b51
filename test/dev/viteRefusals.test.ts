/**
 * How the page tells a refused edit, in headless Chromium (review advY5
 * b10): a refusal was only a console line, easy to miss, and one no later
 * save can undo (a class with `#` members) said "save again to retry". A
 * refusal is now shown in Vite's error overlay too (Vite closes it at its
 * next update), and an edit of a class with `#` members reloads the page,
 * saying why, as `metamorph dev` restarts for it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";

const acc = (extra: string, label: string) => `export class Acc {
  n = 1;${extra}
  label() { return "${label}:" + this.n; }
}
`;
const priv = (label: string) => `export class Priv {
  #secret = 1;
  label() { return "${label}:" + this.#secret; }
}
`;

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

const status = (page: Page) =>
  page.evaluate(() => {
    const s = (globalThis as { __metamorph?: { updates: number; failures: number } }).__metamorph;
    return { updates: s?.updates ?? 0, failures: s?.failures ?? 0 };
  });

/** The text of Vite's error overlay, if one is open. */
const overlayText = (page: Page) =>
  page.evaluate(
    () => document.querySelector("vite-error-overlay")?.shadowRoot?.textContent ?? null,
  );

test("a refused edit is shown in Vite's overlay; one of a class with # members reloads the page, saying why", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-refusals", {
    "index.html": `<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>`,
    "acc.ts": acc("", "a1"),
    "acc.migrations.ts": `export const validate = { Acc: (a: { m?: number }) => (a.m ?? 1) > 0 || "m must be positive" };\n`,
    "priv.ts": priv("p1"),
    "main.ts": `import { Acc } from "./acc.ts";\nimport { Priv } from "./priv.ts";\n(globalThis as Record<string, unknown>).app = { acc: new Acc(), priv: new Priv() };\n`,
  });
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const lines: string[] = [];
  page.on("console", (m) => lines.push(m.text()));
  let loads = 0;
  page.on("load", () => loads++);

  // Refused by the validation: nothing changed, and the overlay says so.
  writeAtomically(join(dir, "acc.ts"), acc("\n  m = 0;", "a2"));
  await page.waitForFunction(
    () => ((globalThis as { __metamorph?: { failures: number } }).__metamorph?.failures ?? 0) >= 1,
    null,
    { timeout: 15_000 },
  );
  expect(await overlayText(page)).toContain("m must be positive");
  expect(await status(page)).toEqual({ updates: 0, failures: 1 });

  // Fixed: applied, and Vite closes the overlay.
  writeAtomically(join(dir, "acc.ts"), acc("\n  m = 2;", "a3"));
  await page.waitForFunction(
    () => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= 1,
    null,
    { timeout: 15_000 },
  );
  expect(await overlayText(page)).toBe(null);

  // # members: the page reloads with the new code, saying why.
  writeAtomically(join(dir, "priv.ts"), priv("p2"));
  await page.waitForFunction(
    () => (globalThis as { app?: { priv: { label(): string } } }).app?.priv.label() === "p2:1",
    null,
    { timeout: 15_000 },
  );
  expect(loads).toBe(1);
  expect(lines.join("\n")).toContain(
    "[metamorph] /priv.ts: MM_DEV_PRIVATE_MEMBERS class Priv declares private # members",
  );
}, 90_000);
