import { describe, expect, test } from "vitest";
import { LifecycleError } from "../../src/index.js";
import { CallTracker } from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { deferred, isSettled } from "./support.js";

type Worker = {
  n: number;
  tag(): string;
  run(gate: Promise<unknown>): Promise<string>;
  count(): number;
};

function workers() {
  const ns = new Namespace("tracking");
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
      count(this: Worker) {
        return ++this.n;
      },
    },
  });
  return { ns, Worker };
}

describe("call tracking", () => {
  test("counts a synchronous call while it runs and an async one until its promise settles", async () => {
    const { Worker } = workers();
    const tracker = new CallTracker().track(Worker);
    const w = new Worker();
    expect(w.count()).toBe(1);
    expect(tracker.inFlight()).toEqual([]);
    const gate = deferred();
    const running = w.run(gate.promise);
    expect(tracker.inFlight().map((c) => `${c.className}.${c.method}`)).toEqual(["Worker.run"]);
    expect(tracker.isQuiescent([Worker])).toBe(false);
    expect(tracker.isQuiescent([{ class: Worker, methods: ["count"] }])).toBe(true);
    gate.resolve();
    expect(await running).toBe("v1/v1");
    expect(tracker.isQuiescent([Worker])).toBe(true);
  });

  test("a synchronous call is in flight while it runs: an update point inside it sees it", () => {
    const ns = new Namespace("reentrant");
    const seen: unknown[] = [];
    const Loop = ns.defineClass<{ frame(probe: () => void): void }>({
      name: "Loop",
      methods: {
        frame(probe: () => void) {
          probe();
        },
      },
    });
    const tracker = new CallTracker().track(Loop);
    new Loop().frame(() => {
      seen.push(
        tracker.isQuiescent([Loop]),
        tracker.inFlight().map((c) => [c.method, c.startedAt]),
      );
    });
    expect(seen).toEqual([false, [["frame", Number.NaN]]]);
    expect(tracker.isQuiescent([Loop])).toBe(true);
  });

  test("a call that throws or rejects stops counting; the caller still sees the error and an unhandled rejection stays observable", async () => {
    const ns = new Namespace("errors");
    const Thrower = ns.defineClass<{ bad(): never; worse(): Promise<never> }>({
      name: "Thrower",
      methods: {
        bad() {
          throw new Error("sync");
        },
        async worse() {
          throw new Error("async");
        },
      },
    });
    const tracker = new CallTracker().track(Thrower);
    const t = new Thrower();
    expect(() => t.bad()).toThrow("sync");
    await expect(t.worse()).rejects.toThrow("async");
    expect(tracker.inFlight()).toEqual([]);
  });

  test("super works through wrappers: a subclass override calling super.m() and an inherited method", async () => {
    const ns = new Namespace("super");
    const Base = ns.defineClass<{ hello(): string; shout(): string }>({
      name: "Base",
      methods: {
        hello() {
          return "base";
        },
        shout(this: { hello(): string }) {
          return this.hello().toUpperCase();
        },
      },
    });
    const Sub = ns.defineClass<{ hello(): string; shout(): string }>({
      name: "Sub",
      superclass: "Base",
      methods: {
        hello() {
          return `sub+${super.hello()}`;
        },
      },
    });
    const tracker = new CallTracker().track(Base).track(Sub);
    const s = new Sub();
    expect(s.hello()).toBe("sub+base");
    expect(s.shout()).toBe("SUB+BASE");
    expect(new Base().shout()).toBe("BASE");
    tracker.untrackAll();
    expect(s.hello()).toBe("sub+base");
  });

  test("untracking puts back the very functions that were installed", () => {
    const { Worker } = workers();
    const before = Object.getOwnPropertyDescriptors(Worker.prototype);
    const tracker = new CallTracker().track(Worker);
    expect(Worker.prototype.tag).not.toBe(before.tag!.value);
    expect(Worker.prototype.tag.name).toBe("tag");
    tracker.untrack(Worker);
    expect(Object.getOwnPropertyDescriptors(Worker.prototype)).toEqual(before);
  });

  test("after an update, refresh wraps the new methods; a rollback brings back wrappers that still call the old code", async () => {
    const { ns, Worker } = workers();
    const tracker = new CallTracker().track(Worker);
    const w = new Worker();
    const result = updateSync(
      ns,
      patch("v2")
        .replaceMethods("Worker", {
          tag() {
            return "v2";
          },
        })
        .build(),
    );
    // The new version brings all its methods, so all are wrapped anew.
    expect(tracker.refresh().sort()).toEqual(["Worker.count", "Worker.run", "Worker.tag"]);
    const gate = deferred();
    const running = w.run(gate.promise);
    expect(tracker.inFlight().map((c) => c.method)).toEqual(["run"]);
    gate.resolve();
    expect(await running).toBe("v2/v2");
    result.rollback();
    expect(tracker.refresh()).toEqual([]); // the restored functions are its own wrappers
    expect(w.tag()).toBe("v1");
    const gate2 = deferred();
    const again = w.run(gate2.promise);
    expect(tracker.isQuiescent([Worker])).toBe(false);
    gate2.resolve();
    expect(await again).toBe("v1/v1");
  });
});

