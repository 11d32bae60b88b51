/**
 * A field renamed on the Vite page without a hint (review advZ5 5): beside
 * the plan's warning, which says how to write the rename hint, the page
 * printed the engine's MM_FIELDS_DROPPED, meant for a package's next release
 * (replaceImplementation's renames, roll the update back) — `metamorph dev`
 * never says it (its classes are evaluated in the module's scope). Run in
 * Node on the sources (the module calls are those the plugin's rewrite makes).
 */
import { expect, test, vi } from "vitest";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const URL_OF = "http://localhost/src/renamed.ts";

function evaluate(cls: Function): Function {
  const api = module(URL_OF);
  const held = api.manage("Meter", cls, null);
  api.commit();
  return held;
}

test("a rename without a hint is told in the dev plan's words only", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    const Meter = evaluate(
      class Meter {
        count = 0;
      },
    ) as new () => { count: number };
    new Meter().count = 5;
    const { updates } = status;
    evaluate(
      class Meter {
        total = 0;
      },
    );
    await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(updates + 1);
    const lines = warn.mock.calls.map((call) => String(call[0]));
    expect(lines).toContain(
      '[metamorph] /src/renamed.ts: warning: Meter: field count disappeared while total appeared; treated as removed + added (new fields start from their initialisers). If it is a rename, write in renamed.migrations.ts: export const renames = { Meter: { total: "count" } }',
    );
    expect(lines.join("\n")).not.toContain("MM_FIELDS_DROPPED");
  } finally {
    vi.restoreAllMocks();
  }
});
