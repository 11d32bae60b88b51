// The lifecycle's entry points refuse an options key they do not know
// (MM_INVALID_OPTION, as update()'s options), naming it, the keys the call
// takes and the one likely meant, before anything runs: runUpdate reports
// the update failed with nothing run (it never rejects), the others throw (or
// reject, waitUntilAlterable). Before, `runUpdate({ …, timeoutMS: 5 })`
// waited the default 5 s, `hooks: { setup }` never set anything up, `new
// ScheduledManager({ polcy: whenIdle() })` applied updates at once, and a
// policy of another kind (`{ kind: "turbo" }`) made the manager's loop throw
// where nothing heard it, leaving the queue stalled.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  always,
  applyUpdate,
  CallTracker,
  ExplicitManager,
  inWindow,
  runUpdate,
  ScheduledManager,
  waitUntilAlterable,
  whenIdle,
  within,
} from "../../src/lifecycle/index.js";
import { InvalidOptionError, type MetamorphError, Namespace, patch } from "../../src/index.js";
import { keysCallersWrite, withKey } from "../support/optionKeys.js";

function world() {
  const ns = new Namespace("life");
  const Item = ns.defineClass<{ n: number; work(): Promise<number> }>({
    name: "Item",
    fields: [{ name: "n", initializer: "1" }],
    methods: {
      async work() {
        return 1;
      },
    },
  });
  const item = new Item();
  const p = patch("grow").addField("Item", "m", { default: 2 }).build();
  const ran: string[] = [];
  const hook =
    (name: string) =>
    (..._args: unknown[]): undefined => {
      ran.push(name);
      return undefined;
    };
  return { ns, Item, item, p, ran, hook };
}
type World = ReturnType<typeof world>;

/** An entry point: the valid object an unknown key joins, and the call (its outcome: a report or a throw). */
interface Entry {
  readonly known: readonly string[];
  /** The name the message gives the keys' owner ("an update", "update.hooks", the call). */
  readonly where: string;
  readonly what?: "hook";
  readonly base: (w: World) => object;
  readonly run: (w: World, value: object) => unknown;
}

const UPDATE_KEYS = [
  "name",
  "namespace",
  "patch",
  "options",
  "alterability",
  "forceQuiescence",
  "timeoutMs",
  "components",
  "prepareTimeoutMs",
  "transferState",
  "affects",
  "overTimeoutMs",
  "hooks",
];
const HOOK_KEYS = [
  "checkRequirements",
  "setUp",
  "cleanUpAfterFailedAlterability",
  "suspend",
  "apply",
  "preResume",
  "resume",
  "waitUntilOver",
  "cleanUp",
];
const MANAGER_KEYS = ["tracker", "onEvent", "maxAttempts", "historyLimit", "defaults"];
const SCHEDULED_KEYS = [...MANAGER_KEYS, "policy", "retryDelayMs", "checkIntervalMs", "autoStart"];

