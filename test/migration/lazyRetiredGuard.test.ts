/**
 * A guard the program still holds once the guards are off (an event
 * listener registered with `Account.prototype.get` read while the update
 * was pending, a wrapper made over it) runs the member the update left: the
 * new release's once the update completed, the running one's once a failed
 * first touch rolled the update back. It asked the migrated set, where the
 * rollback had moved the objects migrated at their first touch, so it ran
 * the new release's method on an object back on the old layout (`amount`
 * undefined, where the call through the prototype answered the balance).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";

interface Account {
  get(): unknown;
}

let runs = 0;

/** Objects with the balances given; the one of balance 13 fails its migration at its first touch. */
function run(policy: Policy, balances: readonly number[], touches: readonly number[]) {
  const ns = new Namespace(`lazy-retired-guard-${runs++}`);
  class Acc {
    balance = 0;
    constructor(b = 0) {
      this.balance = b;
    }
    get() {
      return this.balance;
    }
  }
  const A = ns.registerClass(Acc, { constructedOnlyThroughHandle: true });
  const objects = balances.map((b) => new A(b)) as unknown as Account[];
  const v2 = patch("v2")
    .renameField("Acc", "balance", "amount")
    .addField("Acc", "checked", {
      initial: (old: Readonly<Record<string, unknown>>) => {
        if (old.balance === 13) throw new Error("unlucky");
        return true;
      },
    })
    .replaceMethods("Acc", {
      get(this: { amount: number }) {
        return this.amount;
      },
    })
    .build();
  const result = updateSync(ns, v2, { policy });
  const held = (A.prototype as unknown as Account).get; // read while the update is pending
  for (const i of touches) objects[i % objects.length]!.get();
  // Still pending: completed now (or rolled back, where an object of balance 13 is left).
  if (result.state() === "committed") {
    try {
      result.completeMigration();
    } catch {
      // The completion's failure rolled the update back.
    }
  }
  expect(result.pendingInstances()).toBe(0);
  return {
    direct: objects.map((o) => o.get()),
    held: objects.map((o) => held.call(o)),
  };
}

test("property: a guard held by the program, called once the guards are off, answers as a call through the prototype does", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Policy>("lazy", "progressive"),
      fc.array(fc.constantFrom(1, 2, 13, 40), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat({ max: 5 }), { maxLength: 8 }),
      (policy, balances, touches) => {
        const { direct, held } = run(policy, balances, touches);
        expect(held).toEqual(direct);
        expect(direct).toEqual(balances);
      },
    ),
    { seed: 20261222, numRuns: 80 },
  );
});

test("after a failed first touch, a held guard runs the running release's method on an object migrated before the failure", () => {
  const { held } = run("lazy", [1, 13], [0, 1]);
  expect(held).toEqual([1, 13]);
});
