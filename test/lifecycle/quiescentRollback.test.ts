// A rollback of an update the lifecycle applied waits for the calls it would
// straddle, as the update did (review advZ15, f4b): `report.applied.rollback()`
// with a v2 `place()` suspended at an await let the call resume on the old
// layout; it returned order 3 to its caller, the object ended
// {"count":2,"placed":3}, and the next v1 order was number 3 again.
// MM_ROLLBACK is the refusal when it cannot within the update's time-out.
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import type { LifecycleEvent, LifecycleUpdate } from "../../src/lifecycle/index.js";
import { CallTracker, runUpdate } from "../../src/lifecycle/index.js";
import { deferred, isSettled } from "./support.js";

type Orders = { place(gate?: Promise<void>): Promise<number> };

async function committedV2(
  extra: (orders: Orders) => Partial<LifecycleUpdate> = () => ({}),
  onEvent?: (e: LifecycleEvent) => void,
) {
  const ns = new Namespace("rollbacks");
  const Orders = ns.defineClass<Orders>({
    name: "Orders",
    fields: [{ name: "count", initializer: "0" }],
    methods: {
      async place(this: { count: number }, gate?: Promise<void>) {
        const n = this.count + 1;
        await gate;
        this.count = n;
        return n;
      },
    },
  });
  const tracker = new CallTracker().track(Orders);
  const orders = new Orders();
  await orders.place();
  await orders.place();
  const v2 = patch("v2")
    .renameField("Orders", "count", "placed")
    .replaceMethods("Orders", {
      async place(this: { placed: number }, gate?: Promise<void>) {
        const n = this.placed + 1;
        await gate;
        this.placed = n;
        return n;
      },
    })
    .build();
  const report = await runUpdate(
    { namespace: ns, patch: v2, forceQuiescence: true, timeoutMs: 10_000, ...extra(orders) },
    { tracker, ...(onEvent ? { onEvent } : {}) },
  );
  return { ns, Orders, orders, tracker, report };
}

describe("rolling back a lifecycle update", () => {
  test("rollbackWhenQuiescent holds new calls, lets the one in flight finish on v2, then reverts; held calls run on v1", async () => {
    const { orders, report } = await committedV2();
    expect(report.status).toBe("committed");
    const gate = deferred();
    const inFlight = orders.place(gate.promise);
    const back = report.applied!.rollbackWhenQuiescent();
    const held = orders.place();
    expect(await isSettled(back)).toBe(false);
    expect(await isSettled(held)).toBe(false);
    expect(JSON.stringify(orders)).toBe('{"placed":2}');
    gate.resolve();
    expect(await inFlight).toBe(3);
    await back;
    expect(await held).toBe(4);
    expect(JSON.stringify(orders)).toBe('{"count":4}');
    expect(await orders.place()).toBe(5);
  });

  test("under a hold another update of the tracker holds already, it waits without one of its own", async () => {
    const { Orders, orders, tracker, report } = await committedV2();
    const gate = deferred();
    const inFlight = orders.place(gate.promise);
    const other = tracker.hold([Orders]); // as a next update waiting for quiescence does
    const back = report.applied!.rollbackWhenQuiescent();
    expect(await isSettled(back)).toBe(false);
    gate.resolve();
    expect(await inFlight).toBe(3);
    await back;
    expect(other.released).toBe(false);
    other.release();
    expect(JSON.stringify(orders)).toBe('{"count":3}');
  });

  test("past the update's time-out the rollback is refused with nothing changed; held calls run on v2", async () => {
    const { ns, orders, report } = await committedV2(() => ({ timeoutMs: 30 }));
    const gate = deferred();
    const inFlight = orders.place(gate.promise);
    const back = report.applied!.rollbackWhenQuiescent();
    const held = orders.place();
    await expect(back).rejects.toMatchObject({ code: "MM_ROLLBACK" });
    await expect(back).rejects.toThrow(
      /not alterable within 30 ms \(Orders\.place: 1 call in flight/,
    );
    expect(await held).toBe(3);
    gate.resolve();
    // Both read placed = 2 before writing: the program's own race, on v2's layout throughout.
    expect(await inFlight).toBe(3);
    expect(JSON.stringify(orders)).toBe('{"placed":3}');
    expect(ns.version).toBe(report.applied!.toVersion);
  });

  test("a failed health check rolls back once the calls it let through have finished", async () => {
    const probeGate = deferred();
    let probe: Promise<number> | undefined;
    const { orders: live, report } = await committedV2(
      (orders) => ({
        options: {
          healthCheck: () => {
            probe = orders.place(probeGate.promise); // left in flight
            return false;
          },
        },
      }),
      (event) => {
        // A task later: past the microtasks in which an immediate rollback would have run.
        if (event.type === "step" && event.step === "health-check")
          setImmediate(() => probeGate.resolve());
      },
    );
    expect(report.status).toBe("rolled-back");
    expect(await probe).toBe(3);
    expect(JSON.stringify(live)).toBe('{"count":3}');
    expect(await live.place()).toBe(4);
  });
});
