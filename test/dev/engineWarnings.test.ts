/**
 * The engine's warnings about a committed update (UpdateResult.warnings:
 * a bound function field left with the old code, closures that read a field
 * the new version no longer has, …) are printed with their code, by
 * `metamorph dev` and on the Vite page alike: both printed only the
 * warnings of their own planning, and dropped these.
 */
import { join } from "node:path";
import { afterAll, expect, test, vi } from "vitest";
import { module, status } from "../../src/dev/vitePageRuntime.js";
import { CLI, editFile, type Running, run, stopAndRemoveAfter, tempProject } from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

test("metamorph dev prints the engine's warnings with their codes", async () => {
  dir = tempProject("engine-warnings", {
    "ticker.ts": `export class Ticker {
  n = 0;
  bound = this.step.bind(this);
  step(): string {
    return "v1";
  }
}
`,
    "main.ts": `import { Ticker } from "./ticker.js";
Object.assign(globalThis, { ticker: new Ticker() });
setInterval(() => {}, 1000);
console.log("ready");
`,
  });
  program = run([...CLI, "dev", "main.ts"], dir);
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000 });
  const from = program.stderr.all.length;
  editFile(join(dir, "ticker.ts"), (t) => t.replace('"v1"', '"v2"'));
  const warning = await program.stderr.waitFor(/warning: MM_STALE_FUNCTION_FIELD/, {
    from,
    timeoutMs: 20_000,
  });
  expect(warning).toMatch(
    /^\[metamorph\] ticker\.ts: warning: MM_STALE_FUNCTION_FIELD class Ticker: field `bound` holds method step\(\) bound to the object/,
  );
}, 60_000);

test("the Vite page prints the engine's warnings with their codes", async () => {
  const url = "http://localhost/src/ticker.js";
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const first = module(url);
    const Ticker = first.manage(
      "Ticker",
      class Ticker {
        bound = this.step.bind(this);
        step(): string {
          return "v1";
        }
      },
      null,
      [],
    ) as new () => { bound: () => string };
    first.commit();
    const ticker = new Ticker();
    const { updates } = status;
    const second = module(url);
    second.manage(
      "Ticker",
      class Ticker {
        bound = this.step.bind(this);
        step(): string {
          return "v2";
        }
      },
      null,
      [],
    );
    second.commit();
    // The engine loads on the first edit: applied asynchronously.
    await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(updates + 1);
    expect(ticker.bound()).toBe("v1");
    expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringMatching(
        /^\[metamorph\] \/src\/ticker\.js: warning: MM_STALE_FUNCTION_FIELD class Ticker: field `bound`/,
      ),
    );
  } finally {
    warn.mockRestore();
  }
});
