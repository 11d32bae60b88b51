/**
 * Acceptance: the Vite plugin in headless Chromium (Debian's `chromium`,
 * driven by playwright-core; no downloaded browser). The page of
 * examples/vite-todo (a copy in the system's temporary directory) holds a
 * counter and a todo list; the test edits the class files (a field added, a
 * method's output changed) and checks that the page did not reload, that the
 * objects are the same objects with the same state, and that the new
 * behaviour shows. A missing Chromium fails the test (CI installs it).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from "../support/chromium.js";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyExample, removeDir, writeAtomically } from "./support.js";

let dir: string | undefined;
let profile: string | undefined;
let server: ViteDevServer | undefined;
let context: BrowserContext | undefined;
let page: Page;
const consoleLines: string[] = [];
/** Every script the page loaded at start-up: URL and size in bytes. */
const scripts: Promise<{ url: string; bytes: number }>[] = [];
let recording = true;
/** Scripts the page loaded after start-up (hot updates, the engine on the first edit). */
const later: string[] = [];
/** A failure while starting (no Chromium, no server): reported by the test itself, never skipped. */
let setupError: unknown;

function edit(file: string, change: (text: string) => string): void {
  const path = join(dir!, file);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`test edit of ${file} changed nothing`);
  writeAtomically(path, after);
}

/** Waits (bounded) for the page's count of metamorph updates to reach `n`. */
async function updates(n: number, what: string): Promise<void> {
  try {
    await page.waitForFunction(
      (count) =>
        ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= count,
      n,
      { timeout: 15_000 },
    );
  } catch {
    throw new Error(
      `timed out waiting for metamorph to apply ${what} in the page; browser console:\n${consoleLines.join("\n")}`,
    );
  }
}

/** The page runtime's update engine, loaded on the first edit of a class. */
const ENGINE = "/@id/__x00__virtual:metamorph/page/vitePageEngine.js";

