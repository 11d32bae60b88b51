/**
 * Issue 15, item 1 in the browser (headless Chromium on a copy of
 * examples/vite-todo with a vector class added): a page task making tens of
 * millions of temporaries of a managed class. The page cannot query its heap,
 * so its finder records objects — each kept alive to the end of its task —
 * only up to a cap per task and counts the rest without keeping them
 * (src/mop/instances/untracked.ts): the task runs to the end (recording
 * every one crashed the page). The class cannot be updated in place after
 * that (some of its instances may be alive and cannot be found), so an edit
 * of it reloads the page, saying why, and the page runs the new code.
 * Prints the task's time and the page's heap after it.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vite from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { metamorph } from "../../src/dev/vite.js";
import { openPage, type OpenPage } from "../package/vitePage.js";
import { copyExample, editFile, removeDir } from "./support.js";

const TEMPORARIES = 20_000_000;

interface Burst {
  readonly x: number;
  readonly ms: number;
  /** performance.memory.usedJSHeapSize after the task, MB (Chromium only; printed). */
  readonly heapMB: number;
}

describe("metamorph/vite: tens of millions of temporaries in one task", () => {
  let dir: string | undefined;
  let opened: OpenPage | undefined;
  /** The same app without the plugin, for the figure beside it. */
  let plain: OpenPage | undefined;

  beforeAll(async () => {
    dir = copyExample("vite-todo");
    writeFileSync(
      join(dir, "vec.ts"),
      [
        "export class Vec {",
        "  constructor(public x: number, public y: number) {}",
        "  add(o: Vec): Vec {",
        "    return new Vec(this.x + o.x, this.y + o.y);",
        "  }",
        "}",
        "export function burst(n: number): { x: number; ms: number; heapMB: number } {",
        "  const t0 = performance.now();",
        "  let acc = new Vec(0, 0);",
        "  const one = new Vec(1, 1);",
        "  for (let i = 0; i < n; i++) acc = acc.add(one);",
        "  const ms = performance.now() - t0;",
        "  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;",
        "  return { x: acc.x, ms, heapMB: (memory?.usedJSHeapSize ?? 0) / 1e6 };",
        "}",
        "/** The same in one task that awaits between batches of a million (microtasks: still one task). */",
        "export async function burstAsync(n: number): Promise<number> {",
        "  let acc = new Vec(0, 0);",
        "  const one = new Vec(1, 1);",
        "  for (let i = 0; i < n; i++) {",
        "    acc = acc.add(one);",
        "    if (i % 1_000_000 === 0) await null;",
        "  }",
        "  return acc.x;",
        "}",
        "",
      ].join("\n"),
    );
    appendFileSync(
      join(dir, "main.ts"),
      'import { burst, burstAsync, Vec } from "./vec.js";\nObject.assign(globalThis, { burst, burstAsync, Vec });\n',
    );
    opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
    plain = await openPage(vite, dir, { configFile: false, plugins: [] });
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    await plain?.close();
    if (dir) removeDir(dir);
  });

  test("the task runs to the end; an edit of the class then reloads the page, saying why, with the new code", async () => {
    const page = opened!.page;
    const lines: string[] = [];
    page.on("console", (m) => lines.push(m.text()));
    const run = (n: number) =>
      page.evaluate(
        (count) => (globalThis as unknown as { burst(n: number): Burst }).burst(count),
        n,
      );
    // A task in a later turn than the page's first: by then the page knows it has no heap.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 10)));
    const result = await run(TEMPORARIES);
    const without = await plain!.page.evaluate(
      (count) => (globalThis as unknown as { burst(n: number): Burst }).burst(count),
      TEMPORARIES,
    );
    console.log(
      `${TEMPORARIES} temporaries of a managed class in one page task: ${result.ms.toFixed(0)} ms, heap ${result.heapMB.toFixed(0)} MB after it; without the plugin ${without.ms.toFixed(0)} ms, ${without.heapMB.toFixed(0)} MB`,
    );
    // Recording every one (a WeakRef each, kept alive to the task's end) crashed the page here ("Target crashed").
    expect(result.x).toBe(TEMPORARIES);
    // Awaiting between batches does not end the task: what WeakRefs keep is released after it.
    expect(
      await page.evaluate(
        (count) =>
          (globalThis as unknown as { burstAsync(n: number): Promise<number> }).burstAsync(count),
        TEMPORARIES,
      ),
    ).toBe(TEMPORARIES);
    await page.evaluate(() => {
      (globalThis as Record<string, unknown>).marker = true;
    });
    editFile(join(dir!, "vec.ts"), (t) =>
      t.replace("export class Vec {", "export class Vec {\n  z = 0;"),
    );
    await page.waitForFunction(() => !("marker" in globalThis), null, { timeout: 30_000 });
    expect(lines.join("\n")).toMatch(
      /\[metamorph\] \/vec\.ts: MM_FINDER_UNAVAILABLE \d+ instances of Vec were made in tasks past the 1048576 .* — the page reloads/,
    );
    await page.waitForFunction(() => "Vec" in globalThis, null, { timeout: 30_000 });
    expect(
      await page.evaluate(
        () =>
          new (globalThis as unknown as { Vec: new (x: number, y: number) => { z: number } }).Vec(
            1,
            1,
          ).z,
      ),
    ).toBe(0);
  }, 90_000);
});
