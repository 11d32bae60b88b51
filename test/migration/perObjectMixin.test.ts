/**
 * An object given a prototype of its own (`Object.setPrototypeOf(account,
 * Object.create(Account.prototype, { audit }))`: a per-object mixin). The
 * heap finder took the mixin for an instance and migrated it (it gained the
 * new fields), and the object itself was left on the old layout under the
 * new methods, without a word (review advX4). Now the mixin is no
 * instance, the object is one, and an update that would have to migrate it
 * is refused before anything changes (eager), or rolls back where a lazy or
 * progressive update meets it (first touch, completion, sweep): updates
 * migrate objects that sit on their class's prototype.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { allInstances, Namespace, patch, update, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Account {
  balance: number;
  deposit(n: number): void;
}

const FINDERS = ["registry", "adaptive", "heap"] as const;

function account() {
  class Account {
    balance = 0;
    owner = "x";
    deposit(n: number) {
      this.balance += n;
    }
  }
  return Account;
}

const MIXINS = {
  method: (p: object) => Object.create(p, { audit: { value: () => "audited" } }) as object,
  accessor: (p: object) => Object.create(p, { label: { get: () => "L" } }) as object,
};

const rename = (policy: "eager" | "lazy" | "progressive") =>
  patch("cents")
    .renameField("Account", "balance", "cents")
    .replaceMethods("Account", {
      deposit(this: { cents: number }, n: number) {
        this.cents += n;
      },
    })
    .policy(policy)
    .build();

describe.each(FINDERS)("finder %s", (instanceFinder) => {
  test("the mixed-in object is the instance, not its mixin", () => {
    const ns = new Namespace(`mixin-found-${instanceFinder}`, { instanceFinder });
    const A = ns.registerClass(account());
    const plain = new A();
    const mixed = new A();
    const mixin = MIXINS.method(A.prototype);
    Object.setPrototypeOf(mixed, mixin);
    const found = allInstances(A);
    expect(found).toContain(mixed);
    expect(found).toContain(plain);
    expect(found).not.toContain(mixin);
  });

  test("property: an update meeting a mixed-in object is refused or rolled back, every policy, nothing changed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
        fc.constantFrom(...(Object.keys(MIXINS) as (keyof typeof MIXINS)[])),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        async (policy, kind, plainCount, mixedCount, sync, touch) => {
          const ns = new Namespace(`mixin-${instanceFinder}`, { instanceFinder });
          const A = ns.registerClass(account()) as unknown as new () => Account;
          const plain = Array.from({ length: plainCount }, () => new A());
          const mixed = Array.from({ length: mixedCount }, () => new A());
          const mixin = MIXINS[kind](A.prototype);
          for (const o of mixed) Object.setPrototypeOf(o, mixin);
          for (const [k, o] of [...plain, ...mixed].entries()) o.deposit(k);
          const world = { ns, objects: [...plain, ...mixed, mixin] };
          const before = deepSnapshot(world);
          const outcome = await (sync
            ? Promise.resolve().then(() => updateSync(ns, rename(policy)))
            : update(ns, rename(policy))
          ).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          if ("error" in outcome) {
            expect(policy).toBe("eager");
            expect(outcome.error).toMatchObject({
              code: "MM_UNMANAGED_CLASS",
              details: { className: "Account", subclass: null, count: mixedCount },
            });
            expect(String(outcome.error)).toContain("a prototype of");
            expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
            return;
          }
          expect(policy).not.toBe("eager");
          const { result } = outcome;
          // First touch rolls back, and the call then runs the old code.
          if (touch) mixed[0]!.deposit(1);
          if (policy === "lazy") result.completeMigration();
          const failure = await result.completion.then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(result.state()).toBe("rolled-back");
          expect(failure).toMatchObject({ code: "MM_MIGRATION_FAILED" });
          expect(String(failure)).toContain("with a prototype of its own");
          if (touch) mixed[0]!.balance -= 1;
          expect(snapshotDifference(before, deepSnapshot(world))).toBeUndefined();
        },
      ),
      { seed: 4711, numRuns: instanceFinder === "registry" ? 30 : 10 },
    );
  });
});

test.each(FINDERS)(
  "an instance holding only functions, or nothing, that a child delegates to (Object.create(instance)) is an instance, not a mixin: the update applies (%s; review advY6)",
  (instanceFinder) => {
    const ns = new Namespace(`mixin-lookalike-${instanceFinder}`, { instanceFinder });
    class Strategy {
      run = () => "run";
    }
    class Empty {
      hello() {
        return "hi";
      }
    }
    const S = ns.registerClass(Strategy);
    const E = ns.registerClass(Empty);
    const s = new S();
    const e = new E();
    const children = [Object.create(s) as object, Object.create(e) as object];
    expect(allInstances(S)).toContain(s);
    expect(allInstances(E)).toContain(e);
    expect(allInstances(S)).not.toContain(children[0]);
    updateSync(
      ns,
      patch("count")
        .addField("Strategy", "count", { default: 0 })
        .addField("Empty", "count", { default: 0 })
        .build(),
    );
    expect([
      (s as unknown as { count: number }).count,
      (e as unknown as { count: number }).count,
    ]).toEqual([0, 0]);
  },
);
