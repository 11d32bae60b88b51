import { performance } from "node:perf_hooks";
import { describe, expect, test } from "vitest";
import { LifecycleError } from "../../src/index.js";
import type { LifecycleUpdate, ManagerEvent } from "../../src/lifecycle/index.js";
import {
  ExplicitManager,
  inWindow,
  ScheduledManager,
  whenIdle,
  within,
} from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { deferred, eventually, isSettled, sleep } from "./support.js";

type Item = { v: number; tag(): string; work(gate: Promise<unknown>): Promise<string> };

function world() {
  const ns = new Namespace("managed");
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [{ name: "v", initializer: "0" }],
    methods: {
      tag() {
        return "v0";
      },
      async work(this: Item, gate: Promise<unknown>) {
        const a = this.tag();
        await gate;
        return `${a}/${this.tag()}`;
      },
    },
  });
  return { ns, Item, item: new Item() };
}

/** Update number `n`: `tag()` answers `v<n>`, and a field records it. */
function step(ns: Namespace, n: number, extra: Partial<LifecycleUpdate> = {}): LifecycleUpdate {
  return {
    namespace: ns,
    patch: patch(`u${n}`)
      .addField("Item", `f${n}`, { default: n })
      .replaceMethod("Item", {
        key: "tag",
        kind: "method",
        static: false,
        source: `tag() { return "v${n}"; }`,
      })
      .build(),
    ...extra,
  };
}

describe("acceptance 4: requirements and the scheduled manager", () => {
  test('"not yet" postpones, and the scheduled manager retries until the requirement is met; the queue keeps its order', async () => {
    const { ns, item } = world();
    let ready = false;
    const events: ManagerEvent[] = [];
    const manager = new ScheduledManager({ retryDelayMs: 5, onEvent: (e) => events.push(e) });
    const first = manager.enqueue(
      step(ns, 1, {
        hooks: {
          checkRequirements: () =>
            ready ? "ready" : { verdict: "not-yet", reason: "no disk space" },
        },
      }),
    );
    const second = manager.enqueue(step(ns, 2));
    await eventually(() => first.attempts >= 3);
    expect(
      first.reports.every((r) => r.status === "postponed" && r.reason === "no disk space"),
    ).toBe(true);
    expect(item.tag()).toBe("v0"); // the second waits behind the first
    expect(await isSettled(second.done)).toBe(false);
    ready = true;
    expect((await first.done).status).toBe("committed");
    expect((await second.done).status).toBe("committed");
    expect(item.tag()).toBe("v2");
    expect(ns.version).toBe(3);
    const postponed = events.filter(
      (e) => e.type === "transition" && e.to === "postponed" && e.ticket === first.id,
    );
    expect(postponed.length).toBe(first.attempts - 1);
    await manager.idle();
    expect(manager.status).toBe("idle");
    manager.close();
  });

  test('"never" cancels: the update is dropped, the next one goes ahead', async () => {
    const { ns, item } = world();
    const manager = new ScheduledManager();
    const doomed = manager.enqueue(
      step(ns, 1, {
        hooks: { checkRequirements: () => ({ verdict: "never", reason: "schema too old" }) },
      }),
    );
    const next = manager.enqueue(step(ns, 2));
    const report = await doomed.done;
    expect(report.status).toBe("cancelled");
    expect(report.reason).toBe("schema too old");
    expect(doomed.attempts).toBe(1);
    expect((await next.done).status).toBe("committed");
    expect(item.tag()).toBe("v2");
    expect(Object.keys(item)).toEqual(["v", "f2"]);
    manager.close();
  });

  test("by default the scheduled manager waits for the affected classes to be quiescent", async () => {
    const { ns, Item, item } = world();
    const manager = new ScheduledManager({ retryDelayMs: 5 }).track(Item);
    const gate = deferred();
    const inFlight = item.work(gate.promise);
    const ticket = manager.enqueue(step(ns, 1, { timeoutMs: 30 }));
    await eventually(() => ticket.attempts >= 2);
    expect(ticket.reports[0]!.reason).toMatch(/Item\.work: 1 call in flight/);
    gate.resolve();
    expect((await ticket.done).status).toBe("committed");
    expect(await inFlight).toBe("v0/v0");
    manager.close();
  });

  test("maxAttempts gives a postponed update up (reported as cancelled)", async () => {
    const { ns } = world();
    const manager = new ScheduledManager({ retryDelayMs: 1, maxAttempts: 3 });
    const ticket = manager.enqueue(step(ns, 1, { hooks: { checkRequirements: () => "not-yet" } }));
    const report = await ticket.done;
    expect(report.status).toBe("cancelled");
    expect(report.reason).toMatch(/^given up after 3 attempts/);
    expect(ticket.attempts).toBe(3);
    manager.close();
  });
});

