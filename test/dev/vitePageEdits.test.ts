/**
 * The page runtime (src/dev/vitePageRuntime.ts) loads its update engine on
 * the first edit: edits that arrive before it is loaded are applied once it
 * is, in the order they arrived, and later edits at once. Run in Node on the
 * sources (the module calls are those the plugin's rewrite makes).
 */
import { expect, test } from "vitest";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const URL_OF = "http://localhost/src/counter.ts";

/** One evaluation of counter.ts: its class given to the runtime, as the rewritten module does. */
function evaluate(cls: Function): Function {
  const api = module(URL_OF);
  const held = api.manage("Counter", cls, null);
  api.commit();
  return held;
}

test("edits before the engine is loaded apply in order once it is; later ones at once", async () => {
  const Counter = evaluate(
    class Counter {
      count = 1;
      label() {
        return `v1 ${this.count}`;
      }
    },
  ) as new () => { label(): string };
  const counter = new Counter();
  expect(counter.label()).toBe("v1 1");
  // Two edits in a row, the engine not loaded yet: neither is applied synchronously.
  evaluate(
    class Counter {
      count = 1;
      label() {
        return `v2 ${this.count}`;
      }
    },
  );
  evaluate(
    class Counter {
      count = 1;
      step = 2;
      label() {
        return `v3 ${this.count}+${this.step}`;
      }
    },
  );
  expect(status.updates).toBe(0);
  expect(counter.label()).toBe("v1 1");
  // Loading the engine from the sources (transformed on demand) takes a while.
  await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(2);
  expect(status.failures).toBe(0);
  // The last edit is the one running: applied after the first, on the same object.
  expect(counter.label()).toBe("v3 1+2");
  expect(status.last).toContain("counter.ts: updated");
  // Loaded now: the next edit applies during the module's evaluation.
  evaluate(
    class Counter {
      count = 1;
      step = 2;
      label() {
        return `v4 ${this.count}+${this.step}`;
      }
    },
  );
  expect(status.updates).toBe(3);
  expect(counter.label()).toBe("v4 1+2");
});
