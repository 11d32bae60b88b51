/**
 * A plugin installed on a package class's prototype BEFORE `registerClass`
 * (dayjs `extend`, chai `use`, bluebird `promisifyAll(Cls.prototype)`, a
 * program patching `Vector3.prototype` at start-up) fares as one installed
 * after: the methods it added stay, the wrappers it put over the release's
 * are named (MM_PROGRAM_METHOD_REPLACED) as the new release's replace them.
 *
 * Review advZ29: everything on the prototype at registration was taken for
 * the release's own, so an update deleted `isLeap` and replaced the
 * `format` wrapper without a word.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";

type Day = { d: number; [member: string | symbol]: unknown };
type DayClass = { new (d: number): Day; prototype: Day };

/** One release of a date package; `extra` is written in the class body. */
function release(v: number, extra = "", after = ""): DayClass {
  return new Function(
    `"use strict";
    class Day {
      constructor(d) { this.d = d; }
      format() { return "v${v}:" + this.d; }
      get label() { return "L${v}:" + this.d; }
      [Symbol.iterator]() { return [this.d][Symbol.iterator](); }
      ${extra}
    }
    ${after}
    return Day;`,
  )() as DayClass;
}

const isLeap = function (this: Day) {
  return this.d % 4 === 0;
};

/** dayjs-style plugin: adds `isLeap`, wraps `format`. */
function plugin(prototype: Day): void {
  prototype.isLeap = isLeap;
  const format = prototype.format as (this: Day) => string;
  prototype.format = function (this: Day) {
    return `[${format.call(this)}]`;
  };
}

function update(ns: Namespace, next: DayClass, policy: Policy) {
  return updateSync(ns, patch("next").replaceImplementation("Day", next).build(), { policy });
}

const codes = (warnings: readonly { code: string; field?: string }[]) =>
  warnings
    .filter((w) => w.code.startsWith("MM_PROGRAM_METHOD"))
    .map((w) => `${w.code}:${w.field}`)
    .sort();

describe.each(["eager", "lazy", "progressive"] as const)(
  "a plugin before registration (%s)",
  (policy) => {
    test("its method stays, its wrapper is named, and a rollback gives both back", () => {
      const a = release(1);
      plugin(a.prototype);
      const ns = new Namespace(`before-${policy}`, { instanceFinder: "heap" });
      const Day = ns.registerClass(a, { name: "Day" }) as unknown as DayClass;
      const d = new Day(4);
      const wrapper = a.prototype.format;
      const keys = Reflect.ownKeys(Day.prototype);
      const result = update(ns, release(2), policy);
      expect(codes(result.warnings)).toEqual([
        "MM_PROGRAM_METHOD_KEPT:isLeap",
        "MM_PROGRAM_METHOD_REPLACED:format",
      ]);
      expect((d.format as () => string)()).toBe("v2:4");
      expect(d.isLeap).toBe(isLeap);
      expect((d.isLeap as () => boolean)()).toBe(true);
      result.rollback();
      expect((d.format as () => string)()).toBe("[v1:4]");
      expect(Day.prototype.format).toBe(wrapper);
      expect(d.isLeap).toBe(isLeap);
      expect(Reflect.ownKeys(Day.prototype)).toEqual(keys);
    });
  },
);

test("a plugin's getter stays; its wrapper over the release's getter is named", () => {
  const a = release(1);
  const label = Object.getOwnPropertyDescriptor(a.prototype, "label")!.get!;
  Object.defineProperty(a.prototype, "year", {
    get(this: Day) {
      return 2000 + this.d;
    },
    configurable: true,
  });
  Object.defineProperty(a.prototype, "label", {
    get(this: Day) {
      return `<${label.call(this)}>`;
    },
    configurable: true,
  });
  const ns = new Namespace("before-getters", { instanceFinder: "registry" });
  const Day = ns.registerClass(a, { name: "Day" }) as unknown as DayClass;
  const d = new Day(4);
  const result = update(ns, release(2), "eager");
  expect(codes(result.warnings)).toEqual([
    "MM_PROGRAM_METHOD_KEPT:year",
    "MM_PROGRAM_METHOD_REPLACED:label",
  ]);
  expect([d.year, d.label]).toEqual([2004, "L2:4"]);
  result.rollback();
  expect([d.year, d.label]).toEqual([2004, "<L1:4>"]);
});

test("symbol keys: the class's own is the release's, a plugin's stays", () => {
  const inspect = Symbol("inspect");
  const a = release(1);
  (a.prototype as Record<symbol, unknown>)[inspect] = function (this: Day) {
    return `Day(${this.d})`;
  };
  const ns = new Namespace("before-symbols", { instanceFinder: "registry" });
  const Day = ns.registerClass(a, { name: "Day" }) as unknown as DayClass;
  const d = new Day(4);
  const result = update(ns, release(2), "eager");
  expect(codes(result.warnings)).toEqual(["MM_PROGRAM_METHOD_KEPT:[Symbol(inspect)]"]);
  expect((d[inspect] as () => string)()).toBe("Day(4)");
  expect([...(d as unknown as Iterable<number>)]).toEqual([4]);
});

