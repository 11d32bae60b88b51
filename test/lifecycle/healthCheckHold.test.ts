// The update's own health check under forced quiescence (review advZ15, f7):
// it runs after the commit while new calls are still held, so a check that
// calls the updated class waited for a release that waited for it, and the
// good update was rolled back as "did not answer".
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import { CallTracker, runUpdate } from "../../src/lifecycle/index.js";
import { deferred, isSettled } from "./support.js";

type Orders = { count: number; place(item: string): Promise<string> };

function shop() {
  const ns = new Namespace("probe");
  const Orders = ns.defineClass<Orders>({
    name: "Orders",
    fields: [{ name: "count", initializer: "0" }],
    methods: {
      async place(this: { count: number }, item: string) {
        this.count += 1;
        return `order ${this.count}: ${item}`;
      },
    },
  });
  const v2 = patch("v2")
    .renameField("Orders", "count", "placed")
    .replaceMethods("Orders", {
      async place(this: { placed: number }, item: string) {
        this.placed += 1;
        return `order ${this.placed}: ${item} (v2)`;
      },
    })
    .build();
  return { ns, Orders, v2, tracker: new CallTracker().track(Orders), orders: new Orders() };
}

describe("the health check under forced quiescence", () => {
  test("its calls of the held class pass the hold and reach the new version; the update stands", async () => {
    const { ns, v2, tracker, orders } = shop();
    const report = await runUpdate(
      {
        namespace: ns,
        patch: v2,
        forceQuiescence: true,
        options: {
          healthCheck: async () => (await orders.place("probe")).includes("v2"),
          // Only bounds the failure: without the passage the check never answers.
          healthCheckTimeoutMs: 300,
        },
      },
      { tracker },
    );
    expect(report.reason).toBeUndefined();
    expect(report.status).toBe("committed");
    expect(JSON.stringify(orders)).toBe('{"placed":1}');
    expect(await orders.place("next")).toBe("order 2: next (v2)");
  });

  test("calls from outside the check are still held until it answered, then run on the new version", async () => {
    const { ns, v2, tracker, orders } = shop();
    const checking = deferred();
    const gate = deferred();
    const running = runUpdate(
      {
        namespace: ns,
        patch: v2,
        forceQuiescence: true,
        options: {
          healthCheck: async () => {
            checking.resolve();
            await gate.promise;
            return (await orders.place("probe")).includes("v2");
          },
          healthCheckTimeoutMs: 2000,
        },
      },
      { tracker },
    );
    await checking.promise;
    const outside = orders.place("customer");
    expect(await isSettled(outside)).toBe(false);
    gate.resolve();
    const report = await running;
    expect(report.status).toBe("committed");
    expect(report.heldCalls).toBe(1);
    expect(await outside).toBe("order 2: customer (v2)");
  });
});
