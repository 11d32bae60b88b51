import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/index.js";
import type { LifecycleEvent } from "../../src/lifecycle/index.js";
import { always, CallTracker, quiescent, runUpdate, when } from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { deferred, eventually, isSettled } from "./support.js";

type Worker = {
  n: number;
  tag(): string;
  run(gate: Promise<unknown>): Promise<string>;
  ping(): Promise<string>;
};

function world() {
  const ns = new Namespace("lifecycle");
  const Worker = ns.defineClass<Worker>({
    name: "Worker",
    fields: [{ name: "n", initializer: "0" }],
    methods: {
      tag() {
        return "v1";
      },
      async run(this: Worker, gate: Promise<unknown>) {
        const before = this.tag();
        await gate;
        return `${before}/${this.tag()}`;
      },
      async ping(this: Worker) {
        this.n++;
        return this.tag();
      },
    },
  });
  const tracker = new CallTracker().track(Worker);
  return { ns, Worker, tracker };
}

/** v2 renames the field and changes the code: observable in values, keys and results. */
const v2 = () =>
  patch("v2")
    .renameField("Worker", "n", "count")
    .replaceMethods("Worker", {
      tag() {
        return "v2";
      },
      async ping(this: { count: number; tag(): string }) {
        this.count++;
        return this.tag();
      },
    })
    .build();

const transitions = (events: readonly LifecycleEvent[]) =>
  events.flatMap((e) => (e.type === "transition" ? [e.to] : []));

describe("acceptance 2: a method that never becomes quiescent", () => {
  test("after the time-out the update is postponed, queued calls complete on the old version, nothing changed, the events say why", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker({ n: 5 });
    const never = deferred();
    const stuck = w.run(never.promise);
    const events: LifecycleEvent[] = [];
    const running = runUpdate(
      { namespace: ns, patch: v2(), forceQuiescence: true, timeoutMs: 300 },
      { tracker, onEvent: (e) => events.push(e) },
    );
    await eventually(() => tracker.holding);
    const pings = [w.ping(), w.ping(), w.ping()];
    // Held at entry: the method body has not run.
    expect(w.n).toBe(5);
    expect(await isSettled(pings[0]!)).toBe(false);

    const report = await running;
    expect(report.status).toBe("postponed");
    expect(report.reason).toMatch(/not alterable within 300 ms: Worker\.run: 1 call in flight/);
    expect(await Promise.all(pings)).toEqual(["v1", "v1", "v1"]);
    expect(report.heldCalls).toBe(3);
    // Nothing changed.
    expect(ns.version).toBe(1);
    expect(Object.keys(w)).toEqual(["n"]);
    expect(w.n).toBe(8);
    expect(w.tag()).toBe("v1");
    expect(report.applied).toBeUndefined();
    // The events say why.
    expect(transitions(report.events)).toEqual(["checking", "preparing", "waiting", "postponed"]);
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ type: "transition", from: "waiting", to: "postponed" });
    expect(last.type === "transition" && last.detail?.blocking).toEqual([
      expect.stringMatching(/^Worker\.run: 1 call in flight, the oldest for \d+ ms$/),
    ]);
    never.resolve();
    expect(await stuck).toBe("v1/v1");
  });
});

