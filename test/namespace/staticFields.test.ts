// Issue 12, item 21: static (class-side) data fields in patches — add,
// rename, remove, re-initialise — whose values survive new versions and
// rollback.
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, Patch, patch, updateSync } from "../../src/index.js";

type Counter = { n: number };
type Statics = Record<string, unknown>;

function world() {
  const ns = new Namespace("statics");
  const Counter = ns.defineClass<Counter>({
    name: "Counter",
    fields: [{ name: "n", initializer: "0" }],
    staticFields: [
      { name: "created", initializer: "0" },
      { name: "label", initializer: '"v1"' },
    ],
  });
  const statics = Counter as unknown as Statics;
  const counters = [new Counter({ n: 1 }), new Counter({ n: 2 })];
  // The running program has moved the statics on from their initial values.
  statics.created = 2;
  statics.label = "running";
  return { ns, Counter, statics, counters };
}

const ownStatics = (cls: object) =>
  Object.fromEntries(
    ["created", "label", "total", "limit", "count"]
      .filter((k) => k in cls)
      .map((k) => [k, (cls as Statics)[k]]),
  );

describe("static data fields in patches", () => {
  test("add, rename, remove and re-initialise: each static's value is what the patch says", () => {
    const { ns, statics, counters } = world();
    const result = updateSync(
      ns,
      patch("statics")
        .addStaticField("Counter", "limit", { default: 10 })
        .renameStaticField("Counter", "created", "count")
        .reinitialiseStaticField("Counter", "label", { defaultSource: '"v2:" + this.name' })
        .addStaticField("Counter", "total", { defaultSource: "this.limit * 2" })
        .build(),
    );
    expect(result.outcome).toBe("committed");
    expect(ownStatics(statics)).toEqual({
      label: "v2:Counter",
      limit: 10,
      count: 2, // the renamed static keeps the running value, not its initialiser's 0
      total: 20,
    });
    expect("created" in statics).toBe(false);
    // Instances are untouched by static changes.
    expect(counters.map((c) => ({ ...c }))).toEqual([{ n: 1 }, { n: 2 }]);

    // A later version keeps the values the program wrote.
    statics.count = 7;
    statics.limit = 11;
    updateSync(ns, patch("more").removeStaticField("Counter", "total").build());
    expect(ownStatics(statics)).toEqual({ label: "v2:Counter", limit: 11, count: 7 });
    expect("total" in statics).toBe(false);
  });

  test("rollback: the old statics come back, with what the program wrote to them meanwhile", () => {
    const { ns, statics } = world();
    const version = ns.version;
    const result = updateSync(
      ns,
      patch("rename")
        .renameStaticField("Counter", "created", "count")
        .reinitialiseStaticField("Counter", "label")
        .addStaticField("Counter", "limit", { default: 3 })
        .build(),
    );
    expect(ownStatics(statics)).toEqual({ label: "v1", count: 2, limit: 3 });
    statics.count = 5; // written to the renamed static after the commit
    statics.label = "changed";
    result.rollback();
    expect(ns.version).toBe(version);
    expect(ownStatics(statics)).toEqual({ created: 5, label: "changed" });
    expect("count" in statics).toBe(false);
    expect("limit" in statics).toBe(false);

    // Re-initialised and not written since: the rollback brings back the running value.
    const again = updateSync(
      ns,
      patch("again").reinitialiseStaticField("Counter", "label").build(),
    );
    expect(statics.label).toBe("v1");
    again.rollback();
    expect(statics.label).toBe("changed");
  });

  test("a refused update leaves every static as it was", () => {
    const { ns, statics } = world();
    const before = ownStatics(statics);
    expect(() =>
      updateSync(
        ns,
        patch("refused")
          .renameStaticField("Counter", "created", "count")
          .validate("no", () => "refused")
          .build(),
      ),
    ).toThrow(/refused/);
    expect(ownStatics(statics)).toEqual(before);
  });

  test("statics that do not exist, or already exist, are refused naming the class and the static", () => {
    const { ns, statics } = world();
    const before = ownStatics(statics);
    const cases: [Patch, RegExp, string][] = [
      [
        patch("p").removeStaticField("Counter", "missing").build(),
        /class Counter has no static field "missing" \(static fields: created, label\)/,
        "missing",
      ],
      [
        patch("p").renameStaticField("Counter", "created", "label").build(),
        /class Counter already has a static field "label"/,
        "label",
      ],
      [
        patch("p").addStaticField("Counter", "created").build(),
        /class Counter already has a static field "created"/,
        "created",
      ],
    ];
    for (const [p, message, field] of cases) {
      let error: unknown;
      try {
        updateSync(ns, p);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidPatchError);
      expect((error as InvalidPatchError).message).toMatch(message);
      expect((error as InvalidPatchError).details).toMatchObject({ className: "Counter", field });
    }
    expect(ownStatics(statics)).toEqual(before);
  });

  test("the operations are data: summary, JSON round trip, and refused names", () => {
    const p = patch("statics")
      .addStaticField("Counter", "limit", { default: 10 })
      .renameStaticField("Counter", "created", "count")
      .reinitialiseStaticField("Counter", "label", { defaultSource: '"v2"' })
      .removeStaticField("Counter", "count")
      .build();
    expect(p.summary().split("\n")).toEqual([
      "Counter: add static field limit = 10",
      "Counter: rename static field created → count",
      'Counter: re-initialise static field label = "v2"',
      "Counter: remove static field count",
    ]);
    expect(Patch.fromJSON(JSON.parse(JSON.stringify(p))).operations).toEqual(p.operations);
    expect(() => patch("p").addStaticField("Counter", "prototype")).toThrow(
      /addStaticField: the static field name: "prototype" cannot be a static field/,
    );
    expect(() => patch("p").renameStaticField("Counter", "a", "a")).toThrow(
      /static field Counter.a cannot be renamed to its own name/,
    );
    expect(() => patch("p").addStaticField("Counter", "x", { default: () => 1 })).toThrow(
      InvalidPatchError,
    );
  });
});
