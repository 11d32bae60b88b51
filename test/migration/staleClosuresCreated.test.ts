/**
 * MM_STALE_CLOSURE for the classes metamorph builds (`defineClass`,
 * `addClass`; src/migration/createdClassReads.ts). Their running
 * constructor is generated, so the check, which read the running class's
 * source, returned at once for them: a call of `async handle()` paused at
 * its `await` across `renameField("Sub", "count", "total")` resumed on the
 * new layout, wrote a stray `count: NaN` and lost its increment, and a
 * timer armed with `() => this.ping()` threw after `removeMethod("Sub",
 * "ping")`, both without a word, where the same code in a registered class
 * was warned of (review advZ13).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Sub = { count: number; handle(): Promise<number>; start(): void; ping(): void };

const stale = (warnings: readonly { code: string; className?: string; note: string }[]) =>
  warnings.filter((w) => w.code === "MM_STALE_CLOSURE").map((w) => [w.className, w.note]);

/** A gate the test opens: no timer, no timing. */
function gate() {
  let open = () => {};
  const shut = new Promise<void>((resolve) => (open = resolve));
  return { shut, open };
}

function bus(shut: Promise<void>) {
  const ns = new Namespace("bus");
  const Sub = ns.defineClass<Sub>(
    {
      name: "Sub",
      fields: [{ name: "count", initializer: "0" }],
      methods: {
        async handle(this: Sub) {
          await shut;
          this.count += 1;
          return this.count;
        },
        start(this: Sub) {
          queueMicrotask(() => this.ping());
        },
        ping(this: Sub) {
          this.count += 10;
        },
      },
    },
    { scope: { shut } },
  );
  const Loud = ns.defineClass<Sub & { volume: number }>({
    name: "Loud",
    superclass: "Sub",
    fields: [{ name: "volume", initializer: "1" }],
  });
  return { ns, Sub, Loud };
}

describe("a class made with defineClass", () => {
  for (const policy of ["eager", "lazy"] as const) {
    test(`${policy}: a call suspended at an await that reads a renamed field when it resumes: MM_STALE_CLOSURE, as for a registered class`, async () => {
      const { shut, open } = gate();
      const { ns, Loud } = bus(shut);
      const s = new Loud();
      const pending = s.handle();
      const result = updateSync(ns, patch("rn").renameField("Sub", "count", "total").build(), {
        policy,
      });
      expect(stale(result.warnings)).toEqual([
        [
          "Sub",
          "calls of the running version's `handle()` suspended at an `await` or `yield` read `count` when they resume, which the new version no longer has",
        ],
      ]);
      open();
      // What the warning is about: eager, the call resumes on the new layout
      // (lazy, on an object its own reads did not migrate: it may or may not).
      if (policy === "eager") expect(await pending).toBeNaN();
      else await pending;
    });
  }

  test("a closure a method made that calls a removed method: MM_STALE_CLOSURE naming it", () => {
    const { ns } = bus(gate().shut);
    const result = updateSync(ns, patch("rm").removeMethod("Sub", "ping").build());
    expect(stale(result.warnings)).toEqual([
      [
        "Sub",
        "closures the running version made (arrow functions given to timers or listeners) read `ping`, which the new version no longer has",
      ],
    ]);
  });

  test("members kept, or read before the await only: no suspended-call warning", () => {
    const { ns } = bus(gate().shut);
    const kept = patch("add").addField("Sub", "extra", { default: 0 }).build();
    expect(stale(updateSync(ns, kept).warnings)).toEqual([]);
    const ns2 = new Namespace("early");
    ns2.defineClass({
      name: "Job",
      fields: [{ name: "state", initializer: '"new"' }],
      methods: {
        async run(this: { state: string }) {
          this.state = "running";
          await null;
          return 1;
        },
      },
    });
    const rn = patch("rn").renameField("Job", "state", "phase").build();
    // No call is suspended after a read: only the kept `run()` itself, whose
    // every later call writes the old name (staleKeptMethods.test.ts).
    expect(stale(updateSync(ns2, rn).warnings)).toEqual([
      [
        "Job",
        "the running version's `run()`, which the new version keeps as it is, writes `state`, whose value the new version keeps as `phase`",
      ],
    ]);
  });

  test("a field initialiser's arrow is a closure too", () => {
    const ns = new Namespace("ticks");
    ns.defineClass({
      name: "Ticker",
      fields: [
        { name: "n", initializer: "0" },
        { name: "onTick", initializer: "() => this.tick()" },
      ],
      methods: {
        tick(this: { n: number }) {
          this.n++;
        },
      },
    });
    const result = updateSync(ns, patch("rm").removeMethod("Ticker", "tick").build());
    expect(stale(result.warnings).map(([c]) => c)).toEqual(["Ticker"]);
  });
});

test("a class added by a patch (addClass) is read the same way by the next update", async () => {
  const ns = new Namespace("added");
  updateSync(
    ns,
    patch("add")
      .addClass({
        name: "Job",
        fields: [{ name: "done", initializer: "0" }],
        methods: {
          async run(this: { done: number }) {
            await Promise.resolve();
            this.done += 1;
          },
        },
      })
      .build(),
  );
  const result = updateSync(ns, patch("rn").renameField("Job", "done", "finished").build());
  expect(stale(result.warnings)).toEqual([
    [
      "Job",
      "calls of the running version's `run()` suspended at an `await` or `yield` read `done` when they resume, which the new version no longer has",
    ],
  ]);
});
