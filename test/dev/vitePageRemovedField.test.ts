/**
 * The Vite page keeps a removed field's values for the session too (review
 * advZ5 4; test/dev/removedFieldUndo.test.ts for `metamorph dev`): an edit
 * that deletes `count` says how many objects' values it took, and the edit
 * that declares it again gives them back. Run in Node on the sources (the
 * module calls are those the plugin's rewrite makes).
 */
import { expect, test, vi } from "vitest";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const URL_OF = "http://localhost/src/removed.ts";

/** One evaluation of removed.ts: its class given to the runtime, as the rewritten module does. */
function evaluate(cls: Function): Function {
  const api = module(URL_OF);
  const held = api.manage("Tally", cls, null);
  api.commit();
  return held;
}

test("a field an edit removed gets its values back when a later edit declares it again", async () => {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    const Tally = evaluate(
      class Tally {
        count = 0;
        name = "a";
      },
    ) as new () => { count?: number; name: string };
    const tally = new Tally();
    tally.count = 41;
    const { updates } = status;
    evaluate(
      class Tally {
        name = "a";
      },
    );
    await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(updates + 1);
    expect(tally.count).toBeUndefined();
    const made = new Tally();
    evaluate(
      class Tally {
        count = 0;
        name = "a";
      },
    );
    expect(status.updates).toBe(updates + 2);
    expect([tally.count, made.count, tally.name]).toEqual([41, 0, "a"]);
    const lines = info.mock.calls.map((call) => String(call[0]));
    expect(lines).toContain(
      "[metamorph] /src/removed.ts: note: Tally.count: removed, with its values on 1 object; they are kept while the program runs, and come back if a later save declares count in Tally again",
    );
    expect(lines).toContain(
      "[metamorph] /src/removed.ts: note: Tally.count: declared again: 1 object got back the value it had when a save removed it",
    );
  } finally {
    info.mockRestore();
  }
});
