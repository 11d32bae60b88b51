/**
 * A class whose constructor returns a Proxy of the object whose traps hide
 * fields (keys starting with `_`), registry finder. A layout-changing
 * update read the object through the Proxy: a hidden field both versions
 * keep looked absent, got its initial value on the object itself, and the
 * rollback could not put the real value back. Each Proxy is now compared,
 * before anything changes, with the object it stands for (src/migration/
 * proxies.ts): one that hides or changes the fields the migration
 * addresses is refused, MM_UNSWAPPABLE_OBJECT with rule `hidden-state`,
 * and nothing changed; a transparent one migrates through it exactly.
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

let worlds = 0;

function bank(hiding: Hiding, n: number) {
  const ns = new Namespace(`hiding-${++worlds}`, { instanceFinder: "registry" });
  const targets: object[] = [];
  const Account = ns.registerClass(
    new Function(
      "handler",
      "targets",
      `return class Account {
        constructor(owner, cents) {
          this.owner = owner; this._secret = "s-" + owner; this.cents = cents;
          targets.push(this);
          return new Proxy(this, handler);
        }
        total() { return this.cents; }
      }`,
    )(handlerOf(hiding), targets),
  ) as new (
    owner: string,
    cents: number,
  ) => { total(): number };
  const accounts = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  return { ns, accounts, targets };
}

test("property: a Proxy hiding fields is refused before anything changes; a transparent one migrates and rolls back exactly", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Hiding>("none", "all", "keys", "get"),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.constantFrom("update", "updateSync"),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      async (hiding, policy, entry, n, touch) => {
        const { ns, accounts, targets } = bank(hiding, n);
        const before = held(targets);
        const version = ns.version;
        let result: UpdateResult | undefined;
        let error: unknown;
        try {
          result =
            entry === "update"
              ? await update(ns, amount(), { policy })
              : updateSync(ns, amount(), { policy });
          // A lazy update meets the objects at their first touch, a progressive one in its sweep too.
          if (touch || policy !== "progressive") accounts[0]!.total();
          if (policy === "progressive") await result.completion;
        } catch (e) {
          error = e;
        }
        if (hiding === "none") {
          expect(error).toBeUndefined();
          expect(accounts.map((a) => a.total())).toEqual(accounts.map((_, i) => (i + 1) * 10));
          for (const [i, t] of targets.entries()) {
            expect(t).toEqual({ owner: `o${i}`, _secret: `s-o${i}`, amount: i + 1, tag: "v2" });
          }
          result!.rollback();
          expect(held(targets)).toEqual(before);
          return;
        }
        // Refused: before the commit (eager), or at the first touch, which rolls the update back.
        const refusal =
          error ??
          (await result!.completion.then(
            () => undefined,
            (e) => e,
          ));
        expect(refusal).toBeInstanceOf(MetamorphError);
        const cause =
          (refusal as MetamorphError).code === "MM_UNSWAPPABLE_OBJECT"
            ? refusal
            : (refusal as MetamorphError).details.cause;
        expect(cause).toBeInstanceOf(MetamorphError);
        expect((cause as MetamorphError).code).toBe("MM_UNSWAPPABLE_OBJECT");
        expect((cause as MetamorphError).details.rule).toBe("hidden-state");
        expect((cause as MetamorphError).details.fields).toContain("_secret");
        if (result !== undefined) expect(result.state()).toBe("rolled-back");
        else expect(ns.version).toBe(version);
        expect(held(targets)).toEqual(before);
      },
    ),
    { seed: 7070, numRuns: 100 },
  );
});

test("property: objects built through a hiding Proxy after the commit keep their hidden fields, and a rollback gives them back their old layout with them", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Hiding>("none", "all", "keys", "get"),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.integer({ min: 1, max: 3 }),
      async (hiding, policy, n) => {
        // No object alive at the update: nothing to refuse; the objects come after.
        const { ns, targets } = bank(hiding, 0);
        const result = await update(ns, amount(), { policy });
        const Account = ns.classNamed("Account") as unknown as new (
          owner: string,
          cents: number,
        ) => { total(): number };
        const made = Array.from({ length: n }, (_, i) => new Account(`n${i}`, i + 1));
        expect(made.map((a) => a.total())).toEqual(made.map((_, i) => (i + 1) * 10));
        for (const [i, t] of targets.entries()) {
          expect(t).toEqual({ owner: `n${i}`, _secret: `s-n${i}`, amount: i + 1, tag: "v2" });
        }
        if (policy === "progressive") await result.completion;
        result.rollback();
        for (const [i, t] of targets.entries()) {
          expect(Object.keys(t)).toEqual(["owner", "_secret", "cents"]);
          expect(t).toEqual({ owner: `n${i}`, _secret: `s-n${i}`, cents: i + 1 });
        }
        expect(made.map((a) => a.total())).toEqual(made.map((_, i) => i + 1));
      },
    ),
    { seed: 7171, numRuns: 40 },
  );
});