const ENTRIES: Readonly<Record<string, Entry>> = {
  "runUpdate(update)": {
    known: UPDATE_KEYS,
    where: "an update",
    base: (w) => ({ namespace: w.ns, patch: w.p, hooks: { setUp: w.hook("setUp") } }),
    run: (_w, update) => runUpdate(update as never),
  },
  "runUpdate(update.hooks)": {
    known: HOOK_KEYS,
    where: "update.hooks",
    what: "hook",
    base: (w) => ({ checkRequirements: w.hook("checkRequirements"), setUp: w.hook("setUp") }),
    run: (w, hooks) => runUpdate({ namespace: w.ns, patch: w.p, hooks: hooks as never }),
  },
  "runUpdate(update, options)": {
    known: [
      "tracker",
      "attempt",
      "signal",
      "onEvent",
      "deadline",
      "defaultAlterability",
      "autoTrack",
    ],
    where: "runUpdate",
    base: () => ({ attempt: 1 }),
    run: (w, options) =>
      runUpdate({ namespace: w.ns, patch: w.p, hooks: { setUp: w.hook("setUp") } }, options),
  },
  "runUpdate(update.options)": {
    known: [
      "policy",
      "sliceSize",
      "healthCheck",
      "healthCheckTimeoutMs",
      "onEvent",
      "onCommitStep",
    ],
    where: "update",
    base: () => ({ policy: "eager" }),
    run: (w, options) =>
      runUpdate({ namespace: w.ns, patch: w.p, options, hooks: { setUp: w.hook("setUp") } }),
  },
  "new ExplicitManager": {
    known: MANAGER_KEYS,
    where: "new ExplicitManager",
    base: () => ({ maxAttempts: 2 }),
    run: (_, options) => new ExplicitManager(options),
  },
  "new ScheduledManager": {
    known: SCHEDULED_KEYS,
    where: "new ScheduledManager",
    base: () => ({ autoStart: false }),
    run: (_, options) => new ScheduledManager(options),
  },
  "manager defaults": {
    known: ["timeoutMs", "forceQuiescence", "prepareTimeoutMs", "overTimeoutMs"],
    where: "options.defaults",
    base: () => ({ timeoutMs: 10 }),
    run: (_, defaults) => new ExplicitManager({ defaults }),
  },
  enqueue: {
    known: UPDATE_KEYS,
    where: "an update",
    base: (w) => ({ namespace: w.ns, patch: w.p }),
    run: (_, update) => {
      const manager = new ExplicitManager();
      try {
        return manager.enqueue(update as never);
      } finally {
        expect(manager.pending()).toEqual([]);
      }
    },
  },
  "policy (idle)": {
    known: ["kind", "threshold", "sampleMs"],
    where: 'a policy of kind "idle"',
    base: () => ({ kind: "idle", threshold: 0.5, sampleMs: 10 }),
    run: (_, policy) => new ScheduledManager({ policy: policy as never, autoStart: false }),
  },
  "policy (window)": {
    known: ["kind", "description", "isOpen", "closesAt"],
    where: 'a policy of kind "window"',
    base: () => ({ kind: "window", description: "always", isOpen: () => true }),
    run: (_, policy) => new ScheduledManager({ policy: policy as never, autoStart: false }),
  },
  whenIdle: {
    known: ["threshold", "sampleMs"],
    where: "whenIdle",
    base: () => ({ threshold: 0.5 }),
    run: (_, options) => whenIdle(options),
  },
  "new CallTracker": {
    known: ["followAsyncContext", "followReceiver"],
    where: "new CallTracker",
    base: () => ({ followReceiver: false }),
    run: (_, options) => new CallTracker(options),
  },
  "tracker.track": {
    known: ["methods", "holdable"],
    where: "track",
    base: () => ({ methods: ["work"] }),
    run: (w, options) => {
      const tracker = new CallTracker();
      try {
        return tracker.track(w.Item, options);
      } finally {
        expect(tracker.isTracking(w.Item)).toBe(false);
      }
    },
  },
  waitUntilAlterable: {
    known: ["tracker", "timeoutMs", "pollMs", "signal"],
    where: "waitUntilAlterable",
    base: () => ({ timeoutMs: 1 }),
    run: (_, options) => waitUntilAlterable(always, options as never),
  },
  applyUpdate: {
    known: [
      "policy",
      "sliceSize",
      "healthCheck",
      "healthCheckTimeoutMs",
      "onEvent",
      "onCommitStep",
    ],
    where: "update",
    base: () => ({ policy: "eager" }),
    run: (w, options) => applyUpdate(w.ns, w.p, options),
  },
};

const anyKey = keysCallersWrite(
  "timeoutMS",
  "timeout",
  "hook",
  "setup",
  "polcy",
  "policies",
  "onEvents",
  "followAsync",
  "method",
  "treshold",
  "sample",
  "retryDelay",
  "__proto__",
  "constructor",
  "toString",
);

/** What the call came to: the error it threw or rejected with, or runUpdate's report's. */
async function refusalOf(run: () => unknown): Promise<unknown> {
  try {
    const outcome = await run();
    if (outcome !== null && typeof outcome === "object" && "status" in outcome) {
      expect(outcome).toMatchObject({ status: "failed" });
      const report = outcome as unknown as { events: unknown[]; error: unknown };
      expect(report.events).toHaveLength(1);
      return report.error;
    }
    return outcome;
  } catch (error) {
    return error;
  }
}

