/**
 * A lazy or progressive update of a class whose constructor returns a
 * revocable Proxy, registry finder, with some of those proxies revoked
 * before the update or after its commit: it committed, then the first
 * method call threw an untyped TypeError (the guards' completion read the
 * registry's list, revoked proxy included). A revoked proxy is a dead
 * object: the live ones migrate, complete and roll back exactly.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

interface Account {
  total(): number;
}

let worlds = 0;

function bank(n: number) {
  const ns = new Namespace(`lazy-revoked-${++worlds}`, { instanceFinder: "registry" });
  const revokers: (() => void)[] = [];
  const Account = ns.registerClass(
    new Function(
      "revokers",
      `return class Account {
        constructor(owner, cents) {
          this.owner = owner; this.cents = cents;
          const { proxy, revoke } = Proxy.revocable(this, {});
          revokers.push(revoke);
          return proxy;
        }
        total() { return this.cents; }
      }`,
    )(revokers),
  ) as new (
    owner: string,
    cents: number,
  ) => Account;
  const accounts = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  return { ns, accounts, revokers };
}

const renamed = () =>
  patch("amount")
    .renameField("Account", "cents", "amount")
    .replaceMethods("Account", {
      total(this: { amount: number }) {
        return this.amount * 10;
      },
    })
    .build();

type When = "live" | "before" | "after";

test("property: revoked proxies recorded before or after a lazy commit are dead objects; the live ones migrate, complete and roll back", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<When>("live", "before", "after"), { minLength: 1, maxLength: 6 }),
      fc.constantFrom("lazy" as const, "progressive" as const),
      fc.constantFrom("update", "updateSync"),
      fc.boolean(),
      async (when, policy, entry, complete) => {
        const { ns, accounts, revokers } = bank(when.length);
        const revoke = (w: When) => {
          for (const [i, x] of when.entries()) if (x === w) revokers[i]!();
        };
        revoke("before");
        const p = renamed();
        const result =
          entry === "update" ? await update(ns, p, { policy }) : updateSync(ns, p, { policy });
        revoke("after");
        const live = accounts.filter((_, i) => when[i] === "live");
        const cents = when.flatMap((w, i) => (w === "live" ? [i + 1] : []));
        if (complete) expect(result.completeMigration().failed).toEqual([]);
        expect(live.map((a) => a.total())).toEqual(cents.map((c) => c * 10));
        expect(live.map((a) => Object.keys(a))).toEqual(live.map(() => ["owner", "amount"]));
        if (policy === "progressive") await result.completion;
        result.rollback();
        expect(live.map((a) => a.total())).toEqual(cents);
        expect(live.map((a) => Object.keys(a))).toEqual(live.map(() => ["owner", "cents"]));
      },
    ),
    { seed: 5151, numRuns: 60 },
  );
});
