/**
 * A Vite dev server with the plugin over a project directory, and a page of
 * Debian's Chromium (through playwright-core) for it: what the browser
 * tests start, before they listen to the page and open its URL.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { ViteDevServer } from "vite";
import { CHROMIUM, CHROMIUM_FLAGS } from "../support/chromium.js";
import { removeDir } from "./support.js";

export interface PageSession {
  readonly server: ViteDevServer;
  readonly url: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Closes the browser and the server, and removes the browser's profile. */
  close(): Promise<void>;
}

export async function openPageSession(dir: string): Promise<PageSession> {
  const { createServer } = await import("vite");
  const { metamorph } = await import("../../src/dev/vite.js");
  const server = await createServer({
    root: dir,
    configFile: false,
    logLevel: "silent",
    cacheDir: join(dir, ".vite"),
    plugins: [metamorph()],
    server: { host: "127.0.0.1", port: 0, strictPort: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("the Vite dev server did not report its URL");
  const profile = mkdtempSync(join(tmpdir(), "metamorph-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    server,
    url,
    context,
    page,
    async close() {
      await context.close();
      await server.close();
      removeDir(profile);
    },
  };
}
