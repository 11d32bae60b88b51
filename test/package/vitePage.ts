/**
 * A Vite dev server for a consumer project (its own installed vite, its own
 * vite.config.ts unless told otherwise) and a headless Debian Chromium page on
 * it, counting the bytes of every response the page loads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from "../support/chromium.js";
import { chromium, type Page } from "playwright-core";
import type * as Vite from "vite";

export interface OpenPage {
  readonly page: Page;
  /** Bytes of every response body the page has loaded so far. */
  bytes(): number;
  /** Milliseconds from asking for the page to its app running (a fresh dev server's first load). */
  readonly loadMs: number;
  close(): Promise<void>;
}

export async function openPage(
  vite: typeof Vite,
  root: string,
  config: Vite.InlineConfig,
): Promise<OpenPage> {
  const server = await vite.createServer({
    root,
    logLevel: "silent",
    cacheDir: join(root, `.vite-${config.configFile === false ? "plain" : "plugin"}`),
    server: { host: "127.0.0.1", port: 0, strictPort: false },
    ...config,
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("the Vite dev server did not report its URL");
  const profile = mkdtempSync(join(tmpdir(), "metamorph-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  const close = async () => {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  let total = 0;
  const lines: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => lines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => lines.push(`pageerror: ${e.message}`));
    page.on("response", (response) => {
      response.body().then(
        (body) => {
          total += body.length;
        },
        () => {},
      );
    });
    const start = performance.now();
    await page.goto(url);
    let loadMs: number;
    try {
      await page.waitForFunction(() => "app" in globalThis, null, { timeout: 30_000, polling: 10 });
      loadMs = performance.now() - start;
      await page.waitForLoadState("networkidle");
    } catch {
      throw new Error(`the page did not start; browser console:\n${lines.join("\n")}`);
    }
    return { page, bytes: () => total, loadMs, close };
  } catch (error) {
    await close();
    throw error;
  }
}
