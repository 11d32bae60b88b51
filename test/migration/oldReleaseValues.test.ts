/**
 * MM_OLD_RELEASE_VALUE: a field of the objects alive now holds an object of
 * a class the running release made, which the update leaves as it is while
 * the new release expects its own.
 *
 * luxon 3.0 -> 3.7 with only DateTime replaced committed with no warning;
 * every DateTime's `loc` kept 3.0's Locale, and 3.4+'s `isWeekend` threw
 * `this.loc.getWeekendDays is not a function`.
 * @datastructures-js/priority-queue 5 -> 6: every queue's `_heap` kept
 * heap 3's MinHeap where 6 builds heap 4's Heap, and `front()` returned
 * heap nodes; only "`_heap` assigned only conditionally" was said.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE");

type DateTime = { loc: object; readonly isWeekend: boolean; toISO(): string };
type DateTimeClass = { new (config: { ts: number }): DateTime; Locale: Function };

/**
 * One release of a date library in luxon's pattern: DateTime keeps a Locale
 * of its own module in `loc`. `localeMembers` are Locale's methods;
 * `isWeekend` what DateTime's getter reads on `this.loc`.
 */
function luxon(tag: string, localeMembers: readonly string[], isWeekend: string): DateTimeClass {
  const members = localeMembers.map((m) => `${m}() { return [6, 7]; }`).join("\n");
  return new Function(
    "tag",
    `"use strict";
    class Locale {
      static create() { return new Locale("en"); }
      constructor(locale) { this.locale = locale; }
      clone() { return new Locale(this.locale); }
      ${members}
    }
    class DateTime {
      constructor(config) { this.ts = config.ts; this.loc = config.loc || Locale.create(); }
      get isWeekend() { ${isWeekend} }
      toISO() { return tag + ":" + this.ts + ":" + this.loc.clone().locale; }
    }
    DateTime.Locale = Locale;
    return DateTime;`,
  )(tag) as DateTimeClass;
}

const v30 = () => luxon("3.0", [], "return false;");
const v37 = () =>
  luxon(
    "3.7",
    ["getWeekendDays", "getStartOfWeek"],
    "return this.loc.getWeekendDays().includes(6) && this.loc.getStartOfWeek() === 1;",
  );

describe.each(["eager", "lazy", "progressive"] as const)("luxon's pattern (%s)", (policy) => {
  test("DateTime replaced alone: `loc` holds the running release's Locale, whose missing members are named", () => {
    const [a, b] = [v30(), v37()];
    const ns = new Namespace(`old-locale-${policy}`);
    const DT = ns.registerClass(a, { name: "DateTime" }) as unknown as DateTimeClass;
    const dt = new DT({ ts: 1 });
    const result = updateSync(ns, patch("3.7").replaceImplementation("DateTime", b).build(), {
      policy,
    });
    expect(said(result.warnings).map((w) => [w.className, w.field])).toEqual([["DateTime", "loc"]]);
    const [w] = said(result.warnings);
    expect(w!.note).toBe(
      "field `loc` holds objects of class Locale of the running release, which this update does not replace; the new release reads `getWeekendDays`, `getStartOfWeek` on it, which those objects lack",
    );
    expect(w!.message).toContain("register Locale and replace it in the same patch");
    // What it warns of.
    expect(() => dt.isWeekend).toThrow(/getWeekendDays is not a function/);
  });

  test("with Locale registered and replaced in the same patch, nothing is said and the objects work", () => {
    const [a, b] = [v30(), v37()];
    const ns = new Namespace(`old-locale-both-${policy}`);
    const DT = ns.registerClass(a, { name: "DateTime" }) as unknown as DateTimeClass;
    const dt = new DT({ ts: 1 });
    ns.registerClass(a.Locale as new () => object, { name: "Locale" });
    const result = updateSync(
      ns,
      patch("3.7")
        .replaceImplementation("Locale", b.Locale as new () => object)
        .replaceImplementation("DateTime", b)
        .build(),
      { policy },
    );
    expect(said(result.warnings)).toEqual([]);
    expect(dt.isWeekend).toBe(false);
  });
});

/**
 * Over what the new release's DateTime reads on `this.loc` and which
 * members each release's Locale has: the warning names exactly the
 * members the new code reads that the held Locale lacks and the running
 * code did not read; where that is nothing (a same-shaped release), it says
 * the new release has a Locale of its own (each release's module makes its
 * own class: oldReleaseIdentity.test.ts).
 */
