/**
 * Nothing computed after an update commits may throw out of it: the caller
 * would take a committed update for a failed one. Instances whose
 * constructor returns a Proxy, registry finder: a methods-only eager update
 * committed, then the warnings' look at a sample of the objects met a
 * revoked proxy (or a trap that threw) and an untyped TypeError came out of
 * `update()`. A revoked proxy is now a dead object the finder never lists
 * (test/mop/revokedProxyRegistry.test.ts), and a warning look that throws
 * is reported as a warning, MM_WARNING_CHECK_FAILED, with what it threw.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  type UpdateResult,
  patch,
  update,
  updateSync,
} from "../../src/index.js";

interface Account {
  total(): number;
  deposit(n: number): number;
}

let worlds = 0;

/** Accounts whose constructor returns a revocable Proxy of the object (traps: `handler`). */
function bank(handler: ProxyHandler<object>, n = 3) {
  const ns = new Namespace(`after-commit-${++worlds}`, { instanceFinder: "registry" });
  const revokers: (() => void)[] = [];
  const Account = ns.registerClass(
    new Function(
      "revokers",
      "handler",
      `return class Account {
        constructor(owner, cents) {
          this.owner = owner; this.cents = cents;
          const { proxy, revoke } = Proxy.revocable(this, handler);
          revokers.push(revoke);
          return proxy;
        }
        total() { return this.cents; }
        deposit(n) { this.cents += n; return this.cents; }
      }`,
    )(revokers, handler),
  ) as new (
    owner: string,
    cents: number,
  ) => Account;
  const accounts = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  return { ns, accounts, revokers };
}

const doubled = patch("doubled").replaceMethods("Account", {
  total(this: { cents: number }) {
    return this.cents * 2;
  },
});

async function apply(entry: string, ns: Namespace, p: typeof doubled): Promise<UpdateResult> {
  return entry === "update" ? update(ns, p.build()) : updateSync(ns, p.build());
}

test("property: a methods-only eager update with revoked proxies recorded commits, says no failed look, and the live objects run the new methods", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
      fc.constantFrom("update", "updateSync"),
      async (revoked, entry) => {
        const { ns, accounts, revokers } = bank({}, revoked.length);
        for (const [i, r] of revoked.entries()) if (r) revokers[i]!();
        const live = accounts.filter((_, i) => !revoked[i]);
        const cents = live.map((a) => accounts.indexOf(a) + 1);
        const result = await apply(entry, ns, doubled);
        expect(result.state()).toBe("committed");
        expect(result.warnings.map((w) => w.code)).not.toContain("MM_WARNING_CHECK_FAILED");
        expect(live.map((a) => a.total())).toEqual(cents.map((c) => 2 * c));
        result.rollback();
        expect(live.map((a) => a.total())).toEqual(cents);
      },
    ),
    { seed: 4242, numRuns: 40 },
  );
});

test("a look after the commit whose read throws is a warning with its cause, and the update stands", async () => {
  const ctl = { armed: false };
  const thrown = new Error("trap getPrototypeOf after the commit");
  const { ns, accounts } = bank({
    getPrototypeOf(target) {
      if (ctl.armed) throw thrown;
      return Reflect.getPrototypeOf(target);
    },
  });
  // Armed once the commit is done: only the warnings' looks meet the trap.
  const armed = doubled.afterCommit("arm", () => {
    ctl.armed = true;
  });
  const version = ns.version;
  let result: UpdateResult | undefined;
  try {
    result = await apply("update", ns, armed);
  } finally {
    ctl.armed = false;
  }
  expect(ns.version).not.toBe(version);
  expect(result!.state()).toBe("committed");
  const failed = result!.warnings.filter((w) => w.code === "MM_WARNING_CHECK_FAILED");
  expect(failed).toHaveLength(1);
  expect(failed[0]!.className).toBe("Account");
  expect(failed[0]!.cause).toBe(thrown);
  expect(failed[0]!.message).toContain(thrown.message);
  expect(accounts.map((a) => a.total())).toEqual([2, 4, 6]);
});

test("property: whichever trap throws on its k-th call, an update is refused with a typed error and nothing changed, or it commits and returns", async () => {
  const TRAPS = ["getPrototypeOf", "get", "has", "getOwnPropertyDescriptor", "ownKeys"] as const;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...TRAPS),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom("update", "updateSync"),
      async (trap, k, entry) => {
        const ctl = { armed: false, calls: 0 };
        const handler: ProxyHandler<object> = {
          [trap](...args: unknown[]) {
            if (ctl.armed && ++ctl.calls === k) throw new Error(`trap ${trap} #${k}`);
            return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
          },
        };
        const { ns, accounts } = bank(handler);
        const version = ns.version;
        ctl.armed = true;
        let result: UpdateResult | undefined;
        let error: unknown;
        try {
          result = await apply(entry, ns, doubled);
        } catch (e) {
          error = e;
        }
        ctl.armed = false;
        if (result === undefined) {
          expect(error).toBeInstanceOf(MetamorphError);
          expect(ns.version).toBe(version);
          expect(accounts.map((a) => a.total())).toEqual([1, 2, 3]);
          return;
        }
        expect(result.state()).toBe("committed");
        expect(accounts.map((a) => a.total())).toEqual([2, 4, 6]);
      },
    ),
    { seed: 2424, numRuns: 120 },
  );
});
