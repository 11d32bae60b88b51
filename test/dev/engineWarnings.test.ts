/**
 * The engine's warnings about a committed update (UpdateResult.warnings:
 * a bound function field left with the old code, closures that read a field
 * the new version no longer has, …) are printed with their code, by
 * `metamorph dev` and on the Vite page alike: both printed only the
 * warnings of their own planning, and dropped these. A field set from
 * constructor arguments (migrated objects get undefined) says so in terms of
 * the migrations module, unless its `migrate` gives the field a value.
 */
import { join } from "node:path";
import { afterAll, expect, test, vi } from "vitest";
import { module, status } from "../../src/dev/vitePageRuntime.js";
import {
  CLI,
  editFile,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
  writeAtomically,
} from "./support.js";

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

test("a field set from constructor arguments says that existing objects got undefined, and how to give them a value", async () => {
  const from = program!.stderr.all.length;
  editFile(join(dir!, "ticker.ts"), (t) =>
    t.replace("  n = 0;\n", '  n = 0;\n  constructor(public label = "t") {}\n'),
  );
  const warning = await program!.stderr.waitFor(/warning: MM_NO_INITIAL_VALUE/, {
    from,
    timeoutMs: 20_000,
  });
  expect(warning).toBe(
    "[metamorph] ticker.ts: warning: MM_NO_INITIAL_VALUE Ticker.label: new field set by the constructor (from its arguments, say), which a migration cannot run: existing objects got undefined. To give them a value, write in ticker.migrations.ts: export const migrate = { Ticker(old, obj) { obj.label = … } }",
  );
  // A migrate of the migrations module gives it one: no warning.
  writeAtomically(
    join(dir!, "ticker.migrations.ts"),
    "export const migrate = { Ticker(old: unknown, t: { size: number }) { t.size = 1; } };\n",
  );
  const next = program!.stderr.all.length;
  editFile(join(dir!, "ticker.ts"), (t) =>
    t.replace(
      'constructor(public label = "t") {}',
      'constructor(public label = "t", public size = 2) {}',
    ),
  );
  await program!.stderr.waitFor(
    /ticker\.ts: updated Ticker \(\+size, ~constructor: new objects only\)/,
    {
      from: next,
      timeoutMs: 20_000,
    },
  );
  expect(program!.stderr.all.slice(next).join("\n")).not.toMatch(/MM_NO_INITIAL_VALUE/);
}, 60_000);

test("a changed initialiser of a function field is quoted as written, without tsx's __name wrapper", async () => {
  const from = program!.stderr.all.length;
  editFile(join(dir!, "ticker.ts"), (t) =>
    t.replace("  n = 0;\n", "  n = 0;\n  show = () => 1;\n"),
  );
  await program!.stderr.waitFor(/updated Ticker \(\+show\)/, { from, timeoutMs: 20_000 });
  const next = program!.stderr.all.length;
  editFile(join(dir!, "ticker.ts"), (t) => t.replace("show = () => 1;", "show = () => 2;"));
  expect(
    await program!.stderr.waitFor(/Ticker\.show: initialiser changed/, {
      from: next,
      timeoutMs: 20_000,
    }),
  ).toMatch(
    /Ticker\.show: initialiser changed \(\(\) ?=> ?1 → \(\) ?=> ?2\); existing objects keep their values/,
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
