/**
 * `ns.forgetHistoryBefore(ns.version)` then `result.rollback()` (review
 * advZ2, F5): the rollback reported success and left the namespace with no
 * snapshot — `ns.version`, `bindingNames()` and every later update threw
 * TypeError. The version a rollback reinstalls is now looked for before
 * anything changes: gone, the rollback is refused (MM_ROLLBACK) with the
 * objects, classes and namespace as they were, and the update stays
 * committed (it can still be made permanent).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  patch,
  readClassDefinition,
  type UpdateResult,
  updateSync,
} from "../../src/index.js";

type P = { x: number; sum(): number };

function stateOf(ns: Namespace, handle: unknown, objects: readonly object[]) {
  return {
    version: ns.version,
    history: ns.history.map((s) => s.version),
    bindings: ns.bindingNames(),
    fields: readClassDefinition(handle as new () => object).fields.map((f) => f.name),
    objects: objects.map((o) => [Object.getPrototypeOf(o), Object.entries(o)]),
  };
}

test("property: after forgetHistoryBefore, the latest update's rollback is refused with nothing changed if the version it reinstalls is gone, and exact otherwise (seed 3301)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 8 }),
      fc.nat(),
      (policy, count, updates, forgetFrom, touched) => {
        const ns = new Namespace(`forgotten-history-${policy}`);
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [{ name: "x", initializer: "0" }],
          methods: {
            sum() {
              return Object.values(this as object).reduce((n: number, v) => n + Number(v), 0);
            },
          },
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        let last: UpdateResult | undefined;
        let previous = stateOf(ns, Handle, objects);
        for (let u = 0; u < updates; u++) {
          // Every object on the layout before the last update (a lazy one is migrated by the next).
          if (u === updates - 1) {
            last?.completeMigration();
            previous = stateOf(ns, Handle, objects);
          }
          last = updateSync(ns, patch(`u${u}`).addField("P", `f${u}`, { default: u }).build(), {
            policy,
          });
        }
        for (let t = 0; t < touched % (count + 1); t++) objects[t]!.sum();
        // Up to the live version (a later one drops nothing).
        forgetFrom %= ns.version + 1;
        ns.forgetHistoryBefore(forgetFrom);
        const committed = stateOf(ns, Handle, objects);
        let code: string | undefined;
        try {
          last!.rollback();
        } catch (error) {
          code = error instanceof MetamorphError ? error.code : String(error);
        }
        if (forgetFrom > last!.fromVersion) {
          expect(code).toBe("MM_ROLLBACK");
          expect(last!.state()).toBe("committed");
          expect(stateOf(ns, Handle, objects)).toEqual(committed);
          last!.makePermanent();
        } else {
          expect(code).toBeUndefined();
          expect(stateOf(ns, Handle, objects)).toEqual({
            ...previous,
            history: previous.history.filter((v) => v >= forgetFrom),
          });
        }
        // The namespace goes on.
        updateSync(ns, patch("later").addField("P", "w", { default: 100 }).build());
        expect(objects.map((o) => (o as unknown as { w: number }).w)).toEqual(
          objects.map(() => 100),
        );
      },
    ),
    { seed: 3301, numRuns: 150 },
  );
});

test("a lazy update whose history is forgotten and whose first touch fails cannot roll back: that object stays on the old layout, the others go on", () => {
  const ns = new Namespace("forgotten-history-first-touch");
  const Handle = ns.defineClass<P>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
    methods: {
      sum() {
        return (this as unknown as { x: number }).x;
      },
    },
  }) as unknown as new (init: {
    x: number;
  }) => P;
  const objects = Array.from({ length: 3 }, (_, i) => new Handle({ x: i }));
  const result = updateSync(
    ns,
    patch("v2")
      .addField("P", "y", {
        initial: (old) => {
          if (old.x === 2) throw new Error("cannot migrate #2");
          return 1;
        },
      })
      .build(),
    { policy: "lazy" },
  );
  ns.forgetHistoryBefore(ns.version);
  objects[0]!.sum();
  let code: string | undefined;
  try {
    objects[2]!.sum();
  } catch (error) {
    code = (error as MetamorphError).code;
  }
  expect(code).toBe("MM_MIGRATION_FAILED");
  expect([result.state(), ns.version, ns.bindingNames()]).toEqual(["committed", 2, ["P"]]);
  expect(objects.map((o) => Object.keys(o))).toEqual([["x", "y"], ["x"], ["x"]]);
  objects[1]!.sum();
  expect(Object.keys(objects[1]!)).toEqual(["x", "y"]);
});
