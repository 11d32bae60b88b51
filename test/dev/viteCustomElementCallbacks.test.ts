/**
 * A custom element's lifecycle callbacks under the Vite plugin, in headless
 * Chromium. `customElements.define` copies them off the class once: after
 * an edit that changed connectedCallback and attributeChangedCallback and
 * added a disconnectedCallback, the page said `updated XEl
 * (+disconnectedCallback(), ~connectedCallback(), …)` and went on calling the
 * first version's on old and new elements, the new one never (review advZ16
 * 1). Here every callback an edit changes, adds or removes is the running
 * version's, on the parsed element and on new ones, and an attribute it stops
 * observing is no longer reported.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";

const element = (label: string, observed: string, callbacks: string) => `
export class XEl extends HTMLElement {
  log: string[] = [];
  static get observedAttributes() { return [${observed}]; }
  connectedCallback() { this.log.push("${label}:connected"); }
  attributeChangedCallback(name: string) { this.log.push("${label}:attr " + name); }${callbacks}
  hello() { return "${label}"; }
}
if (!customElements.get("x-el")) customElements.define("x-el", XEl);
`;

const V1 = element("v1", `"a", "c"`, `\n  adoptedCallback() { this.log.push("v1:adopted"); }`);
// Changes two callbacks, adds one, removes one, and stops observing "c".
const V2 = element("v2", `"a"`, `\n  disconnectedCallback() { this.log.push("v2:disconnected"); }`);

const FILES = {
  "index.html": `<!doctype html><html><body><x-el id="parsed"></x-el><script type="module" src="/main.ts"></script></body></html>`,
  "main.ts": `import { XEl } from "./xel.ts";\n(globalThis as Record<string, unknown>).app = { XEl };\n`,
  "xel.ts": V1,
};

let dir: string | undefined;
let opened: OpenPage | undefined;

afterAll(async () => {
  await opened?.close();
  if (dir) removeDir(dir);
});

/** What the parsed element and a new one log: attributes set, adopted into another document and back, moved. */
const exercise = (page: Page) =>
  page.evaluate(() => {
    type Logged = HTMLElement & { log: string[]; hello(): string };
    const parsed = document.getElementById("parsed") as Logged;
    const fresh = document.createElement("x-el") as Logged;
    document.body.append(fresh);
    const other = document.implementation.createHTMLDocument("other");
    return [parsed, fresh].map((el) => {
      el.log.length = 0;
      el.setAttribute("a", "1");
      el.setAttribute("c", "1");
      el.remove();
      other.body.append(el);
      document.body.append(el);
      // Neither version has connectedMoveCallback: a move disconnects and connects.
      (document.body as { moveBefore?(node: Node, child: null): void }).moveBefore?.(el, null);
      return `${el.hello()}: ${el.log.join(", ")}`;
    });
  });

test("an edit of a custom element's lifecycle callbacks runs on existing and new elements", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("custom-element-callbacks", FILES);
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  let reloads = 0;
  page.on("load", () => reloads++);

  const v1 =
    "v1: v1:attr a, v1:attr c, v1:adopted, v1:connected, v1:adopted, v1:connected, v1:connected";
  expect(await exercise(page)).toEqual([v1, v1]);
  writeAtomically(join(dir, "xel.ts"), V2);
  await page.waitForFunction(
    () => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= 1,
    null,
    { timeout: 15_000 },
  );
  const v2 = `v2: v2:attr a, ${Array(3).fill("v2:disconnected, v2:connected").join(", ")}`;
  expect(await exercise(page)).toEqual([v2, v2]);
  expect(reloads).toBe(0);
  expect(errors).toEqual([]);
}, 90_000);