describe("metamorph/vite in headless Chromium", () => {
  beforeAll(async () => {
    try {
      await setUp();
    } catch (error) {
      setupError = error;
    }
  }, 60_000);

  async function setUp(): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does it) or set METAMORPH_CHROMIUM`,
      );
    }
    dir = copyExample("vite-todo");
    const { createServer } = await import("vite");
    const { metamorph } = await import("../../src/dev/vite.js");
    server = await createServer({
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
    profile = mkdtempSync(join(tmpdir(), "metamorph-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
    page.on("response", (response) => {
      // The first load only (later ones are hot updates and reloads).
      if (response.request().resourceType() !== "script") return;
      if (!recording) {
        later.push(new URL(response.url()).pathname);
        return;
      }
      scripts.push(
        response.body().then(
          (body) => ({ url: response.url(), bytes: body.length }),
          () => ({ url: response.url(), bytes: 0 }),
        ),
      );
    });
    await page.goto(url);
    try {
      await page.waitForFunction(() => "app" in globalThis, null, { timeout: 30_000 });
    } catch {
      throw new Error(
        `the example page did not start; browser console:\n${consoleLines.join("\n")}`,
      );
    }
  }

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) removeDir(profile);
    if (dir) removeDir(dir);
  });

  test("what the plugin adds to the page: its minified runtime, no parser, no update engine before an edit", async () => {
    if (setupError) throw setupError;
    recording = false;
    const loaded = await Promise.all(scripts);
    // The app's own modules and Vite's client are there without the plugin; the rest is the plugin's.
    const app = /\/(main|counter|todo|clock)\.ts(\?|$)|\/@vite\/client|\/node_modules\/vite\//;
    const added = loaded.filter((s) => !app.test(s.url));
    const bytes = added.reduce((sum, s) => sum + s.bytes, 0);
    if (process.env.METAMORPH_TEST_VERBOSE) {
      console.log(
        `the plugin adds ${added.length} scripts, ${(bytes / 1000).toFixed(1)} kB:\n${added
          .map((s) => `${(s.bytes / 1000).toFixed(1)} kB ${s.url}`)
          .join("\n")}`,
      );
    }
    const paths = added.map((s) => new URL(s.url).pathname);
    expect(paths[0]).toBe("/@id/__x00__metamorph:client");
    // The runtime's common code; the engine (planning, migration, validation) waits for an edit.
    for (const path of paths.slice(1))
      expect(path).toMatch(/^\/@id\/__x00__virtual:metamorph\/page\//);
    expect(paths).not.toContain(ENGINE);
    // 100.8 kB measured (statics shared with the registered class, revoked
    // proxies told apart, constructors that move their object; the bound
    // was 100 kB), 97.7 kB (custom elements' callbacks forwarded to the running
    // version, state kept in modules without classes, decorated classes,
    // statics of unmanaged classes; the bound was 92 kB), about 86 kB at an
    // earlier count (goal 100 kB; 80 kB before the namespace and the
    // class specs refused unknown option keys with a suggestion, 75.5 kB before the page's handling
    // of unmanaged classes and removed fields' values, 67 kB before the page
    // top-level guards, moved classes and overlay): registration and the namespace
    // (immer and the adaptive finder included) about 57, call tracking about 7 (a call that started
    // before its class was tracked is invisible to an edit, so tracking is
    // there from the start); a parser would add about 100 kB (acorn,
    // minified), and the engine about 200 kB.
    expect(bytes).toBeLessThan(106_000);
  });

  test("edited classes: no reload, state and identity kept, new behaviour shown", async () => {
    if (setupError) throw setupError;
    for (let i = 0; i < 3; i++) await page.click("#increment");
    for (const text of ["milk", "eggs"]) {
      await page.fill("#text", text);
      await page.click("#add button");
    }
    expect(await page.textContent("#counter")).toBe("Count: 3");
    expect(await page.textContent("#todos")).toBe("- milk\n- eggs");
    // Marks that a reload would lose: a global, and the objects' identity.
    await page.evaluate(() => {
      const g = globalThis as Record<string, unknown>;
      const app = g.app as Record<string, unknown>;
      g.marker = { counter: app.counter, todos: app.todos, loaded: performance.timeOrigin };
    });
    const unchanged = () =>
      page.evaluate(() => {
        const g = globalThis as Record<string, unknown>;
        const app = g.app as Record<string, object>;
        const marker = g.marker as Record<string, unknown> | undefined;
        return {
          sameCounter: marker?.counter === app.counter,
          sameTodos: marker?.todos === app.todos,
          instances:
            app.counter instanceof (app.Counter as unknown as Function) &&
            app.todos instanceof (app.TodoList as unknown as Function),
        };
      });

    // 1. Counter: a new field, used by changed methods.
    edit("counter.ts", (t) =>
      t
        .replace("  count = 0;", "  count = 0;\n  step = 2;")
        .replace("this.count += 1;", "this.count += this.step;")
        // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
        .replace("`Count: ${this.count}`", "`Clicks: ${this.count} (step ${this.step})`"),
    );
    await updates(1, "the edit of counter.ts");
    // The first edit brought the update engine, once.
    expect(later.filter((p) => p === ENGINE)).toEqual([ENGINE]);
    expect(await unchanged()).toEqual({ sameCounter: true, sameTodos: true, instances: true });
    expect(
      await page.evaluate(() =>
        JSON.stringify((globalThis as unknown as { app: { counter: object } }).app.counter),
      ),
    ).toBe('{"count":3,"step":2}');
    expect(await page.textContent("#counter")).toBe("Clicks: 3 (step 2)");
    await page.click("#increment");
    expect(await page.textContent("#counter")).toBe("Clicks: 5 (step 2)");

    // 2. Todo list: a new field and a changed rendering.
    edit("todo.ts", (t) =>
      t.replace("  items: Item[] = [];", '  title = "Groceries";\n  items: Item[] = [];').replace(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
        'return this.items.map((item) => `- ${item.text}`).join("\\n");',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
        'return `${this.title}: ${this.items.map((item) => item.text).join(", ")}`;',
      ),
    );
    await updates(2, "the edit of todo.ts");
    expect(await unchanged()).toEqual({ sameCounter: true, sameTodos: true, instances: true });
    expect(await page.textContent("#todos")).toBe("Groceries: milk, eggs");
    await page.fill("#text", "bread");
    await page.click("#add button");
    expect(await page.textContent("#todos")).toBe("Groceries: milk, eggs, bread");
    expect(await page.textContent("#counter")).toBe("Clicks: 5 (step 2)");
    expect(consoleLines.join("\n")).toMatch(
      /\[metamorph\] \/todo\.ts: updated TodoList \(\+title, ~render\(\)\) \| 1 instance migrated/,
    );
    expect(consoleLines.join("\n")).not.toMatch(/\[vite\] page reload|pageerror/);
  }, 60_000);

  test("a module exporting a class and a function: the class in place; a changed function reloads, saying why", async () => {
    if (setupError) throw setupError;
    const clockState = () =>
      page.evaluate(() => {
        const g = globalThis as Record<string, unknown>;
        const app = g.app as Record<string, object>;
        return {
          same: (g.marker as Record<string, unknown> | undefined)?.clock === app.clock,
          text: document.getElementById("clock")?.textContent,
          ticks: (app.clock as { ticks: number }).ticks,
        };
      });
    await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, Record<string, unknown>>;
      g.marker!.clock = g.app!.clock;
    });
    const ticks = (await clockState()).ticks;
    expect(ticks).toBeGreaterThan(0);

    // 3. The class of clock.ts: updated in place, no reload.
    edit("clock.ts", (t) =>
      // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
      t.replace("`Ticks: ${this.ticks}`", "`Clock at ${this.ticks}`"),
    );
    await updates(3, "the edit of the class in clock.ts");
    expect(await clockState()).toEqual({ same: true, text: `Clock at ${ticks}`, ticks });
    expect(consoleLines.join("\n")).not.toMatch(/\[vite\] page reload|invalidate/);

    // 4. The function of clock.ts: Vite reloads the page, and the console says why.
    const before = consoleLines.length;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
    edit("clock.ts", (t) => t.replace("return clock.label();", "return `${clock.label()}!`;"));
    const reloaded = () =>
      page
        .waitForFunction(() => !("marker" in globalThis), null, { timeout: 5_000 })
        .then(
          () => true,
          () => false,
        );
    // Vite's watcher can miss a second save of the same file right after the
    // first (the atomic rename): save again, with one more comment, a few times.
    for (let attempt = 1; !(await reloaded()); attempt++) {
      if (attempt === 3) {
        throw new Error(`the page did not reload; browser console:\n${consoleLines.join("\n")}`);
      }
      edit("clock.ts", (t) => `${t}// saved again (${attempt})\n`);
    }
    expect(consoleLines.slice(before).join("\n")).toMatch(
      /\[metamorph\] \/clock\.ts exports describeClock besides its classes, and it changed/,
    );
  }, 60_000);
});
