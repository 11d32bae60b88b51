// Tracking a class covers its subclasses' own methods (review advZ15, f5):
// `track(Orders)` at start-up, `Express extends Orders` overriding an async
// `place()`: an Express call in flight was unseen, so a forced-quiescence
// update renaming Orders.count committed under it (straddled 0, held 0) and
// the call resumed on the new layout and returned NaN.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import { CallTracker, runUpdate, ScheduledManager } from "../../src/lifecycle/index.js";
import { deferred, isSettled } from "./support.js";

type Orders = { count: number; place(item: string, gate?: Promise<void>): Promise<string> };

function shop() {
  const ns = new Namespace("subclasses");
  const Orders = ns.defineClass<Orders>({
    name: "Orders",
    fields: [{ name: "count", initializer: "0" }],
    methods: {
      async place(this: { count: number }, item: string, gate?: Promise<void>) {
        await gate;
        this.count += 1;
        return `order ${this.count}: ${item}`;
      },
    },
  });
  const defineExpress = (name = "Express") =>
    ns.defineClass<Orders>({
      name,
      superclass: "Orders",
      methods: {
        async place(this: { count: number }, item: string, gate?: Promise<void>) {
          await gate;
          this.count += 1;
          return `express ${this.count}: ${item}`;
        },
        label() {
          return "express";
        },
      },
    });
  const rename = patch("placed").renameField("Orders", "count", "placed").build();
  return { ns, Orders, defineExpress, rename };
}

const names = (tracker: CallTracker) => tracker.trackedClasses().map((c) => c.name);

describe("tracking a class covers its subclasses", () => {
  test("a subclass override in flight is waited for: it ends on the old layout, then the update commits", async () => {
    const { ns, Orders, defineExpress, rename } = shop();
    const Express = defineExpress();
    const manager = new ScheduledManager().track(Orders); // at start-up, as the README shows
    try {
      const express = new Express();
      const gate = deferred();
      const first = express.place("tea", gate.promise);
      const ticket = manager.enqueue({
        namespace: ns,
        patch: rename,
        forceQuiescence: true,
        timeoutMs: 10_000,
      });
      expect(await isSettled(ticket.done)).toBe(false);
      gate.resolve();
      const report = await ticket.done;
      expect(report.status).toBe("committed");
      expect(report.straddled).toEqual([]);
      expect(await first).toBe("express 1: tea");
      expect(JSON.stringify(express)).toBe('{"placed":1}');
    } finally {
      manager.close();
    }
  });

  test("a subclass defined after track() is covered from the next refresh, and one an update adds from its commit", async () => {
    const { ns, Orders, defineExpress } = shop();
    const tracker = new CallTracker().track(Orders);
    const Express = defineExpress();
    expect(tracker.refresh()).toEqual(["Express.place", "Express.label"]);
    const gate = deferred();
    const call = new Express().place("tea", gate.promise);
    expect(tracker.inFlight().map((c) => `${c.className}.${c.method}`)).toEqual(["Express.place"]);
    gate.resolve();
    await call;
    const report = await runUpdate(
      {
        namespace: ns,
        patch: patch("priority").addClass({ name: "Priority", superclass: "Orders" }).build(),
      },
      { tracker },
    );
    expect(report.status).toBe("committed");
    expect(names(tracker)).toEqual(["Orders", "Express", "Priority"]);
  });

  test("a subclass follows its superclass's options and untracking, unless tracked on its own", () => {
    const { Orders, defineExpress } = shop();
    const Express = defineExpress();
    const bare = Express.prototype.place;
    const tracker = new CallTracker().track(Orders, { methods: ["place"] });
    expect(tracker.isTracking(Express)).toBe(true);
    expect(tracker.holdableMethods([Express])).toEqual(["Express.place"]);
    tracker.untrack(Orders);
    expect(names(tracker)).toEqual([]);
    expect(Express.prototype.place).toBe(bare);
    tracker.track(Orders).track(Express, { methods: ["label"] });
    tracker.untrack(Orders);
    expect(names(tracker)).toEqual(["Express"]);
    expect(tracker.holdableMethods([Express])).toEqual([]);
    expect(Express.prototype.place).toBe(bare);
  });

  test("property: a class is tracked exactly while it or a class it extends is tracked on its own", () => {
    // A hierarchy as parent indices (class i extends class parents[i] < i, or nothing).
    const hierarchy = fc
      .integer({ min: 1, max: 7 })
      .chain((n) =>
        fc.tuple(
          fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
          fc.uniqueArray(fc.integer({ min: 0, max: n - 1 })),
          fc.integer({ min: 0, max: n - 1 }),
        ),
      );
    fc.assert(
      fc.property(hierarchy, ([parents, own, dropped]) => {
        const ns = new Namespace("hierarchy");
        const classes = parents.map((p, i) =>
          ns.defineClass({
            name: `C${i}`,
            ...(p >= 0 ? { superclass: `C${p}` } : {}),
            methods: {
              async run() {
                return i;
              },
            },
          }),
        );
        const tracker = new CallTracker();
        for (const i of own) tracker.track(classes[i]!);
        const expected = (ownNow: readonly number[]) =>
          parents.map((_, i) => {
            for (let c = i; c >= 0; c = parents[c]!) if (ownNow.includes(c)) return true;
            return false;
          });
        expect(classes.map((c) => tracker.isTracking(c))).toEqual(expected(own));
        tracker.untrack(classes[dropped]!);
        const left = own.filter((i) => i !== dropped);
        // Untracking a class covered by a superclass still tracked leaves it covered.
        expect(classes.map((c) => tracker.isTracking(c))).toEqual(expected(left));
      }),
      { seed: 20_251_207, numRuns: 200 },
    );
  });
});
