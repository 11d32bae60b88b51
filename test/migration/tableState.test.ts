/**
 * MM_PRIVATE_STATE for a class that keeps every object's state in a table
 * of its module, filled by a function its constructor hands the object to
 * (@js-temporal/polyfill: `CreateTemporalDateSlots(this, …)` into a module
 * WeakMap, read by `GetSlot(this, …)`; its objects have no property of
 * their own). 0.4.3 -> 0.4.4 committed with a warning, then every method of
 * every old PlainDate threw `invalid receiver`: the next release reads a
 * table of its own. No migrator can enter the objects there, so the update
 * is refused before anything changes and before any migrator runs.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Date0 = { readonly year: number; add(n: number): Date0; toString(): string };
type Release = { PlainDate: new (y: number) => Date0; Clock: new () => { ticks: number } };

/** Methods that read the object's state from the module's table, as the package's do. */
const THROUGH_TABLE = `get year() { return GetSlot(this, "y"); }
      add(n) { return new PlainDate(GetSlot(this, "y") + n); }
      toString() { return tag + ":" + GetSlot(this, "y"); }`;

/**
 * One evaluation of a module in the package's pattern. `handOff` is the
 * constructor's statement; `methods` the rest of the class body.
 */
function release(tag: string, handOff = "CreateSlots(this, y)", methods = THROUGH_TABLE): Release {
  return new Function(
    "tag",
    `"use strict";
    const slots = new WeakMap();
    function CreateSlots(o, y) { slots.set(o, { y }); }
    function BindAll(o) { o.add = o.add.bind(o); }
    function Register(o) { registry.add(o); }
    const registry = new WeakSet();
    function GetSlot(o, k) {
      const s = slots.get(o);
      if (s === undefined) throw new TypeError("invalid receiver");
      return s[k];
    }
    class PlainDate {
      constructor(y) { ${handOff}; }
      ${methods}
    }
    class Clock { constructor() { this.ticks = 0; } }
    return { PlainDate, Clock };`,
  )(tag) as Release;
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error as { code?: string; message: string; details?: Record<string, unknown> };
  }
  return undefined;
};

describe.each(["eager", "lazy", "progressive"] as const)("%s", (policy) => {
  test("a next release of such a class is refused, naming the call, with nothing changed and no migrator run", () => {
    const [v1, v2] = [release("v1"), release("v2")];
    const ns = new Namespace(`table-${policy}`);
    const PlainDate = ns.registerClass(v1.PlainDate);
    const Clock = ns.registerClass(v1.Clock);
    const dates = [new PlainDate(2024), new PlainDate(1999)];
    const clock = new Clock();
    const world = { ns, objects: [...dates, clock], extra: [v1, v2] };
    const before = deepSnapshot(world);
    const ran: string[] = [];
    const error = refusal(() =>
      updateSync(
        ns,
        patch("0.4.4")
          .replaceImplementation("PlainDate", v2.PlainDate)
          .replaceImplementation("Clock", v2.Clock)
          .addField("Clock", "rate", { default: 1 })
          .migrate("Clock", (_old, target) => {
            ran.push("Clock");
            (target as { rate: number }).rate = 2;
          })
          .build(),
        { policy },
      ),
    );
    expect(error?.code).toBe("MM_PRIVATE_STATE");
    expect(error?.details).toEqual({ className: "PlainDate", call: "CreateSlots(this, …)" });
    expect(error?.message).toContain("class PlainDate keeps its objects' state outside them");
    expect(error?.message).toContain("no migrator can enter them there");
    expect(ran).toEqual([]);
    expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
    expect(dates.map(String)).toEqual(["v1:2024", "v1:1999"]);
  });

  test("the same module scope (sameScope) applies: the table is the running release's", () => {
    const both = new Function(
      `"use strict";
      const slots = new WeakMap();
      function CreateSlots(o, y) { slots.set(o, { y }); }
      function GetSlot(o, k) { const s = slots.get(o); if (!s) throw new TypeError("invalid receiver"); return s[k]; }
      const make = (tag) => class PlainDate {
        constructor(y) { CreateSlots(this, y); }
        get year() { return GetSlot(this, "y"); }
        toString() { return tag + ":" + GetSlot(this, "y"); }
      };
      return [make("v1"), make("v2")];`,
    )() as [new (y: number) => Date0, new (y: number) => Date0];
    const ns = new Namespace(`table-same-${policy}`);
    const PlainDate = ns.registerClass(both[0]);
    const date = new PlainDate(2024);
    updateSync(
      ns,
      patch("dev").replaceImplementation("PlainDate", both[1], { sameScope: true }).build(),
      { policy },
    );
    expect(String(date)).toBe("v2:2024");
  });
});

/**
 * Classes that hand the object to a function of their module without
 * keeping their state there apply, as before (with the MM_UNSEEN_STATE
 * warning where the constructor hands the object off): the objects have
 * properties of their own (bound methods), or the new release's methods do
 * not read a table, or there is no object to break. Over small variations
 * of the pattern, the update is refused exactly where all of it holds.
 */
test("refused exactly where the objects have no property, the state is read through the table, and objects exist", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        "CreateSlots(this, y)",
        "CreateSlots(this, y); BindAll(this)",
        "Register(this)",
      ),
      fc.boolean(),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (handOff, objects, policy) => {
        // A class that only registers its objects keeps no state for them: its methods read none.
        const methods = handOff.startsWith("Register")
          ? "get year() { return 0; } add() { return this; } toString() { return tag; }"
          : THROUGH_TABLE;
        const [v1, v2] = [release("v1", handOff, methods), release("v2", handOff, methods)];
        const ns = new Namespace("table-property");
        const PlainDate = ns.registerClass(v1.PlainDate);
        const dates = objects ? [new PlainDate(2024)] : [];
        const error = refusal(() =>
          updateSync(ns, patch("up").replaceImplementation("PlainDate", v2.PlainDate).build(), {
            policy,
          }),
        );
        const table = handOff.startsWith("CreateSlots") && !handOff.includes("BindAll");
        expect(error?.code).toBe(table && objects ? "MM_PRIVATE_STATE" : undefined);
        // Refused, the objects still run the running release's code.
        if (error !== undefined) expect(dates.map((d) => d.year)).toEqual([2024]);
      },
    ),
    { seed: 20261206, numRuns: 24 },
  );
});