test("names exactly the members read that the held object lacks", () => {
  const names = ["clone", "getWeekendDays", "getStartOfWeek", "weekSettings"] as const;
  fc.assert(
    fc.property(
      fc.subarray([...names]),
      fc.subarray([...names]),
      fc.subarray([...names], { minLength: 1 }),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (oldMembers, readBefore, readNow, policy) => {
        const reads = (members: readonly string[]) =>
          `${members.map((m) => `this.loc.${m}`).join("; ")}; return false;`;
        const own = (members: readonly string[]) => members.filter((m) => m !== "clone");
        const a = luxon("a", own(oldMembers), reads(readBefore));
        const b = luxon("b", names.slice(1), reads(readNow));
        const ns = new Namespace("old-locale-property");
        const DT = ns.registerClass(a, { name: "DateTime" }) as unknown as DateTimeClass;
        const dt = new DT({ ts: 1 });
        const result = updateSync(ns, patch("b").replaceImplementation("DateTime", b).build(), {
          policy,
        });
        const has = new Set(["clone", "locale", ...oldMembers]);
        const missing = readNow.filter((m) => !has.has(m) && !readBefore.includes(m));
        const notes = said(result.warnings).map(
          (w) =>
            /reads (.*) on it/.exec(w.note)?.[1] ??
            /has a class (\w+) of its own/.exec(w.note)?.[1],
        );
        expect(notes).toEqual([
          missing.length > 0 ? missing.map((m) => `\`${m}\``).join(", ") : "Locale",
        ]);
        expect(dt.loc).toBeDefined();
      },
    ),
    { seed: 30372, numRuns: 16 },
  );
});

type Queue = { enqueue(x: number): Queue; front(): unknown };
type Queues = { PriorityQueue: Function; MinPriorityQueue: new () => Queue };

/** One evaluation of a heap package: heap 3 has MinHeap over key/value nodes, heap 4 a Heap of values. */
function heap(version: 3 | 4): Record<string, Function> {
  return new Function(
    `"use strict";
    class Heap {
      constructor(compare) { this._compare = compare || ((a, b) => a - b); this._nodes = []; }
      insert(key, value) { this._nodes.push(${version === 3 ? "{ key, value: value ?? key }" : "key"}); this._nodes.sort((a, b) => this._compare(a, b)); return this; }
      root() { return this._nodes[0] ?? null; }
    }
    class MinHeap extends Heap { constructor() { super((a, b) => a.key - b.key); } }
    class CustomHeap extends Heap {}
    return { Heap, MinHeap, CustomHeap };`,
  )();
}

/**
 * One release of a priority queue in @datastructures-js's pattern, over
 * its heap dependency: `min` is what MinPriorityQueue's constructor builds
 * when no compare is given (release 5), null where the base builds the heap
 * for every queue (release 6).
 */
function queues(heaps: Record<string, Function>, min: string | null): Queues {
  return new Function(
    "Heap",
    "MinHeap",
    "CustomHeap",
    `"use strict";
    class PriorityQueue {
      ${
        min === null
          ? "constructor(compare) { this._heap = new Heap(compare); }"
          : `constructor(options = {}) {
        if (options.compare) { this._compare = options.compare; this._heap = new CustomHeap(this._compare); }
        else { this._priority = options.priority || ((el) => +el); }
      }`
      }
      enqueue(x) { this._heap.insert(x); return this; }
      front() { return this._heap.root(); }
    }
    class MinPriorityQueue extends PriorityQueue {
      ${
        min === null
          ? "constructor() { super((a, b) => a - b); }"
          : `constructor(options) { super(options); if (!this._compare) this._heap = new ${min}(); }`
      }
    }
    return { PriorityQueue, MinPriorityQueue };`,
  )(heaps.Heap, heaps.MinHeap, heaps.CustomHeap);
}

function upgradeQueues(to: Queues, policy: "eager" | "lazy" | "progressive", from: Queues) {
  const ns = new Namespace(`old-heap-${policy}`);
  ns.registerClass(from.PriorityQueue as new () => object, { name: "PriorityQueue" });
  const Min = ns.registerClass(from.MinPriorityQueue, { name: "MinPriorityQueue" });
  const queue = new Min().enqueue(5).enqueue(1);
  const result = updateSync(
    ns,
    patch("6")
      .replaceImplementation("PriorityQueue", to.PriorityQueue as new () => object)
      .replaceImplementation("MinPriorityQueue", to.MinPriorityQueue)
      .build(),
    { policy },
  );
  return { queue, warnings: said(result.warnings) };
}

describe.each(["eager", "lazy", "progressive"] as const)(
  "priority-queue's pattern (%s)",
  (policy) => {
    test("`_heap` holds the running release's MinHeap where the new release builds a Heap: named", () => {
      const { queue, warnings } = upgradeQueues(
        queues(heap(4), null),
        policy,
        queues(heap(3), "MinHeap"),
      );
      const own = warnings.filter((w) => w.className === "MinPriorityQueue");
      expect(own.map((w) => w.field)).toEqual(["_heap"]);
      expect(own[0]!.note).toMatch(
        policy === "eager"
          ? /^field `_heap` holds objects of class MinHeap of the running release, which this update does not replace; the new release puts a Heap there/
          : /^field `_heap` (holds|may hold) objects of class MinHeap\b.*the new release puts a Heap there/,
      );
      // What it warns of.
      expect(queue.front()).toEqual({ key: 1, value: 1 });
    });

    test("a release that builds the same classes there says nothing", () => {
      // One copy of the heap package for both (two copies are two classes: oldReleaseIdentity.test.ts).
      const heaps = heap(3);
      const { queue, warnings } = upgradeQueues(
        queues(heaps, "MinHeap"),
        policy,
        queues(heaps, "MinHeap"),
      );
      expect(warnings).toEqual([]);
      expect(queue.front()).toEqual({ key: 1, value: 1 });
    });
  },
);
