/**
 * A Proxy the program hands the registry itself (`finder.record(proxy)`),
 * around an instance of a class whose constructor returns nothing: such a
 * class was not taken for one whose objects may be Proxies, so an update
 * migrated the Proxy through its traps without comparing it with the
 * object it stands for. One hiding `_`-keys lost them: the field was
 * dropped on the object itself, and the rollback could not put it back.
 * Now every Proxy an update finds is checked once the program has
 * recorded one (src/mop/proxyObjects.ts `noteRecorded`): a hiding one is
 * refused before anything changes (MM_UNSWAPPABLE_OBJECT, rule
 * `hidden-state`), a transparent one migrates through it exactly.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  type UpdateResult,
  update,
  updateSync,
} from "../../src/index.js";
import { amount, type Hiding, handlerOf, held, type Policy } from "../support/hidingProxies.js";

interface Account {
  total(): number;
}

let worlds = 0;

/**
 * `n` accounts made through the handle, and one revived without it
 * (`Object.create`) that the program records only as a Proxy: what the
 * registry lists of it is the Proxy alone.
 */
function bank(hiding: Hiding, n: number) {
  const ns = new Namespace(`recorded-proxies-${++worlds}`, { instanceFinder: "registry" });
  const Account = ns.registerClass(
    class Account {
      owner: string;
      _secret: string;
      cents: number;
      constructor(owner: string, cents: number) {
        this.owner = owner;
        this._secret = `s-${owner}`;
        this.cents = cents;
      }
      total() {
        return this.cents;
      }
    },
    { constructedOnlyThroughHandle: true },
  );
  const built = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  const revived = Object.assign(Object.create(Account.prototype) as Account, {
    owner: "r",
    _secret: "s-r",
    cents: 100,
  });
  const proxy = new Proxy(revived, handlerOf(hiding)) as Account;
  ns.finder.record(proxy);
  return { ns, built, revived, proxy, targets: [...built, revived] as object[] };
}

test("property: a recorded Proxy hiding fields is refused before anything changes; a transparent one migrates exactly", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Hiding>("none", "all", "keys", "get"),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.constantFrom("update", "updateSync"),
      fc.integer({ min: 0, max: 3 }),
      async (hiding, policy, entry, n) => {
        const { ns, built, proxy, targets } = bank(hiding, n);
        const before = held(targets);
        const version = ns.version;
        let result: UpdateResult | undefined;
        let error: unknown;
        try {
          result =
            entry === "update"
              ? await update(ns, amount(), { policy })
              : updateSync(ns, amount(), { policy });
          if (policy === "lazy") result.completeMigration();
          await result.completion;
        } catch (e) {
          error = e;
        }
        if (hiding === "none") {
          expect(error).toBeUndefined();
          expect([...built, proxy].map((a) => a.total())).toEqual([
            ...built.map((_, i) => (i + 1) * 10),
            1000,
          ]);
          expect(targets.at(-1)).toEqual({ owner: "r", _secret: "s-r", amount: 100, tag: "v2" });
          result!.rollback();
          expect(held(targets)).toEqual(before);
          return;
        }
        const refusal = error as MetamorphError;
        expect(refusal).toBeInstanceOf(MetamorphError);
        const cause = (
          refusal.code === "MM_UNSWAPPABLE_OBJECT" ? refusal : refusal.details.cause
        ) as MetamorphError;
        expect(cause.code).toBe("MM_UNSWAPPABLE_OBJECT");
        expect(cause.details.rule).toBe("hidden-state");
        expect(cause.details.fields).toContain("_secret");
        expect(cause.details.object).toBe(proxy);
        if (result !== undefined) expect(result.state()).toBe("rolled-back");
        else expect(ns.version).toBe(version);
        expect(held(targets)).toEqual(before);
      },
    ),
    { seed: 4141, numRuns: 60 },
  );
});
