/**
 * MM_PROGRAM_METHOD_REPLACED says an update replaced a method the program
 * put on the prototype itself. Under a call tracker, a lazy or progressive
 * release's guard stays under the tracker's wrapper after the release
 * completes (the guard's removal no longer sees itself there), and the next
 * release took wrapper → guard for the program's (review advZ31 #3); deploy
 * steps roll back on warnings, so a correct release was rolled back. Both are
 * metamorph's own: the program's own wrapper is still reported.
 */
import { expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";
import { CallTracker } from "../../src/lifecycle/index.js";

type Policy = "eager" | "lazy" | "progressive";
let worlds = 0;

async function secondReleaseWarnings(
  first: Policy,
  tracked: boolean,
  programWraps = false,
): Promise<string[]> {
  class Account {
    balance = 0;
    ops = 0;
    deposit(n: number): number {
      this.balance += n;
      this.ops++;
      return this.balance;
    }
  }
  const ns = new Namespace(`tracked-program-methods-${worlds++}`, { instanceFinder: "registry" });
  const A = ns.registerClass(Account);
  const objs = Array.from({ length: 10 }, () => new A());
  const tracker = new CallTracker();
  if (tracked) tracker.track(A);
  const v2 = patch("v2")
    .renameField("Account", "ops", "count")
    .replaceMethods("Account", {
      deposit(this: { balance: number; count: number }, n: number) {
        this.balance += n;
        this.count++;
        return this.balance;
      },
    })
    .policy(first)
    .build();
  const applied = await update(ns, v2);
  tracker.refresh();
  objs[1]!.deposit(1);
  applied.makePermanent();
  tracker.refresh();
  if (programWraps) {
    const prototype = A.prototype as { deposit(n: number): number };
    const inner = prototype.deposit;
    prototype.deposit = function (this: unknown, n: number) {
      return inner.call(this, n);
    };
    tracker.refresh();
  }
  const v3 = patch("v3").addField("Account", "k", {
    initial: (o) => (o.count as number) * 2,
  });
  const next = await update(ns, v3.build());
  return next.warnings.map((w) => w.code);
}

test.each<Policy>(["lazy", "progressive", "eager"])(
  "a release after a %s one, tracked: no MM_PROGRAM_METHOD_REPLACED, as untracked",
  async (first) => {
    const tracked = await secondReleaseWarnings(first, true);
    expect(tracked).not.toContain("MM_PROGRAM_METHOD_REPLACED");
    expect(tracked).toEqual(await secondReleaseWarnings(first, false));
  },
);

test("the program's own wrapper over a tracked method after a lazy release is still reported", async () => {
  expect(await secondReleaseWarnings("lazy", true, true)).toContain("MM_PROGRAM_METHOD_REPLACED");
  expect(await secondReleaseWarnings("lazy", false, true)).toContain("MM_PROGRAM_METHOD_REPLACED");
});
