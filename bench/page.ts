/**
 * The Vite page (issue 15, item 1 in the browser): one page task making many
 * temporaries of a managed class, in headless Chromium (Debian's `chromium`
 * driven by playwright-core), the app served by Vite with the plugin against
 * the same app without it. A page cannot query its heap, so its finder
 * records objects — each kept alive to the end of its task — up to 2^20 per
 * task, and only counts the rest (src/mop/instances/untracked.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vite from "vite";
import { metamorph } from "../src/dev/vite.js";
import { openPage, type OpenPage } from "../test/package/vitePage.js";
import type { BenchModule, Figure } from "./harness.js";
import { versus } from "./harness.js";
import { median } from "./loops.js";

const VEC = `export class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec): Vec {
    return new Vec(this.x + o.x, this.y + o.y);
  }
}

/** n temporaries in one task: its time, and the page's heap after it (Chromium's performance.memory). */
export function burst(n: number): { x: number; ms: number; heapMB: number } {
  const t0 = performance.now();
  let acc = new Vec(0, 0);
  const one = new Vec(1, 1);
  for (let i = 0; i < n; i++) acc = acc.add(one);
  const ms = performance.now() - t0;
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return { x: acc.x, ms, heapMB: (memory?.usedJSHeapSize ?? 0) / 1e6 };
}
`;

interface Burst {
  readonly x: number;
  readonly ms: number;
  readonly heapMB: number;
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "metamorph-bench-page-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>\n',
  );
  writeFileSync(join(dir, "vec.ts"), VEC);
  writeFileSync(
    join(dir, "main.ts"),
    'import { burst } from "./vec.js";\nObject.assign(globalThis, { burst, app: {} });\n',
  );
  return dir;
}

async function burstIn(opened: OpenPage, n: number): Promise<Burst> {
  const result = await opened.page.evaluate(
    (count) => (globalThis as unknown as { burst(n: number): Burst }).burst(count),
    n,
  );
  if (result.x !== n) throw new Error(`page: the burst of ${n} computed ${result.x}`);
  return result;
}

const BELOW_CAP = 1_000_000;
const PAST_CAP = 20_000_000;
const ROUNDS = 3;

export const pageBench: BenchModule = {
  name: "page",
  async run(): Promise<Figure[]> {
    const dir = project();
    const withPlugin = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
    const without = await openPage(vite, dir, { configFile: false, plugins: [] });
    try {
      // A later turn than the page's first: by then the plugin's page knows it has no heap.
      await withPlugin.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 10)));
      const below: Burst[] = [];
      const belowPlain: Burst[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        below.push(await burstIn(withPlugin, BELOW_CAP));
        belowPlain.push(await burstIn(without, BELOW_CAP));
      }
      const past = await burstIn(withPlugin, PAST_CAP);
      const pastPlain = await burstIn(without, PAST_CAP);
      const goal = "goal: ratio ≥ 0.83 (within 1.2× of the page without the plugin)";
      return [
        versus(
          "page.allocation1MOneTask",
          median(below.map((b) => b.ms)),
          median(belowPlain.map((b) => b.ms)),
          "ms",
          `${BELOW_CAP.toLocaleString("en")} temporaries of a managed class in one page task (a vector add loop), headless Chromium, under the cap: every one recorded (a WeakRef each, kept alive to the task's end); median of ${ROUNDS}; baseline: the same app without the plugin; ${goal}`,
        ),
        versus(
          "page.allocation20MOneTask",
          past.ms,
          pastPlain.ms,
          "ms",
          `${PAST_CAP.toLocaleString("en")} temporaries in one page task: 2^20 recorded, the rest only counted (recording every one crashed the page before); heap after it ${past.heapMB.toFixed(0)} MB against ${pastPlain.heapMB.toFixed(0)} MB; baseline: the same app without the plugin; ${goal}`,
        ),
      ];
    } finally {
      await withPlugin.close();
      await without.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