describe("the explicit manager", () => {
  test("applies queued updates only at update points, in order; a postponed one stays at the head", async () => {
    const { ns, item } = world();
    const manager = new ExplicitManager();
    let ready = false;
    const a = manager.enqueue(step(ns, 1));
    const b = manager.enqueue(
      step(ns, 2, { hooks: { checkRequirements: () => (ready ? "ready" : "not-yet") } }),
    );
    const c = manager.enqueue(step(ns, 3));
    await sleep(20);
    expect(item.tag()).toBe("v0"); // nothing happens by itself
    const first = await manager.applyPending();
    expect(first.map((r) => [r.update, r.status])).toEqual([
      ["u1", "committed"],
      ["u2", "postponed"],
    ]);
    expect(item.tag()).toBe("v1");
    expect(manager.pending().map((t) => t.name)).toEqual(["u2", "u3"]);
    ready = true;
    const second = await manager.applyPending();
    expect(second.map((r) => [r.update, r.status])).toEqual([
      ["u2", "committed"],
      ["u3", "committed"],
    ]);
    expect(item.tag()).toBe("v3");
    expect([a, b, c].map((t) => t.state)).toEqual(["committed", "committed", "committed"]);
    expect(b.attempts).toBe(2);
  });

  test("an update point inside a method of the class being updated applies it there (no quiescence wait by default)", async () => {
    const { ns, Item, item } = world();
    const manager = new ExplicitManager().track(Item);
    manager.enqueue(step(ns, 1));
    const gate = deferred();
    const running = item.work(gate.promise);
    const [report] = await manager.applyPending();
    expect(report!.status).toBe("committed");
    expect(report!.straddled.map((c) => c.method)).toEqual(["work"]);
    gate.resolve();
    expect(await running).toBe("v0/v1");
  });

  test("concurrent update points join one pass: never two updates at once", async () => {
    const { ns } = world();
    const manager = new ExplicitManager();
    let active = 0;
    let most = 0;
    for (let i = 1; i <= 4; i++) {
      manager.enqueue(
        step(ns, i, {
          hooks: {
            setUp: async () => {
              active++;
              most = Math.max(most, active);
              await sleep(2);
            },
            cleanUp: () => {
              active--;
            },
          },
        }),
      );
    }
    const [r1, r2] = await Promise.all([manager.applyPending(), manager.applyPending()]);
    expect(r1).toBe(r2);
    expect(r1!.map((r) => r.status)).toEqual(["committed", "committed", "committed", "committed"]);
    expect(most).toBe(1);
  });
});

describe("cancellation", () => {
  test("a queued update is cancelled at once; a waiting one is aborted with its held calls released; a finished one cannot be", async () => {
    const { ns, Item, item } = world();
    const manager = new ScheduledManager({ retryDelayMs: 5 }).track(Item);
    const never = deferred();
    void item.work(never.promise);
    const waiting = manager.enqueue(step(ns, 1, { forceQuiescence: true, timeoutMs: 60_000 }));
    const queued = manager.enqueue(step(ns, 2));
    expect(queued.cancel("not needed")).toBe(true);
    expect((await queued.done).status).toBe("cancelled");
    await eventually(() => manager.tracker.holding);
    const held = item.work(Promise.resolve());
    expect(manager.status).toBe("waiting");
    expect(waiting.cancel("operator")).toBe(true);
    const report = await waiting.done;
    expect(report.status).toBe("cancelled");
    expect(report.reason).toBe("operator");
    expect(await held).toBe("v0/v0");
    expect(waiting.cancel()).toBe(false);
    expect(ns.version).toBe(1);
    await manager.idle();
    manager.close();
    expect(() => manager.enqueue(step(ns, 3))).toThrow(LifecycleError);
    never.resolve();
  });
});

describe("scheduling policies", () => {
  test("when idle: nothing is applied while the event loop is saturated, and the update goes through once it calms down", async () => {
    const { ns, item } = world();
    const events: ManagerEvent[] = [];
    let busy = true;
    const spin = () => {
      if (!busy) return;
      const end = performance.now() + 20;
      while (performance.now() < end) {
        // saturate the event loop
      }
      setImmediate(spin);
    };
    spin();
    const manager = new ScheduledManager({
      policy: whenIdle({ threshold: 0.5, sampleMs: 50 }),
      onEvent: (e) => events.push(e),
    });
    const ticket = manager.enqueue(step(ns, 1));
    await eventually(() => events.some((e) => e.type === "queue" && e.action === "deferred"));
    expect(item.tag()).toBe("v0");
    expect(ticket.attempts).toBe(0);
    busy = false;
    expect((await ticket.done).status).toBe("committed");
    const deferredEvent = events.find((e) => e.type === "queue" && e.action === "deferred");
    expect(
      deferredEvent?.type === "queue" && (deferredEvent.detail?.utilization as number),
    ).toBeGreaterThan(0.5);
    manager.close();
  });

  test("within a time window: held back while it is closed; the window's end bounds the wait for alterability", async () => {
    const { ns, Item, item } = world();
    let open = false;
    const manager = new ScheduledManager({
      policy: inWindow("maintenance", () => open),
      checkIntervalMs: 5,
    });
    const ticket = manager.enqueue(step(ns, 1));
    await sleep(30);
    expect(ticket.attempts).toBe(0);
    open = true;
    expect((await ticket.done).status).toBe("committed");
    expect(item.tag()).toBe("v1");
    manager.close();

    // A window that closes 50 ms from now: an update that cannot become alterable is postponed by then.
    const windowed = new ScheduledManager({
      policy: within(Date.now() - 1000, Date.now() + 50),
      retryDelayMs: 5,
      checkIntervalMs: 5,
    }).track(Item);
    const never = deferred();
    void item.work(never.promise);
    const late = windowed.enqueue(step(ns, 2, { timeoutMs: 60_000 }));
    await eventually(() => late.reports.length >= 1);
    expect(late.reports[0]!.status).toBe("postponed");
    windowed.close();
    expect((await late.done).status).toBe("cancelled");
    never.resolve();
  });
});