test("a member the package itself wraps outside its class body (a decorator) is not named", () => {
  const wrap = `{ const f = Day.prototype.format; Day.prototype.format = function () { return "*" + f.call(this); }; }`;
  const ns = new Namespace("before-decorated", { instanceFinder: "registry" });
  const Day = ns.registerClass(release(1, "", wrap), { name: "Day" }) as unknown as DayClass;
  const d = new Day(4);
  const result = update(ns, release(2, "", wrap), "eager");
  expect(codes(result.warnings)).toEqual([]);
  expect((d.format as () => string)()).toBe("*v2:4");
});

test("a release that removes a method its module set outside the class body keeps the old one, and says so", () => {
  const outside = `Day.prototype.legacy = function () { return "legacy"; };`;
  const ns = new Namespace("before-outside", { instanceFinder: "registry" });
  const Day = ns.registerClass(release(1, "", outside), { name: "Day" }) as unknown as DayClass;
  const d = new Day(4);
  const result = update(ns, release(2), "eager");
  expect(result.warnings.filter((w) => w.code === "MM_PROGRAM_METHOD_KEPT")).toEqual([
    expect.objectContaining({
      className: "Day",
      field: "legacy",
      message: expect.stringMatching(/if the package defined it and the new release removed it/),
    }),
  ]);
  expect((d.legacy as () => string)()).toBe("legacy");
  // The next release sets it outside its body too: its own goes in, nothing said.
  const again = update(ns, release(3, "", outside.replace('"legacy"', '"legacy3"')), "eager");
  expect(codes(again.warnings)).toEqual([]);
  expect((d.legacy as () => string)()).toBe("legacy3");
});

/**
 * Over which of the release's methods a plugin wraps and which it adds,
 * each before or after registration, and whether the new release drops
 * `extra`: the same outcome either way (the methods the objects answer,
 * the members named replaced), and a rollback gives the prototype back.
 */
test("before or after registration: the same outcome", () => {
  const wrappable = ["format", "extra", "label"] as const;
  const addable = ["isLeap", "toCSV"] as const;
  const run = (
    wrapped: readonly string[],
    added: readonly string[],
    before: ReadonlySet<string>,
    dropExtra: boolean,
    policy: Policy,
  ) => {
    const a = release(1, "extra() { return 'x1'; }");
    const apply = (prototype: Day, now: boolean) => {
      for (const name of wrapped) {
        if (before.has(name) !== now) continue;
        const d = Object.getOwnPropertyDescriptor(prototype, name)!;
        const inner = (d.value ?? d.get) as (this: Day) => unknown;
        const outer = function (this: Day) {
          return `w(${String(inner.call(this))})`;
        };
        Object.defineProperty(
          prototype,
          name,
          d.get ? { ...d, get: outer } : { ...d, value: outer },
        );
      }
      for (const name of added)
        if (before.has(name) === now)
          prototype[name] = function (this: Day) {
            return `${name}:${this.d}`;
          };
    };
    apply(a.prototype, true);
    const ns = new Namespace("before-after", { instanceFinder: "registry" });
    const Day = ns.registerClass(a, { name: "Day" }) as unknown as DayClass;
    apply(Day.prototype, false);
    const d = new Day(4);
    const read = () =>
      [...wrappable, ...addable].map((name) => {
        const member = d[name];
        return typeof member === "function" ? (member as () => unknown).call(d) : member;
      });
    const was = { read: read(), keys: Reflect.ownKeys(Day.prototype) };
    const next = release(2, dropExtra ? "" : "extra() { return 'x2'; }");
    const result = update(ns, next, policy);
    const outcome = {
      read: read(),
      replaced: codes(result.warnings).filter((c) => c.includes("REPLACED")),
    };
    result.rollback();
    expect(read()).toEqual(was.read);
    expect(Reflect.ownKeys(Day.prototype)).toEqual(was.keys);
    return outcome;
  };
  fc.assert(
    fc.property(
      fc.subarray([...wrappable]),
      fc.subarray([...addable]),
      fc.subarray([...wrappable, ...addable]),
      fc.boolean(),
      fc.constantFrom("eager", "lazy", "progressive") as fc.Arbitrary<Policy>,
      (wrapped, added, before, dropExtra, policy) => {
        const early = run(wrapped, added, new Set(before), dropExtra, policy);
        const late = run(wrapped, added, new Set(), dropExtra, policy);
        expect(early).toEqual(late);
        expect(early.replaced).toEqual(
          wrapped.map((w) => `MM_PROGRAM_METHOD_REPLACED:${w}`).sort(),
        );
      },
    ),
    { seed: 29, numRuns: 60 },
  );
});

/**
 * Known, not fixed: a static a plugin adds to the class before
 * registration (`Day.utc = …`) is forwarded as the running version's own
 * static, and an update to a release without it drops it, where the same
 * static written over the handle after registration stays.
 */
test.fails("a static a plugin added before registration stays", () => {
  const a = release(1);
  (a as unknown as Record<string, unknown>).utc = () => "utc";
  const ns = new Namespace("before-static", { instanceFinder: "registry" });
  const Day = ns.registerClass(a, { name: "Day" }) as unknown as Record<string, unknown>;
  update(ns, release(2), "eager");
  expect(typeof Day.utc).toBe("function");
});
