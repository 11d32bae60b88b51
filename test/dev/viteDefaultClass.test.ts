/**
 * `export default class { … }` under the Vite plugin, in headless Chromium
 * (review advZ5 3). Vite's transform keeps the class anonymous, and the
 * plugin found no class in the module: it was not rewritten, and an edit
 * reloaded the page (its state lost). The class now gets esbuild's name for
 * it (`store_default`, as tsx gives it under `metamorph dev`): its objects
 * stay the same ones, get an added field and run the new code.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
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
  "store.ts": `export default class {\n  n = 1;\n  inc() { this.n++; return this.n; }\n}\n`,
  "main.ts": `import Store from "./store.ts";
const s = new Store();
(globalThis as Record<string, unknown>).app = { s, first: s };
`,
};

test("an anonymous default-exported class keeps its objects through an edit that adds a field", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-default-class", FILES);
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  let reloads = 0;
  page.on("load", () => reloads++);
  const read = () =>
    page.evaluate(() => {
      const { s, first } = (globalThis as Record<string, unknown>).app as {
        s: { inc(): number; k?: number };
        first: unknown;
      };
      return [s === first, s.inc(), s.k];
    });
  expect(await read()).toEqual([true, 2, undefined]);

  editFile(join(dir, "store.ts"), (t) =>
    t.replace("n = 1;", "n = 1;\n  k = 7;").replace("this.n++", "this.n += 100"),
  );
  await page.waitForFunction(
    () => ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= 1,
    null,
    { timeout: 15_000 },
  );
  expect(await read()).toEqual([true, 102, 7]);
  expect(
    await page.evaluate(() => (globalThis as { __metamorph?: { last: string } }).__metamorph?.last),
  ).toMatch(/^\/store\.ts: updated store_default \(\+k, ~inc\(\)\) \| 1 instance migrated/);
  expect(reloads).toBe(0);
}, 90_000);
