/**
 * A migrator writes into its target; what it returns is ignored. Returning
 * the new fields instead (`old => ({ unit: "kg" })`, the shape `addField`'s
 * `initial` takes) committed with the field undefined, and with no
 * MM_NO_INITIAL_VALUE: the source check took the literal's key for a write
 * (review advZ29). Now such a migrator is refused on the first object,
 * before anything changes, and a literal's key counts as a write only where
 * `Object.assign` writes it.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Policy = "eager" | "lazy" | "progressive";
type Migrator = (old: Record<string, unknown>, target: Record<string, unknown>) => void;
let worlds = 0;

function world() {
  class A {
    declare n: number;
    constructor(n: number) {
      this.n = n;
    }
  }
  class B {
    declare n: number;
    declare unit: string;
    declare tags: number[];
    constructor(n: number, unit: string) {
      this.n = n;
      this.unit = unit;
      this.tags = [];
    }
    show() {
      return `${this.n}${this.unit}`;
    }
  }
  const ns = new Namespace(`ret${worlds++}`);
  const X = ns.registerClass(A, { name: "X" });
  const objects = [new X(5), new X(7)];
  const apply = (migrator: Migrator | undefined, policy: Policy) => {
    let p = patch("B").replaceImplementation("X", B);
    if (migrator) p = p.migrate("X", migrator);
    return updateSync(ns, p.build(), { policy });
  };
  return { ns, objects, apply };
}

const returningFields: Migrator = (_old) => ({ unit: "kg" }) as never;

test.each(["eager", "lazy", "progressive"] as const)(
  "a migrator returning the fields is refused, %s, and nothing changes",
  (policy) => {
    const { ns, objects, apply } = world();
    const before = deepSnapshot({ ns, objects });
    let error: MetamorphError | undefined;
    try {
      apply(returningFields, policy);
      // A lazy or progressive update migrates at first touch: its failure rolls the update back.
      (objects[0] as unknown as { show(): string }).show();
    } catch (e) {
      error = e as MetamorphError;
    }
    expect(error?.code).toBe("MM_MIGRATION_FAILED");
    expect(error?.message).toMatch(/of X returned an object with `unit`/);
    expect(error?.message).toMatch(/writes into `target`.*it returned a value, which is ignored/);
    expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
    // The namespace takes the migrator written as one.
    apply((_old, t) => {
      t.unit = "kg";
    }, policy);
    expect(objects.map((o) => (o as unknown as { show(): string }).show())).toEqual(["5kg", "7kg"]);
  },
);

/** What an expression-bodied migrator evaluates to is returned, harmlessly. */
const harmless: readonly [string, Migrator][] = [
  ["an assignment", (_o, t) => (t.unit = "kg") as never],
  ["Object.assign", (_o, t) => Object.assign(t, { unit: "kg" }) as never],
  [
    "a field's own value",
    (_o, t) => {
      t.unit = "kg";
      t.tags = [1];
      return t.tags as never;
    },
  ],
  [
    "a count",
    (_o, t) => {
      t.unit = "kg";
      return (t.tags as number[]).push(1) as never;
    },
  ],
  [
    "an object with no field",
    (_o, t) => {
      t.unit = "kg";
      return { other: 1 } as never;
    },
  ],
];
const refused: readonly [string, Migrator][] = [
  ["the fields", returningFields],
  ["a spread of the old view", (old) => ({ ...old, unit: "kg" }) as never],
  [
    "an array's object",
    (_o, t) => {
      t.unit = "kg";
      return { tags: [1] } as never;
    },
  ],
];

test("refused exactly when it returns an object holding fields it did not write", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        ...harmless.map((h) => [...h, false] as const),
        ...refused.map((r) => [...r, true] as const),
      ),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      ([, migrator, refuse], policy) => {
        const { ns, objects, apply } = world();
        const before = deepSnapshot({ ns, objects });
        let code: string | undefined;
        try {
          apply(migrator, policy);
          (objects[0] as unknown as { show(): string }).show();
        } catch (e) {
          code = (e as MetamorphError).code;
        }
        expect(code).toBe(refuse ? "MM_MIGRATION_FAILED" : undefined);
        if (refuse)
          expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
        else expect((objects[0] as unknown as { show(): string }).show()).toBe("5kg");
      },
    ),
    { seed: 29021, numRuns: 12 },
  );
});

/** One release of a package whose Shape keeps the class it makes in a field (oldReleaseClassValues.test.ts). */
function shapes(next: boolean): { Circle: Function; Shape: Function } {
  return new Function(
    `"use strict";
    class Circle { constructor(r) { this.r = r; ${next ? "this.d = 2 * r;" : ""} } }
    class Shape { constructor() { this.kind = Circle; this.name = "s"; ${next ? "this.extra = 1;" : ""} } }
    return { Circle, Shape };`,
  )() as { Circle: Function; Shape: Function };
}

test("an object literal's key that nothing writes into the target is no write of that field", () => {
  const held = (migrator: Migrator) => {
    const [a, b] = [shapes(false), shapes(true)];
    const ns = new Namespace(`shapes${worlds++}`);
    ns.registerClass(a.Circle as never, { name: "Circle" });
    const Shape = ns.registerClass(a.Shape as never, {
      name: "Shape",
    }) as unknown as new () => object;
    new Shape();
    const p = patch("next")
      .replaceImplementation("Shape", b.Shape as never)
      .replaceImplementation("Circle", b.Circle as never)
      .migrate("Shape", migrator);
    return updateSync(ns, p.build())
      .warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE")
      .map((w) => [w.field, /does not name `kind`/.test(w.message)]);
  };
  // A destructuring read of `kind`, and defaults built and never written: `kind` keeps the running release's class.
  expect(
    held((old, t) => {
      const { kind, name } = old;
      const defaults = { kind: null };
      t.name = `${String(name)}${typeof kind}`;
      void defaults;
    }),
  ).toEqual([["kind", true]]);
  expect(held((_old, t) => Object.assign(t, { kind: null }))).toEqual([]);
});