describe("forced quiescence", () => {
  test("in-flight calls drain, new ones wait, the update commits, and the queued calls run on the new version in arrival order", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker({ n: 0 });
    const gate = deferred();
    const inFlight = w.run(gate.promise);
    const running = runUpdate(
      { namespace: ns, patch: v2(), forceQuiescence: true, timeoutMs: 10_000 },
      { tracker },
    );
    await eventually(() => tracker.holding);
    const order: number[] = [];
    const queued = [1, 2, 3].map((i) =>
      w.ping().then((tag) => {
        order.push(i);
        return tag;
      }),
    );
    expect(w.n).toBe(0);
    gate.resolve();
    const report = await running;
    expect(report.status).toBe("committed");
    expect(await inFlight).toBe("v1/v1"); // finished entirely on the old version
    expect(await Promise.all(queued)).toEqual(["v2", "v2", "v2"]);
    expect(order).toEqual([1, 2, 3]);
    expect((w as unknown as { count: number }).count).toBe(3);
    expect(report.straddled).toEqual([]);
    expect(report.heldCalls).toBe(3);
    expect(report.holdMs).toBeGreaterThan(0);
    expect(report.pauseMs).toBeGreaterThan(0);
    expect(transitions(report.events)).toEqual([
      "checking",
      "preparing",
      "waiting",
      "applying",
      "migrating",
      "validating",
      "committed",
    ]);
    expect(report.retirement).toMatchObject({
      retired: [{ className: "Worker", version: 1, replacedBy: 2 }],
      pendingInstances: 0,
      oldCodeRunning: [],
      retainedForRollback: true,
    });
  });

  test("without quiescence an in-flight call straddles the commit: the report names it, and it observed both versions", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker();
    const gate = deferred();
    const straddler = w.run(gate.promise);
    const report = await runUpdate(
      { namespace: ns, patch: v2(), alterability: always },
      { tracker },
    );
    expect(report.status).toBe("committed");
    expect(report.straddled.map((c) => `${c.className}.${c.method}`)).toEqual(["Worker.run"]);
    expect(report.retirement?.oldCodeRunning.map((c) => c.method)).toEqual(["run"]);
    gate.resolve();
    expect(await straddler).toBe("v1/v2");
  });
});

