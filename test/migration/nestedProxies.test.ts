/**
 * A Proxy of a Proxy: a class whose constructor returns `new Proxy(new
 * Proxy(this, inner), outer)` (a membrane over a reactive object). The
 * hidden-state check (src/migration/proxies.ts) looked for the object one
 * level down only: Node's inspection, formatting the outer Proxy's target,
 * read its inspection hook (and `constructor`) through the inner Proxy,
 * whose `get` trap ran — a membrane throwing on keys it does not know made
 * a transparent chain look unseeable and refused the update, and a trap
 * with effects saw reads the program never made. The target is now found
 * through every level without running a trap (proxyObjects.ts
 * `proxyTarget`), and compared with what the outer Proxy shows.
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
import { amount, held, hidden, type Policy } from "../support/hidingProxies.js";

type Layer = "strict" | "hiding";

/** What the class and the migration name: a membrane knows these keys only. */
const KNOWN = new Set<string | symbol>(["owner", "_secret", "cents", "amount", "tag", "total"]);

/** A layer's handler: `strict` throws at a read of a key it does not know (and counts it), `hiding` hides `_`-keys. */
function handlerOf(layer: Layer, foreign: (string | symbol)[]): ProxyHandler<object> {
  if (layer === "strict") {
    return {
      get(t, k, r) {
        if (!KNOWN.has(k)) {
          foreign.push(k);
          throw new Error(`membrane: no ${String(k)}`);
        }
        return Reflect.get(t, k, r);
      },
    };
  }
  return {
    ownKeys: (t) => Reflect.ownKeys(t).filter((k) => !hidden(k)),
    getOwnPropertyDescriptor: (t, k) =>
      hidden(k) ? undefined : Reflect.getOwnPropertyDescriptor(t, k),
    has: (t, k) => !hidden(k) && Reflect.has(t, k),
    get: (t, k, r) => (hidden(k) ? undefined : Reflect.get(t, k, r)),
  };
}

let worlds = 0;

function bank(inner: Layer, outer: Layer, n: number) {
  const ns = new Namespace(`nested-proxies-${++worlds}`, { instanceFinder: "registry" });
  const targets: object[] = [];
  const foreign: (string | symbol)[] = [];
  const Account = ns.registerClass(
    new Function(
      "inner",
      "outer",
      "targets",
      `return class Account {
        constructor(owner, cents) {
          this.owner = owner; this._secret = "s-" + owner; this.cents = cents;
          targets.push(this);
          return new Proxy(new Proxy(this, inner), outer);
        }
        total() { return this.cents; }
      }`,
    )(handlerOf(inner, foreign), handlerOf(outer, foreign), targets),
  ) as new (
    owner: string,
    cents: number,
  ) => { total(): number };
  const accounts = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  return { ns, accounts, targets, foreign };
}

test("property: a chain of Proxies is checked against the object at its bottom, running no trap on a key the program never reads", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Layer>("strict", "hiding"),
      fc.constantFrom<Layer>("strict", "hiding"),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.constantFrom("update", "updateSync"),
      fc.integer({ min: 1, max: 3 }),
      async (inner, outer, policy, entry, n) => {
        const { ns, accounts, targets, foreign } = bank(inner, outer, n);
        const before = held(targets);
        const version = ns.version;
        let result: UpdateResult | undefined;
        let error: unknown;
        try {
          result =
            entry === "update"
              ? await update(ns, amount(), { policy })
              : updateSync(ns, amount(), { policy });
          if (policy === "lazy") accounts[0]!.total();
          await result.completion;
        } catch (e) {
          error = e;
        }
        expect(foreign).toEqual([]);
        if (inner === "strict" && outer === "strict") {
          expect(error).toBeUndefined();
          expect(accounts.map((a) => a.total())).toEqual(accounts.map((_, i) => (i + 1) * 10));
          for (const [i, t] of targets.entries()) {
            expect(t).toEqual({ owner: `o${i}`, _secret: `s-o${i}`, amount: i + 1, tag: "v2" });
          }
          result!.rollback();
          expect(held(targets)).toEqual(before);
          return;
        }
        const refusal = (error ??
          (await result!.completion.then(
            () => undefined,
            (e) => e,
          ))) as MetamorphError;
        expect(refusal).toBeInstanceOf(MetamorphError);
        const cause = (
          refusal.code === "MM_UNSWAPPABLE_OBJECT" ? refusal : refusal.details.cause
        ) as MetamorphError;
        expect(cause.code).toBe("MM_UNSWAPPABLE_OBJECT");
        expect(cause.details.rule).toBe("hidden-state");
        expect(cause.details.fields).toContain("_secret");
        if (result !== undefined) expect(result.state()).toBe("rolled-back");
        else expect(ns.version).toBe(version);
        expect(held(targets)).toEqual(before);
      },
    ),
    { seed: 5151, numRuns: 60 },
  );
});