describe("lifecycle options with keys a call does not know", () => {
  test("property: entry point × misspelt or random key × any value → MM_INVALID_OPTION naming the key, nothing run, nothing changed (seed 97)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(ENTRIES)),
        anyKey,
        fc.anything(),
        async (name, key, value) => {
          const entry = ENTRIES[name]!;
          fc.pre(!entry.known.includes(key));
          const w = world();
          const version = w.ns.version;
          const error = await refusalOf(() => entry.run(w, withKey(entry.base(w), key, value)));
          expect(error).toBeInstanceOf(InvalidOptionError);
          const refusal = error as InvalidOptionError;
          expect(refusal.code).toBe("MM_INVALID_OPTION");
          expect(refusal.message).toContain(
            `unknown ${entry.what ?? "option"} ${JSON.stringify(key)} (${entry.where} takes ${entry.known.join(", ")})`,
          );
          expect(refusal.details).toMatchObject({ option: key, known: entry.known });
          expect([w.ns.version, w.ran, Object.keys(w.item)]).toEqual([version, [], ["n"]]);
        },
      ),
      { seed: 97, numRuns: 400 },
    );
  });

  test.each([
    [{ timeoutMS: 5 }, "timeoutMs"],
    [{ timeout: 5 }, "timeoutMs"],
    [{ criterion: always }, "alterability"],
    [{ hook: {} }, "hooks"],
  ])("an update's %j suggests %s", async (extra, meant) => {
    const w = world();
    const report = await runUpdate({ namespace: w.ns, patch: w.p, ...extra } as never);
    expect(report.status).toBe("failed");
    expect(report.reason).toContain(`did you mean ${meant}?`);
    expect((report.error as MetamorphError).details).toMatchObject({ meant });
  });

  test("{ timeoutMS: 5 } no longer waits the default 5 s: the report says why, and nothing ran", async () => {
    const w = world();
    const report = await runUpdate({
      namespace: w.ns,
      patch: w.p,
      timeoutMS: 5,
      hooks: { setUp: w.hook("setUp") },
    } as never);
    expect(report).toMatchObject({
      status: "failed",
      update: "grow",
      reason:
        'refused, nothing changed: runUpdate: unknown option "timeoutMS" (an update takes name, namespace, patch, options, alterability, forceQuiescence, timeoutMs, components, prepareTimeoutMs, transferState, affects, overTimeoutMs, hooks); did you mean timeoutMs?',
    });
    expect(w.ran).toEqual([]);
    // update()'s own options are checked before any hook too (before: at the apply step, after set-up).
    const misspelt = await runUpdate({
      namespace: w.ns,
      patch: w.p,
      options: { polcy: "lazy" },
      hooks: { setUp: w.hook("setUp") },
    } as never);
    expect([misspelt.status, (misspelt.error as MetamorphError).code, w.ran]).toEqual([
      "failed",
      "MM_INVALID_OPTION",
      [],
    ]);
  });

  test("a policy of a kind the manager does not follow, or of the wrong shape, is refused when the manager is made", () => {
    for (const policy of [
      { kind: "turbo" },
      null,
      "asap",
      { kind: "window", description: "never", isOpen: 1 },
      { kind: "idle", threshold: "0.5", sampleMs: 10 },
    ])
      expect(() => new ScheduledManager({ policy: policy as never, autoStart: false })).toThrow(
        InvalidOptionError,
      );
  });

  test("every key is still taken", async () => {
    const w = world();
    const tracker = new CallTracker({ followAsyncContext: true, followReceiver: false });
    expect(tracker.track(w.Item, { methods: ["work"], holdable: [] })).toBe(tracker);
    const events: string[] = [];
    const report = await runUpdate(
      {
        name: "grow-all",
        namespace: w.ns,
        patch: w.p,
        options: {
          policy: "eager",
          sliceSize: 10,
          healthCheck: () => true,
          healthCheckTimeoutMs: 100,
        },
        alterability: always,
        forceQuiescence: false,
        timeoutMs: 1000,
        components: [],
        prepareTimeoutMs: 1000,
        transferState: (state) => state,
        affects: [w.Item],
        overTimeoutMs: 10,
        hooks: Object.fromEntries(
          HOOK_KEYS.map((k) => [
            k,
            k === "apply" ? (_: unknown, next: () => unknown) => next() : w.hook(k),
          ]),
        ),
      },
      {
        tracker,
        attempt: 1,
        signal: new AbortController().signal,
        onEvent: (e) => events.push(e.type),
        deadline: Number.POSITIVE_INFINITY,
        defaultAlterability: "quiescence",
        autoTrack: "keep",
      },
    );
    expect(report.status).toBe("committed");
    expect(w.ran).toEqual([
      "checkRequirements",
      "setUp",
      "suspend",
      "preResume",
      "resume",
      "waitUntilOver",
      "cleanUp",
    ]);
    expect(w.item).toMatchObject({ n: 1, m: 2 });
    expect(events).toContain("step");
    const managerOptions = {
      tracker,
      onEvent: () => {},
      maxAttempts: 3,
      historyLimit: 5,
      defaults: { timeoutMs: 10, forceQuiescence: false, prepareTimeoutMs: 10, overTimeoutMs: 10 },
    };
    new ExplicitManager(managerOptions).close();
    for (const policy of [
      whenIdle({ threshold: 0.5, sampleMs: 10 }),
      within(0, 1),
      inWindow("open", () => true),
      { kind: "window" as const, description: "x", isOpen: () => true, closesAt: () => undefined },
    ])
      new ScheduledManager({
        ...managerOptions,
        policy,
        retryDelayMs: 5,
        checkIntervalMs: 5,
        autoStart: false,
      }).close();
    await expect(
      waitUntilAlterable(always, {
        tracker,
        timeoutMs: 10,
        pollMs: 5,
        signal: new AbortController().signal,
      }),
    ).resolves.toEqual({ met: true });
    const explicit = new ExplicitManager();
    explicit.enqueue({
      namespace: w.ns,
      patch: patch("more").addField("Item", "k").build(),
      timeoutMs: 50,
    });
    expect((await explicit.applyPending()).map((r) => r.status)).toEqual(["committed"]);
  });
});