describe("lifecycle steps and statuses", () => {
  test("hooks run in order around the built-in mechanics, each step is an event with its duration", async () => {
    const { ns, Worker, tracker } = world();
    new Worker();
    const calls: string[] = [];
    const report = await runUpdate(
      {
        namespace: ns,
        patch: v2(),
        hooks: {
          checkRequirements: () => {
            calls.push("check");
            return "ready";
          },
          setUp: () => {
            calls.push("setUp");
          },
          suspend: () => {
            calls.push("suspend");
          },
          apply: (_ctx, next) => {
            calls.push("apply");
            return next();
          },
          preResume: () => {
            calls.push("preResume");
          },
          resume: () => {
            calls.push("resume");
          },
          waitUntilOver: () => {
            calls.push("over");
          },
          cleanUp: (_ctx, status) => {
            calls.push(`cleanUp:${status}`);
          },
          cleanUpAfterFailedAlterability: () => {
            calls.push("never called");
          },
        },
      },
      { tracker },
    );
    expect(report.status).toBe("committed");
    expect(calls).toEqual([
      "check",
      "setUp",
      "suspend",
      "apply",
      "preResume",
      "resume",
      "over",
      "cleanUp:committed",
    ]);
    const steps = report.events.flatMap((e) => (e.type === "step" ? [e.step] : []));
    expect(steps).toEqual([
      "check-requirements",
      "set-up",
      "preflight",
      "wait-for-alterability",
      "suspend",
      "apply",
      "pre-resume",
      "resume",
      "wait-until-over",
      "clean-up",
    ]);
    for (const e of report.events) expect(e.atMs).toBeGreaterThanOrEqual(0);
    expect(report.timings.total).toBeGreaterThan(0);
    expect(report.timings.committed).toBeGreaterThanOrEqual(0);
  });

  test('"never" cancels and "not yet" postpones, before set-up and with nothing changed', async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker();
    let setUps = 0;
    for (const [verdict, status] of [
      ["never", "cancelled"],
      ["not-yet", "postponed"],
    ] as const) {
      const report = await runUpdate(
        {
          namespace: ns,
          patch: v2(),
          hooks: {
            checkRequirements: () => ({ verdict, reason: `because ${verdict}` }),
            setUp: () => {
              setUps++;
            },
          },
        },
        { tracker },
      );
      expect(report.status).toBe(status);
      expect(report.reason).toBe(`because ${verdict}`);
      expect(transitions(report.events)).toEqual(["checking", status]);
    }
    expect(setUps).toBe(0);
    expect(ns.version).toBe(1);
    expect(w.tag()).toBe("v1");
  });

  test("a refused patch fails with nothing changed; held calls run on the old version; clean-up is told", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker({ n: 1 });
    const gate = deferred();
    const inFlight = w.run(gate.promise);
    let cleaned: string | undefined;
    const bad = patch("bad")
      .renameField("Worker", "n", "count")
      .validateInstances("positive", "Worker", (o) => Number(o.count) > 100 || "too small")
      .build();
    const running = runUpdate(
      {
        namespace: ns,
        patch: bad,
        forceQuiescence: true,
        hooks: {
          cleanUp: (_c, s) => {
            cleaned = s;
          },
        },
      },
      { tracker },
    );
    await eventually(() => tracker.holding);
    const held = w.ping();
    gate.resolve();
    const report = await running;
    expect(report.status).toBe("failed");
    expect(report.error).toBeInstanceOf(ValidationError);
    expect(report.reason).toMatch(/^refused, nothing changed/);
    expect(await held).toBe("v1");
    expect(Object.keys(w)).toEqual(["n"]);
    expect(ns.version).toBe(1);
    expect(cleaned).toBe("failed");
    expect(await inFlight).toBe("v1/v1");
  });

  test("a patch that can never apply is refused while preparing, before any call is held", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker();
    const report = await runUpdate(
      {
        namespace: ns,
        patch: patch("typo").renameField("Worker", "m", "count").build(),
        forceQuiescence: true,
      },
      { tracker },
    );
    expect(report.status).toBe("failed");
    expect(report.reason).toMatch(/has no field "m"|no field m/);
    expect(transitions(report.events)).toEqual(["checking", "preparing", "failed"]);
    expect(tracker.holding).toBe(false);
    expect(await w.ping()).toBe("v1");
  });

  test("a failing health check rolls back after the commit; the held calls then run on the old version", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker({ n: 2 });
    const gate = deferred();
    const inFlight = w.run(gate.promise);
    const running = runUpdate(
      { namespace: ns, patch: v2(), forceQuiescence: true, options: { healthCheck: () => false } },
      { tracker },
    );
    await eventually(() => tracker.holding);
    const held = w.ping();
    gate.resolve();
    const report = await running;
    expect(report.status).toBe("rolled-back");
    expect(transitions(report.events).slice(-2)).toEqual(["committed", "rolled-back"]);
    expect(await held).toBe("v1");
    expect(w.n).toBe(3);
    expect(w.tag()).toBe("v1");
    expect(report.retirement?.retired).toEqual([]);
    await inFlight;
    // Tracking follows the rollback: the restored old methods are still counted.
    const g = deferred();
    const again = w.run(g.promise);
    expect(tracker.isQuiescent([Worker])).toBe(false);
    g.resolve();
    await again;
  });

  test("cancellation while waiting releases the held calls on the old version and undoes the set-up", async () => {
    const { ns, Worker, tracker } = world();
    const w = new Worker();
    const never = deferred();
    void w.run(never.promise);
    const controller = new AbortController();
    let undone = "";
    const running = runUpdate(
      {
        namespace: ns,
        patch: v2(),
        forceQuiescence: true,
        timeoutMs: 60_000,
        hooks: {
          cleanUpAfterFailedAlterability: (_c, reason) => {
            undone = reason;
          },
        },
      },
      { tracker, signal: controller.signal },
    );
    await eventually(() => tracker.holding);
    const held = w.ping();
    controller.abort("operator said no");
    const report = await running;
    expect(report.status).toBe("cancelled");
    expect(report.reason).toBe("operator said no");
    expect(undone).toBe("operator said no");
    expect(await held).toBe("v1");
    never.resolve();
  });

  test("predicates and combinations decide alterability; the report lists what blocked", async () => {
    const { ns, Worker, tracker } = world();
    new Worker();
    let drained = false;
    const postponed = await runUpdate(
      {
        namespace: ns,
        patch: v2(),
        alterability: when("the queue is drained", () => drained),
        timeoutMs: 50,
      },
      { tracker },
    );
    expect(postponed.status).toBe("postponed");
    expect(postponed.reason).toContain("the queue is drained: not yet");
    setTimeout(() => {
      drained = true;
    }, 30);
    const committed = await runUpdate(
      {
        namespace: ns,
        patch: v2(),
        alterability: when("the queue is drained", () => drained),
        timeoutMs: 10_000,
      },
      { tracker },
    );
    expect(committed.status).toBe("committed");
    expect(quiescent(Worker)).toEqual({ kind: "quiescent", targets: [Worker] });
  });

  test("lazy migration: waiting until over completes it, then the retirement report shows nothing pending", async () => {
    const { ns, Worker, tracker } = world();
    const objects = Array.from({ length: 20 }, (_, i) => new Worker({ n: i }));
    objects[0]!.tag(); // touch nothing in particular
    const report = await runUpdate(
      { namespace: ns, patch: v2(), options: { policy: "lazy" }, overTimeoutMs: 20 },
      { tracker },
    );
    expect(report.status).toBe("committed");
    expect(report.applied?.policy).toBe("lazy");
    expect(report.retirement?.pendingInstances).toBe(0);
    expect(objects.map((o) => Object.keys(o))).toEqual(objects.map(() => ["count"]));
    // Lazy guards are gone and tracking wraps the bare new methods.
    const g = deferred();
    const call = objects[3]!.run(g.promise);
    expect(tracker.inFlight().map((c) => c.method)).toEqual(["run"]);
    g.resolve();
    expect(await call).toBe("v2/v2");
  });
});

