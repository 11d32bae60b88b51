/**
 * A custom element under the Vite plugin, in headless Chromium (Debian's,
 * through playwright-core). The page's HTMLElement constructor builds only
 * for the constructor given to `customElements.define` — the class handle —
 * and the handle built with the running version as new.target: the page's
 * upgrade of a parsed `<x-count>` and `document.createElement("x-count")`
 * failed with "Illegal constructor" before any edit (review advX1). Here
 * both build, keep their identity and state through edits of the class,
 * and run the new code.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";
import { type OpenPage, openPage } from "../package/vitePage.js";

const element = (label: string, step: string) => `
export class XCount extends HTMLElement {
  n = 0;${step === "" ? "" : `\n  step = ${step};`}
  connectedCallback() { this.render(); this.addEventListener("click", this); }
  handleEvent() { this.n += ${step === "" ? "1" : "this.step"}; this.render(); }
  render() { this.textContent = "${label}:" + this.n; }
}
if (!customElements.get("x-count")) customElements.define("x-count", XCount);
`;

const FILES = {
  "index.html": `<!doctype html><html><body><x-count id="parsed"></x-count><script type="module" src="/main.ts"></script></body></html>`,
  "main.ts": `import { XCount } from "./xcount.ts";
const made = document.createElement("x-count");
document.body.append(made);
(globalThis as Record<string, unknown>).app = { parsed: document.getElementById("parsed"), made, XCount };
`,
  "xcount.ts": element("v1", ""),
};

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

/** Clicks both elements, then reads what the page shows of them. */
const clickAndRead = (page: Page) =>
  page.evaluate(() => {
    const { parsed, made, XCount } = (globalThis as Record<string, unknown>).app as {
      parsed: HTMLElement;
      made: HTMLElement;
      XCount: Function;
    };
    parsed.click();
    made.click();
    return {
      texts: [parsed.textContent, made.textContent],
      same: parsed === document.getElementById("parsed"),
      instances: [parsed, made, document.createElement("x-count")].map((e) => e instanceof XCount),
      updates: (globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0,
    };
  });

test("a custom element upgrades, is made by createElement, and keeps its state through edits of its class", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("custom-element", FILES);
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  // Loaded, its app running: the parsed <x-count> upgraded and one made by createElement.
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  let reloads = 0;
  page.on("load", () => reloads++);

  expect(await clickAndRead(page)).toEqual({
    texts: ["v1:1", "v1:1"],
    same: true,
    instances: [true, true, true],
    updates: 0,
  });
  writeAtomically(join(dir, "xcount.ts"), element("v2", "10"));
  await page.waitForFunction(
    () => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= 1,
    null,
    { timeout: 15_000 },
  );
  // The count each element had, then a step of the new field's initial value.
  expect(await clickAndRead(page)).toEqual({
    texts: ["v2:11", "v2:11"],
    same: true,
    instances: [true, true, true],
    updates: 1,
  });
  expect(reloads).toBe(0);
  expect(errors).toEqual([]);
}, 90_000);
