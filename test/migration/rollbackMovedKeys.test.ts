/**
 * A migrator may move state to keys the new version uses (a release's own
 * module symbols: docs/refusals.md, MM_PRIVATE_STATE). A rollback after the
 * new code wrote there left the new key on the object beside the old one
 * (minipass 7.0 → 7.1). What the migration made that the object did not
 * have goes; what the program added since, under a key of its own, stays.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

function release() {
  const kCount = Symbol("count");
  return {
    kCount,
    Counter: class Counter {
      constructor() {
        (this as unknown as Record<symbol, number>)[kCount] = 0;
      }
      inc(): number {
        const self = this as unknown as Record<symbol, number>;
        self[kCount] = (self[kCount] ?? 0) + 1;
        return self[kCount]!;
      }
    },
  };
}

test("property: after any number of writes since the commit, a rollback leaves exactly the old keys and the program's own", () => {
  fc.assert(
    fc.property(fc.nat(4), fc.nat(4), fc.boolean(), (before, since, expando) => {
      const old = release();
      const next = release();
      const ns = new Namespace("moved-keys", { instanceFinder: "registry" });
      const C = ns.registerClass(old.Counter, { name: "Counter" });
      const c = new C();
      for (let i = 0; i < before; i++) c.inc();
      const keysBefore = Reflect.ownKeys(c);
      const result = updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Counter", next.Counter)
          .migrate("Counter", (_old, target) => {
            const t = target as unknown as Record<symbol, unknown>;
            t[next.kCount] = t[old.kCount];
            delete t[old.kCount];
          })
          .build(),
      );
      expect(Reflect.ownKeys(c)).toEqual([next.kCount]);
      for (let i = 0; i < since; i++) c.inc();
      const mine = Symbol("program's own");
      if (expando) (c as unknown as Record<symbol, number>)[mine] = 7;
      result.rollback();
      expect(Reflect.ownKeys(c)).toEqual(expando ? [...keysBefore, mine] : keysBefore);
      expect((c as unknown as Record<symbol, number>)[old.kCount]).toBe(before);
    }),
    { seed: 7117, numRuns: 60 },
  );
});

test.each(["eager", "lazy", "progressive"] as const)(
  "%s: a rename rolled back takes the value from the new name, not from a property an old closure made under the old name",
  async (policy) => {
    const ns = new Namespace(`stray-old-name-${policy}`, { instanceFinder: "registry" });
    const C = ns.defineClass<{ count: number; total: number; get(): number }>({
      name: "Counter",
      fields: [{ name: "count", initializer: "1" }],
      methods: {
        get() {
          return 0;
        },
      },
    });
    const c = new C();
    const oldClosure = () => {
      c.count++; // the running version's code, kept by a timer, after the rename
    };
    const result = updateSync(ns, patch("v2").renameField("Counter", "count", "total").build(), {
      policy,
    });
    result.completeMigration();
    await result.completion;
    c.total = 42;
    oldClosure();
    result.rollback();
    expect({ ...c }).toEqual({ count: 42 });
  },
);
