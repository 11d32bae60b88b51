/**
 * When a lazy or progressive update's guards come off (completeMigration(),
 * the end of the sweep), what the program put on the prototype since the
 * commit stays, as after an eager update: the guards put back the members
 * they had wrapped only where their guard is still the installed value
 * (review advZ19). They put back every saved member, so a call counter an
 * afterCommit hook wrapped around the new release's method (what
 * docs/production.md advises) counted 1 call of 3, and an override the
 * program defined on a subclass's prototype was deleted (`o.m()` answered the
 * inherited method). A rollback gives the prototype back as the commit found
 * it, as an eager rollback does.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Change = "wrap" | "override" | "accessor" | "delete" | "add";
const CHANGES: readonly Change[] = ["wrap", "override", "accessor", "delete", "add"];

interface Scenario {
  readonly changes: readonly Change[];
  /** In an afterCommit hook of the patch, or by the program once the update returned. */
  readonly inHook: boolean;
  /** An object called before the guards come off (migrated at its first touch). */
  readonly touch: boolean;
  readonly rollBack: boolean;
}

interface Account {
  get(): number;
  other?: () => string;
  extra?: () => string;
  m(): string;
  readonly g: unknown;
}

let runs = 0;

/** What the program sees once the guards are off (or the update rolled back), and the prototype's exact state after a rollback. */
async function run(policy: Policy, s: Scenario) {
  const ns = new Namespace(`lazy-guard-removal-${policy}-${runs++}`);
  class Base {
    x = 1;
    m() {
      return "base m";
    }
    get g() {
      return this.x;
    }
  }
  class Acc extends Base {
    balance = 7;
    get() {
      return this.balance;
    }
    other() {
      return "other";
    }
  }
  ns.registerClass(Base, { constructedOnlyThroughHandle: true });
  const A = ns.registerClass(Acc, { constructedOnlyThroughHandle: true });
  const objects = [new A(), new A()] as unknown as Account[];
  const P = A.prototype as unknown as Record<string, unknown>;
  const before = deepSnapshot({ ns, objects: [...objects, P] });
  let calls = 0;
  const change = () => {
    for (const c of s.changes) {
      if (c === "wrap") {
        const get = P.get as () => number;
        P.get = function (this: Account) {
          calls++;
          return get.call(this);
        };
      } else if (c === "override") P.m = () => "program m";
      else if (c === "accessor")
        Object.defineProperty(P, "g", { configurable: true, get: () => "program g" });
      else if (c === "delete") delete P.other;
      else P.extra = () => "extra";
    }
  };
  let v2 = patch("v2")
    .renameField("Acc", "balance", "amount")
    .replaceMethods("Acc", {
      get(this: { amount: number }) {
        return this.amount;
      },
    });
  if (s.inHook) v2 = v2.afterCommit("instrument", () => change());
  const result = updateSync(ns, v2.build(), { policy });
  if (!s.inHook) change();
  if (s.touch) objects[0]!.get();
  if (s.rollBack) result.rollback();
  else if (policy === "lazy") result.completeMigration();
  else if (policy === "progressive") await result.completion;
  const seen = objects.map((o) => [o.get(), o.m(), o.g, typeof o.other, typeof o.extra]);
  const exact = s.rollBack
    ? snapshotDifference(before, deepSnapshot({ ns, objects: [...objects, P] }))
    : undefined;
  return { seen, calls, exact };
}

test("property: once the guards are off, the program's changes to the prototype since the commit stay as under eager; a rollback gives the prototype back exactly", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Policy>("lazy", "progressive"),
      fc.record({
        changes: fc.subarray([...CHANGES], { minLength: 1 }),
        inHook: fc.boolean(),
        touch: fc.boolean(),
        rollBack: fc.boolean(),
      }),
      async (policy, scenario) => {
        const eager = await run("eager", scenario);
        const pending = await run(policy, scenario);
        expect(pending.seen).toEqual(eager.seen);
        expect(pending.calls).toBe(eager.calls);
        expect(pending.exact).toBeUndefined();
        expect(eager.exact).toBeUndefined();
      },
    ),
    { seed: 20261219, numRuns: 40 },
  );
});

test("a counter an afterCommit hook wraps around the new release's method counts every call, under lazy and progressive", async () => {
  for (const policy of ["lazy", "progressive"] as const) {
    const { seen, calls } = await run(policy, {
      changes: ["wrap"],
      inHook: true,
      touch: true,
      rollBack: false,
    });
    expect(seen.map((row) => row[0])).toEqual([7, 7]);
    expect(calls).toBe(3);
  }
});

test("an override the program defines on a subclass's prototype while the update is pending stays once the guards are off", async () => {
  const { seen } = await run("lazy", {
    changes: ["override"],
    inHook: false,
    touch: false,
    rollBack: false,
  });
  expect(seen.map((row) => row[1])).toEqual(["program m", "program m"]);
});
