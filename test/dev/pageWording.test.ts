/**
 * The page's refusals in the words of what a dev user does: the engine's
 * "give the patch a migrator … or pass { sameScope: true }" becomes the
 * `migrate` entry to write in the module's migrations module, and
 * "restart" becomes "reload the page". The dev layer's own refusals carry a
 * stable code (a class with `#` members was a bare `TypeError: …`).
 */
import { expect, test, vi } from "vitest";
import { PrivateMembersChange } from "../../src/dev/plan.js";
import { errorText } from "../../src/dev/reporter.js";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const LIMIT = 5;

test("an added field that reads the module is refused on the page naming the migrate entry to write", async () => {
  const url = "http://localhost/src/gauge.js";
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const first = module(url);
    first.manage("Gauge", class Gauge {}, null, []);
    first.commit();
    const { failures } = status;
    const second = module(url);
    second.manage(
      "Gauge",
      class Gauge {
        limit = LIMIT;
      },
      null,
      [],
    );
    second.commit();
    await expect.poll(() => status.failures, { timeout: 30_000 }).toBe(failures + 1);
    const said = error.mock.calls.map((c) => String(c[0])).join("\n");
    expect(said).toMatch(
      /give them one: write in gauge\.migrations\.ts: export const migrate = \{ Gauge\(old, obj\) \{ obj\.limit = … \} \}, or reload the page — the running version is kept/,
    );
    expect(said).not.toMatch(/sameScope|the patch/);
  } finally {
    error.mockRestore();
  }
});

test("the page says reload the page where Node says restart; the dev layer's refusals have codes", async () => {
  const { pageWording } = await import("../../src/dev/pageWording.js");
  const refusal = new PrivateMembersChange("Secret");
  expect(errorText(refusal)).toMatch(
    /^MM_DEV_PRIVATE_MEMBERS class Secret declares private # members/,
  );
  expect(pageWording(errorText(refusal), "/src/secret.js")).toMatch(
    /so it cannot be reloaded in place\. Reload the page to apply the change/,
  );
});

test("a class that now extends a class metamorph does not manage is refused MM_DEV_UNMANAGED_SUPERCLASS, naming both", async () => {
  const { planClassUpdates } = await import("../../src/dev/plan.js");
  const { Namespace } = await import("../../src/index.js");
  const ns = new Namespace("dev-superclass");
  const Counter = ns.registerClass(
    class Counter {
      n = 0;
    },
    { constructedOnlyThroughHandle: true },
  );
  class Counter2 extends Map {
    n = 0;
  }
  Object.defineProperty(Counter2, "name", { value: "Counter" });
  const plan = () =>
    planClassUpdates([{ name: "Counter", handle: Counter, implementation: Counter2 }], {
      namespace: ns,
      patchName: "counter #2",
      migrations: {},
      migrationsFile: "counter.migrations.ts",
      used: new Set(),
    });
  expect(plan).toThrow(
    expect.objectContaining({
      code: "MM_DEV_UNMANAGED_SUPERCLASS",
      message: expect.stringMatching(
        /class Counter now extends Map, which metamorph does not manage/,
      ),
    }),
  );
});
