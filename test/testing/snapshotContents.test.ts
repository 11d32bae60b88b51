/**
 * Snapshots see inside Maps, Sets, Dates, buffers, boxed primitives,
 * RegExps and instances of classes the kit does not manage: a migrator that
 * changes `old.tags.set(…)` or `old.created.setUTCHours(0)` in place, then a
 * refused update, leaves the program changed — the rollback property must
 * say so, as it does for the same change on a plain object; and eager and
 * lazy results that differ inside a Map are a policy dependence.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import type { MigrationReport } from "../../src/testing/index.js";
import { checkMigration, compareSnapshots, takeSnapshot } from "../../src/testing/index.js";

class Point {
  constructor(public x = 0) {}
}

/** A kind of object, made from some numbers, and a change made to one in place. */
interface Kind {
  readonly name: string;
  readonly make: (n: readonly number[]) => object;
  readonly change: (o: object) => void;
}

const KINDS: readonly Kind[] = [
  {
    name: "Map",
    make: (n) => new Map(n.map((v, i) => [`k${i}`, v])),
    change: (o) => (o as Map<string, number>).set("added", 1),
  },
  {
    name: "Map (a value changed)",
    make: (n) => new Map([["k", n[0]]]),
    change: (o) => (o as Map<string, number>).set("k", (o as Map<string, number>).get("k")! + 1),
  },
  {
    name: "Map keyed by an object",
    make: (n) => new Map([[{ id: n[0] }, 1]]),
    change: (o) => {
      for (const key of (o as Map<{ id: number }, number>).keys()) key.id++;
    },
  },
  {
    name: "Set",
    make: (n) => new Set(n),
    change: (o) => (o as Set<number>).add(-1),
  },
  {
    name: "Date",
    make: (n) => new Date(n[0]! * 1000),
    change: (o) => (o as Date).setUTCHours(((o as Date).getUTCHours() + 1) % 24),
  },
  {
    name: "RegExp",
    make: (n) => new RegExp(`a{${n[0]}}`, "g"),
    change: (o) => {
      (o as RegExp).lastIndex += 1;
    },
  },
  {
    name: "Uint8Array",
    make: (n) => Uint8Array.from(n),
    change: (o) => {
      (o as Uint8Array)[0]! ^= 1;
    },
  },
  {
    name: "ArrayBuffer",
    make: (n) => Uint8Array.from(n).buffer,
    change: (o) => {
      new Uint8Array(o as ArrayBuffer)[0]! ^= 1;
    },
  },
  {
    name: "DataView",
    make: (n) => new DataView(Uint8Array.from(n).buffer),
    change: (o) => (o as DataView).setUint8(0, (o as DataView).getUint8(0) ^ 1),
  },
  {
    name: "boxed Number",
    make: (n) => Object(n[0]) as object,
    change: (o) => Object.assign(o, { note: 1 }),
  },
  {
    name: "instance of a class the kit does not manage",
    make: (n) => new Point(n[0]),
    change: (o) => {
      (o as Point).x++;
    },
  },
];

const snap = (ns: Namespace, value: object) => takeSnapshot(ns, [{ field: value }]);

describe("snapshots of non-plain objects", () => {
  test("two separately made objects of one kind and content compare equal; a change in place is a difference (seeded)", () => {
    const ns = new Namespace("snapshots");
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.array(fc.nat(200), { minLength: 1, maxLength: 4 }),
        (kind, numbers) => {
          const a = kind.make(numbers);
          const before = snap(ns, a);
          expect(compareSnapshots(before, snap(ns, kind.make(numbers)))).toBeUndefined();
          kind.change(a);
          expect(compareSnapshots(before, snap(ns, a)), kind.name).toBeDefined();
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  test("different contents differ, sharing is kept apart from copies, and a class's prototype is compared by identity", () => {
    const ns = new Namespace("snapshots");
    const differ = (a: object, b: object) => compareSnapshots(snap(ns, a), snap(ns, b));
    expect(differ(new Date(1), new Date(2))).toContain("time 1");
    expect(differ(new Set([1, 2]), new Set([2, 1]))).toBeDefined(); // insertion order is state
    expect(differ(Object(1n) as object, Object(2n) as object)).toBeDefined();
    expect(differ(/a/g, /a/i)).toBeDefined();
    const shared = { n: 1 };
    expect(
      differ(
        new Map([
          ["a", shared],
          ["b", shared],
        ]),
        new Map([
          ["a", { n: 1 }],
          ["b", { n: 1 }],
        ]),
      ),
    ).toBeDefined();
    class Other {
      constructor(public x = 0) {}
    }
    expect(differ(new Point(1), new Other(1))).toBeDefined();
    expect(differ(new Point(1), new Point(1))).toBeUndefined();
  });
});

class Doc {
  title = "";
  tags = new Map<string, number>();
  created = new Date(0);
  friend: Doc | null = null;
}

const values = {
  Doc: {
    tags: fc
      .array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat(9)), { maxLength: 3 })
      .map((entries) => new Map(entries)),
    created: fc.integer({ min: 0, max: 1e12 }).map((n) => new Date(n)),
  },
};

const statusOf = (report: MigrationReport) => report.properties[0]!.status;

describe("the properties see changes inside them", () => {
  test("rollback: a migrator that changes a Map and a Date in place fails it; one that builds new ones passes", async () => {
    const mutates = patch("mutates")
      .addField("Doc", "day", { default: 0 })
      .migrate("Doc", (old, d) => {
        (old.tags as Map<string, number>).set("migrated", 1);
        d.day = (old.created as Date).setUTCHours(0, 0, 0, 0);
      })
      .build();
    const report = await checkMigration(mutates, {
      classes: [Doc],
      values,
      seed: 1,
      numRuns: 60,
      maxInstances: 2,
      properties: ["rollback"],
    });
    expect(statusOf(report)).toBe("failed");
    expect(report.properties[0]!.failure!.message).toMatch(/"migrated" => 1|time \d+/);

    const copies = patch("copies")
      .addField("Doc", "day", { default: 0 })
      .migrate("Doc", (old, d) => {
        d.tags = new Map([...(old.tags as Map<string, number>), ["migrated", 1]]);
        d.day = new Date((old.created as Date).getTime()).setUTCHours(0, 0, 0, 0);
      })
      .build();
    const ok = await checkMigration(copies, {
      classes: [Doc],
      values,
      seed: 1,
      numRuns: 60,
      maxInstances: 2,
      properties: ["rollback"],
    });
    expect(statusOf(ok)).toBe("passed");
  });

  test("policy independence: eager and lazy results that differ inside a Map fail it", async () => {
    const inMap = patch("in-map")
      .renameField("Doc", "title", "heading")
      .addField("Doc", "index", { default: null })
      .migrate("Doc", (old, d) => {
        const friend = old.friend as Record<string, unknown> | null;
        d.index = new Map([["friend", friend ? friend.heading : "none"]]);
      })
      .build();
    const report = await checkMigration(inMap, {
      classes: [Doc],
      values,
      seed: 1,
      properties: ["policy-independence"],
    });
    expect(statusOf(report)).toBe("failed");
    expect(report.properties[0]!.failure!.message).toMatch(/entries \["friend" =>/);
  });
});
