// The control channel's `rollback` (`metamorph rollback`) waits for the calls
// it would straddle, as the release's update did (review advZ15, f4b): it ran
// applied.rollback() at once, so a v2 call suspended at an await resumed on
// the old layout, its acknowledged order was lost and the next one reused its
// number. Past the update's time-out it is refused (MM_ROLLBACK), nothing
// changed.
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import { CallTracker } from "../../src/lifecycle/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import { deferred, eventually, isSettled } from "../lifecycle/support.js";

type Orders = { place(gate?: Promise<void>): Promise<number> };

async function serving(timeoutMs: number) {
  const keys = generateKeys();
  const ns = new Namespace("shop");
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
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: ns, version: "1", tracker }),
  );
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
  const bundle = packBundle(
    v2,
    { fromVersion: "1", toVersion: "2", namespace: "shop", forceQuiescence: true, timeoutMs },
    keys.privateKey,
  );
  const applied = await local.handle({ command: "apply", bundle }, () => {});
  expect(applied).toMatchObject({ ok: true, status: "committed" });
  return { local, orders, tracker };
}

describe("rollback over the control channel with a call in flight", () => {
  test("waits for it, holding new calls, then rolls back; held calls run on the old release", async () => {
    const { local, orders, tracker } = await serving(10_000);
    const gate = deferred();
    const inFlight = orders.place(gate.promise);
    const back = local.handle({ command: "rollback" }, () => {});
    await eventually(() => tracker.holding); // the command runs after those before it
    const held = orders.place();
    expect(await isSettled(back)).toBe(false);
    expect(await isSettled(held)).toBe(false);
    gate.resolve();
    expect(await inFlight).toBe(3);
    expect(await back).toMatchObject({ ok: true, command: "rollback", version: "1" });
    expect(await held).toBe(4);
    expect(JSON.stringify(orders)).toBe('{"count":4}');
    expect(await orders.place()).toBe(5);
  });

  test("past the release's time-out it is refused with MM_ROLLBACK, and the release stays", async () => {
    const { local, orders } = await serving(30);
    const gate = deferred();
    const inFlight = orders.place(gate.promise);
    await expect(local.handle({ command: "rollback" }, () => {})).rejects.toMatchObject({
      code: "MM_ROLLBACK",
    });
    expect(await local.handle({ command: "status" }, () => {})).toMatchObject({ version: "2" });
    gate.resolve();
    expect(await inFlight).toBe(3);
    expect(JSON.stringify(orders)).toBe('{"placed":3}');
  });
});
