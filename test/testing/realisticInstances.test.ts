/**
 * Generated instances of ordinary classes are ones the program could make:
 * each field keeps the kind a fresh instance gives it (`new C()` runs the
 * real initialisers and parameter defaults) — a string owner stays a
 * string, a Date a valid Date, a Map a Map of its entries' kinds, a plain
 * object its shape — null and undefined only where the fresh instance had
 * them, and no instance its constructor would refuse.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import {
  checkMigration,
  inferredValues,
  instanceArbitrary,
  worldArbitrary,
} from "../../src/testing/index.js";

/** The class of docs/testing.md, as written there. */
class Account {
  balance = 0;
  months = 12;
  constructor(public owner = "") {}
  total() {
    return this.balance;
  }
}

class Money {
  constructor(readonly cents = 0) {}
}

class Event {
  title = "";
  created = new Date(0);
  tags = new Map<string, number>();
  scores = new Map([["a", 1]]);
  address = { city: "", zip: 0 };
  price = new Money(5);
  note: string | null = null;
}

class Order {
  id = 0;
  constructor(public owner = "x") {
    if (owner.length > 3) throw new RangeError("owner too long");
  }
}

describe("fields keep their kind", () => {
  test("the docs' Account: every generated owner is a string, and a correct toLowerCase migrator passes totality", async () => {
    for (const a of fc.sample(instanceArbitrary(Account), { seed: 1, numRuns: 200 })) {
      expect(typeof a.owner).toBe("string");
      expect(Number.isInteger(a.balance)).toBe(true);
    }
    const v2 = patch("v2")
      .addField("Account", "ownerKey", { default: "" })
      .migrate("Account", (old, a) => {
        a.ownerKey = (old.owner as string).toLowerCase();
      })
      .build();
    const report = await checkMigration(v2, {
      classes: [Account],
      seed: 1,
      properties: ["totality"],
    });
    expect(report.properties[0]!.status).toBe("passed");
  });

  test("Dates are valid Dates, Maps are Maps of their entries' kinds, plain objects keep their shape, an instance of a class is the constructor's, null stays possible where it was", () => {
    const worlds = fc.sample(
      worldArbitrary({ classes: [Event], scope: { Money } }, { minInstances: 1 }),
      {
        seed: 2,
        numRuns: 150,
      },
    );
    let nulls = 0;
    for (const w of worlds) {
      for (const e of w.instances as Event[]) {
        expect(e.created).toBeInstanceOf(Date);
        expect(Number.isNaN(e.created.getTime())).toBe(false);
        expect(e.tags).toBeInstanceOf(Map);
        expect(e.scores).toBeInstanceOf(Map);
        for (const [k, v] of e.scores) {
          expect(typeof k).toBe("string");
          expect(Number.isInteger(v)).toBe(true);
        }
        expect(Object.keys(e.address)).toEqual(["city", "zip"]);
        expect(Object.getPrototypeOf(e.address)).toBe(Object.prototype);
        expect(typeof e.address.city).toBe("string");
        expect(Number.isInteger(e.address.zip)).toBe(true);
        expect(e.price).toBeInstanceOf(Money);
        expect(e.price.cents).toBe(5);
        expect(typeof e.title).toBe("string");
        if (e.note === null || e.note === undefined) nulls++;
      }
    }
    expect(nulls).toBeGreaterThan(0);
  });

  test("a Date-to-epoch migration of an Event passes totality", async () => {
    class EventV2 {
      title = "";
      createdMs = 0;
      tagCount = 0;
    }
    const p = patch("event-v2")
      .replaceImplementation("Event", EventV2)
      .migrate("Event", (old, e) => {
        e.createdMs = (old.created as Date).getTime();
        e.tagCount = (old.tags as Map<string, number>).size;
      })
      .build();
    const report = await checkMigration(p, {
      classes: [Event],
      scope: { Money },
      seed: 7,
      numRuns: 50,
      properties: ["totality"],
    });
    expect(report.properties[0]!.status).toBe("passed");
  });

  test("no instance the constructor would refuse: owners stay within its check", () => {
    for (const o of fc.sample(instanceArbitrary(Order), { seed: 3, numRuns: 200 })) {
      expect(o.owner.length).toBeLessThanOrEqual(3);
    }
    const worlds = fc.sample(worldArbitrary({ classes: [Order] }, { minInstances: 1 }), {
      seed: 3,
      numRuns: 100,
    });
    const owners = worlds.flatMap((w) => (w.instances as Order[]).map((o) => o.owner));
    expect(owners.every((o) => typeof o === "string" && o.length <= 3)).toBe(true);
    expect(new Set(owners).size).toBeGreaterThan(5);
  });
});

/** The kind of a value as inference keeps it: what typeof, arrays, built-ins and shapes tell. */
function kind(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "array";
  if (value instanceof Map) return "Map";
  if (value instanceof Set) return "Set";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "invalid Date" : "Date";
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) === null ? "null-prototype " : "";
    return `${proto}{${Object.keys(value).join(",")}}`;
  }
  return typeof value;
}

/** Whether `value` is of `sample`'s kind, all the way down (a null in the sample allows anything). */
function sameKind(sample: unknown, value: unknown): boolean {
  if (sample === null || sample === undefined) return true;
  if (kind(sample) !== kind(value)) return false;
  const first = (xs: Iterable<unknown>) => [...xs][0];
  if (Array.isArray(sample) && sample.length > 0)
    return (value as unknown[]).every((v) => sameKind(sample[0], v));
  if (sample instanceof Set && sample.size > 0)
    return [...(value as Set<unknown>)].every((v) => sameKind(first(sample), v));
  if (sample instanceof Map && sample.size > 0) {
    const [k0, v0] = first(sample) as [unknown, unknown];
    return [...(value as Map<unknown, unknown>)].every(
      ([k, v]) => sameKind(k0, k) && sameKind(v0, v),
    );
  }
  if (kind(sample).endsWith("}")) {
    return Object.entries(sample as object).every(([k, v]) =>
      sameKind(v, (value as Record<string, unknown>)[k]),
    );
  }
  return true;
}

const samples = fc.letrec<{ sample: unknown }>((tie) => ({
  sample: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noInteger: true }),
    fc.boolean(),
    fc.bigInt(),
    fc.constant(null),
    fc.date({ noInvalidDate: true }),
    fc.array(tie("sample"), { maxLength: 2 }),
    fc.array(fc.tuple(fc.string(), tie("sample")), { maxLength: 2 }).map((e) => new Map(e)),
    fc.array(tie("sample"), { maxLength: 2 }).map((v) => new Set(v)),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), tie("sample"), { maxKeys: 3 }),
  ),
})).sample;

test("property: every value inferred from a sample is of the sample's kind, all the way down (seeded)", () => {
  fc.assert(
    fc.property(samples, fc.nat(), (sample, seed) => {
      const values = inferredValues(sample);
      if (sample === null) return;
      expect(values).toBeDefined();
      for (const v of fc.sample(values!, { seed, numRuns: 20 })) {
        expect(sameKind(sample, v)).toBe(true);
      }
    }),
    { seed: 5, numRuns: 200 },
  );
});