describe("issue 12 item 6: an apply hook that throws after next()", () => {
  test("item 6: the update is rolled back inside the block and the report says so", async () => {
    const { ns, Worker, tracker } = world();
    const workers = [new Worker({ n: 1 }), new Worker({ n: 2 })];
    const proto = Object.getPrototypeOf(workers[0]!) as object;
    const version = ns.version;
    const boom = new Error("hook after next");
    const statuses: string[] = [];
    const report = await runUpdate(
      {
        namespace: ns,
        patch: v2(),
        alterability: always,
        hooks: {
          apply: (_ctx, next) => {
            next();
            throw boom;
          },
          cleanUp: (_ctx, status) => {
            statuses.push(status);
          },
        },
      },
      { tracker },
    );
    expect(report.status).toBe("rolled-back");
    expect(report.reason).toMatch(
      /apply hook threw after next\(\) had committed; the update was rolled back/,
    );
    expect(report.error).toBe(boom);
    expect(report.applied?.result?.state()).toBe("rolled-back");
    expect(statuses).toEqual(["rolled-back"]);
    expect(ns.version).toBe(version);
    expect(workers.map((w) => ({ ...w }))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(workers.every((w) => Object.getPrototypeOf(w) === proto)).toBe(true);
    expect(workers[0]!.tag()).toBe("v1");
  });
});

describe("issue 12 item 2 through the lifecycle: a lazy update that cannot complete", () => {
  test("item 2: wait-until-over rolls it back and the report says rolled-back, with the reason", async () => {
    const { ns, Worker, tracker } = world();
    const workers = [new Worker({ n: 1 }), new Worker({ n: 2 }), new Worker({ n: 3 })];
    const version = ns.version;
    const lazy = patch("v2-lazy")
      .renameField("Worker", "n", "count")
      .migrate("Worker", (old) => {
        if (old.n === 3) throw new Error("worker 3 cannot move");
      })
      .policy("lazy")
      .build();
    const report = await runUpdate(
      { namespace: ns, patch: lazy, alterability: always, overTimeoutMs: 10 },
      { tracker },
    );
    expect(report.status).toBe("rolled-back");
    expect(report.reason).toMatch(/could not be migrated.*worker 3 cannot move/);
    expect(ns.version).toBe(version);
    expect(workers.map((w) => ({ ...w }))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(workers[0]!.tag()).toBe("v1");
  });
});
