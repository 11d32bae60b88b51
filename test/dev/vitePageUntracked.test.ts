/**
 * Issue 15, item 1 in the browser: a page has no heap to query, so its
 * finder records objects (a `WeakRef` each, which keeps the object alive to
 * the end of its task) — at most a cap per task; past it objects are
 * only counted (src/mop/instances/untracked.ts). A task making many
 * temporaries therefore neither holds them all nor aborts the page; their
 * class cannot be updated in place afterwards (some of its instances may be
 * alive and cannot be found), so an edit of it reloads the page, saying why,
 * as Vite does with an update nothing accepts. The page runtime run in Node
 * with the heap finder made unavailable, as in a browser (no `location`
 * here: the reload is only said; ./viteAllocation.test.ts sees it happen in
 * Chromium).
 */
import { describe, expect, test, vi } from "vitest";
import { InstanceFinderUnavailableError } from "../../src/errors.js";
import { module, namespace, status } from "../../src/dev/vitePageRuntime.js";
import { SWITCH_AFTER, TURN_FACTOR } from "../../src/mop/instances/adaptiveFinder.js";

vi.mock("../../src/mop/instances/heapFinder.js", async (original) => ({
  ...(await original<typeof import("../../src/mop/instances/heapFinder.js")>()),
  createHeapFinder: () => {
    throw new InstanceFinderUnavailableError("no inspector in a page");
  },
}));

const CAP = SWITCH_AFTER * TURN_FACTOR;
const URL_OF = "http://localhost/src/vec.ts";
const nextJob = () => new Promise<void>((resolve) => setImmediate(resolve));

function evaluate(cls: Function): Function {
  const api = module(URL_OF);
  const held = api.manage("Vec", cls, null);
  api.commit();
  return held;
}

type Vec = { x: number; y: number; sum(): number } & Record<string, unknown>;

/** `n` temporaries of `Vec` in one task (through the handle, as the rewritten module makes them), the last `keep` of them returned. */
function burst(V: new (x: number, y: number) => Vec, n: number, keep = 0): Vec[] {
  const kept: Vec[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = new V(i, 1);
    total += v.y;
    if (i >= n - keep) kept.push(v);
  }
  if (total !== n) throw new Error("burst: lost an object");
  return kept;
}

const V1 = class Vec {
  constructor(
    public x: number,
    public y: number,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
};

const V2 = class Vec {
  z = 0;
  constructor(
    public x: number,
    public y: number,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
};

describe("the page's finder past its cap per task", () => {
  test("a task of temporaries past the cap: at most the cap recorded; an edit of their class is not applied in place, saying the page reloads and why; an edit of its methods, and of other classes, are", async () => {
    const Vec = evaluate(V1) as new (x: number, y: number) => Vec;
    await nextJob(); // the page finds out it has no heap
    const kept = burst(Vec, CAP * 2, 1)[0]!;
    expect(kept.x).toBe(CAP * 2 - 1);
    const stats = (namespace.finder as unknown as { stats(): { references: number } }).stats();
    expect(stats.references).toBeLessThanOrEqual(CAP + 1);
    await nextJob();
    const { updates, failures } = status;
    evaluate(V2);
    await expect.poll(() => status.failures, { timeout: 30_000 }).toBe(failures + 1);
    expect(status.last).toMatch(
      /^\/src\/vec\.ts: MM_FINDER_UNAVAILABLE \d+ instances of Vec were made in tasks past the 1048576 one task may make .* — the page reloads$/,
    );
    expect(status.updates).toBe(updates);
    expect(Object.keys(kept)).toEqual(["x", "y"]);
    // An edit of its method bodies alone migrates no object: applied in place.
    evaluate(
      class Vec {
        constructor(
          public x: number,
          public y: number,
        ) {}
        sum(): number {
          return (this.x + this.y) * 10;
        }
      },
    );
    expect(status.updates).toBe(updates + 1);
    expect(kept.sum()).toBe(CAP * 2 * 10);
    // A class none of whose objects went unrecorded is updated in place as before.
    const api = module("http://localhost/src/label.ts");
    const Label = api.manage(
      "Label",
      class Label {
        text = "a";
      },
      null,
    ) as new () => Record<string, unknown>;
    api.commit();
    const label = new Label();
    const again = module("http://localhost/src/label.ts");
    again.manage(
      "Label",
      class Label {
        text = "a";
        size = 1;
      },
      null,
    );
    again.commit();
    expect(status.updates).toBe(updates + 2);
    expect({ ...label }).toEqual({ text: "a", size: 1 });
  }, 60_000);
});