describe("holding calls at entry", () => {
  test("async calls queue and run in arrival order on the method current at release; synchronous calls run through", async () => {
    const { Worker } = workers();
    const tracker = new CallTracker().track(Worker);
    const w = new Worker();
    const hold = tracker.hold([Worker]);
    const order: string[] = [];
    const calls = ["a", "b", "c"].map((name) =>
      w.run(Promise.resolve()).then((r) => {
        order.push(name);
        return r;
      }),
    );
    expect(w.count()).toBe(1); // synchronous: not held
    expect(hold.queued()).toBe(3);
    expect(await isSettled(calls[0]!)).toBe(false);
    expect(tracker.inFlight()).toEqual([]); // held calls are not in flight
    // What the update would do: new code on the stable prototype.
    Object.defineProperty(Worker.prototype, "tag", {
      value() {
        return "v2";
      },
      configurable: true,
      writable: true,
    });
    tracker.refresh();
    expect(hold.release()).toBe(3);
    expect(await Promise.all(calls)).toEqual(["v2/v2", "v2/v2", "v2/v2"]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(tracker.holding).toBe(false);
  });

  test("a held call whose method the update removed rejects with a TypeError naming it", async () => {
    const { Worker } = workers();
    const tracker = new CallTracker().track(Worker);
    const hold = tracker.hold([Worker]);
    const call = new Worker().run(Promise.resolve());
    Reflect.deleteProperty(Worker.prototype, "run");
    hold.release();
    await expect(call).rejects.toThrow(/Worker\.run is not a function any more/);
  });

  test("one hold at a time; holding an untracked class is refused", () => {
    const { Worker } = workers();
    const { Worker: Other } = workers();
    const tracker = new CallTracker().track(Worker);
    expect(() => tracker.hold([Other])).toThrow(LifecycleError);
    const hold = tracker.hold([Worker]);
    expect(() => tracker.hold([Worker])).toThrow(/already holding/);
    hold.release();
    tracker.hold([Worker]).release();
  });

  test("declared holdable methods (promise-returning, not async) are held too", async () => {
    const ns = new Namespace("holdable");
    const Api = ns.defineClass<{ fetch(): Promise<string> }>({
      name: "Api",
      methods: {
        fetch() {
          return Promise.resolve("data");
        },
      },
    });
    const tracker = new CallTracker().track(Api, { holdable: ["fetch"] });
    const hold = tracker.hold([Api]);
    const call = new Api().fetch();
    expect(hold.queued()).toBe(1);
    hold.release();
    expect(await call).toBe("data");
  });

  test("with followAsyncContext, a call made inside an in-flight call passes the hold (it is part of draining)", async () => {
    const ns = new Namespace("nested");
    const Store = ns.defineClass<{ load(): Promise<string> }>({
      name: "Store",
      methods: {
        async load() {
          return "row";
        },
      },
    });
    const Service = ns.defineClass<{
      store: { load(): Promise<string> };
      handle(g: Promise<void>): Promise<string>;
    }>({
      name: "Service",
      fields: ["store"],
      methods: {
        async handle(this: { store: { load(): Promise<string> } }, gate: Promise<void>) {
          await gate;
          return this.store.load();
        },
      },
    });
    for (const follow of [false, true]) {
      const tracker = new CallTracker({ followAsyncContext: follow }).track(Store).track(Service);
      const service = new Service({ store: new Store() });
      const gate = deferred();
      const inFlight = service.handle(gate.promise);
      const hold = tracker.hold([Store, Service]);
      const outside = new Store().load();
      gate.resolve();
      // Without following the async context, the in-flight call waits for its held load: it cannot drain.
      expect(await isSettled(inFlight)).toBe(follow);
      expect(hold.queued()).toBe(follow ? 1 : 2);
      hold.release();
      expect(await inFlight).toBe("row");
      expect(await outside).toBe("row");
      tracker.untrackAll();
    }
  });
  test("with followReceiver, a call on an object that has a call in flight passes the hold; a call on another object is held", async () => {
    const ns = new Namespace("receiver");
    type Store = { load(g: Promise<void>): Promise<string>; parse(): Promise<string> };
    const Store = ns.defineClass<Store>({
      name: "Store",
      methods: {
        async load(this: Store, gate: Promise<void>) {
          await gate;
          return this.parse();
        },
        async parse() {
          return "rows";
        },
      },
    });
    for (const follow of [false, true]) {
      const tracker = new CallTracker({ followReceiver: follow }).track(Store);
      const [store, other] = [new Store(), new Store()];
      const gate = deferred();
      const inFlight = store.load(gate.promise);
      const hold = tracker.hold([Store]);
      const outside = other.parse();
      gate.resolve();
      // The in-flight load's own parse() passes with followReceiver; another object's call waits.
      expect(await isSettled(inFlight)).toBe(follow);
      expect(await isSettled(outside)).toBe(false);
      expect(hold.queued()).toBe(follow ? 1 : 2);
      hold.release();
      expect(await inFlight).toBe("rows");
      expect(await outside).toBe("rows");
      expect(tracker.inFlight([Store])).toEqual([]);
      tracker.untrackAll();
    }
  });
});
