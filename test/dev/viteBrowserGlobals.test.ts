/**
 * Fields reading the browser's globals under the Vite plugin, in headless
 * Chromium (review advY5 C3, H8): `document`, `requestAnimationFrame` and
 * the like were taken for bindings of the class's module, so after the
 * first edit such a field was stored without its initialiser — every later
 * summary listed it as changed (`el = …`), a later edit of an arrow field
 * gave no MM_STALE_FUNCTION_FIELD warning while the old body kept running —
 * and a field added reading one (`doc = document.title`) was refused as
 * reading "its own module's scope". A field reading an import is stored
 * without its initialiser by the engine; the page's plan reads the version
 * it applied, so a later edit of it is named and warned about as well.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import { CHROMIUM } from "../support/chromium.js";
import { type OpenPage, openPage } from "../package/vitePage.js";
import { removeDir, tempProject, writeAtomically } from "./support.js";

const k = (label: string, body: string, extra = "") => `import { tag } from "./tag.ts";
export class K {
  el = document.createElement("div");
  format = () => "${body}" + document.title;
  stamp = () => tag("${body}");${extra}
  label() { return "${label}"; }
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

test("fields reading browser globals keep their initialisers: later edits are named and warned about, and such fields can be added", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  dir = tempProject("vite-browser-globals", {
    "index.html": `<!doctype html><html><head><title>T</title></head><body><script type="module" src="/main.ts"></script></body></html>`,
    "k.ts": k("v1", "a:"),
    "tag.ts": `export const tag = (s: string) => \`<\${s}>\`;\n`,
    "main.ts": `import { K } from "./k.ts";\n(globalThis as Record<string, unknown>).app = { k: new K() };\n`,
  });
  const vite = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  const { page } = opened;
  const lines: string[] = [];
  page.on("console", (m) => lines.push(m.text()));
  const save = async (text: string, n: number) => {
    // The watcher may take two writes in quick succession for one: the next edit waits a little.
    await page.waitForTimeout(300);
    lines.length = 0;
    writeAtomically(join(dir!, "k.ts"), text);
    await updates(page, n).catch((error: unknown) => {
      throw new Error(`no update ${n}; console:\n${lines.join("\n")}`, { cause: error });
    });
  };

  await save(k("v2", "a:"), 1);
  await save(k("v3", "b:"), 2);
  // The field's initialiser is known after the first edit: only what changed is named, and the old body is warned about.
  expect(lines.find((l) => l.includes("updated K"))).toContain(
    "updated K (format = …, stamp = …, ~label())",
  );
  expect(lines.join("\n")).toContain("MM_STALE_FUNCTION_FIELD class K: field `format`");
  // A field reading an import: the version the engine stores lacks its initialiser; the page's plan reads the applied one.
  expect(lines.join("\n")).toContain("MM_STALE_FUNCTION_FIELD class K: field `stamp`");

  await save(k("v4", "b:", "\n  doc = document.title;"), 3);
  expect(lines.find((l) => l.includes("updated K"))).toContain("updated K (+doc, ~label())");
  expect(
    await page.evaluate(() => {
      const { k } = (globalThis as Record<string, unknown>).app as { k: { doc: string } };
      return k.doc;
    }),
  ).toBe("T");
}, 90_000);
