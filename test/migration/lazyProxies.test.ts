/**
 * A lazy or progressive update whose guard is reached through a Proxy of an
 * instance (Vue's `reactive()`, a membrane, a sandbox's revocable proxy).
 * The guard migrated and marked its receiver, the proxy: the object itself
 * still looked pending, and its migrators ran again at its next direct
 * call, in `completeMigration()` or in the sweep (a balance multiplied by
 * 100 twice); the proxy went into the update's logs and brands, and once
 * the program revoked it no rollback could happen (an untyped TypeError).
 * A Proxy is now never migrated: reaching a guard through one completes the
 * whole migration, on the objects themselves.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  Namespace,
  type UpdateOptions,
  type UpdateResult,
  patch,
  update,
  updateSync,
} from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Finder = "registry" | "heap" | "adaptive";
type Policy = "lazy" | "progressive";
type Apply = "updateSync" | "update";

interface Account {
  id: number;
  balance: number;
  get(): number;
  deposit(amount: number): number;
}

let namespaces = 0;

/** Accounts whose update multiplies each balance by 100 (its migrator counts its calls per id). */
function bank(finder: Finder, balances: readonly number[]) {
  const ns = new Namespace(`proxied-${++namespaces}`, { instanceFinder: finder });
  const Account = ns.defineClass<Account>({
    name: "Account",
    fields: [
      { name: "id", initializer: "0" },
      { name: "balance", initializer: "0" },
    ],
    methods: {
      get(this: Account) {
        return this.balance;
      },
      deposit(this: Account, amount: number) {
        this.balance += amount;
        return this.balance;
      },
    },
  });
  const objects = balances.map((balance, id) => new Account({ id, balance }));
  const calls = balances.map(() => 0);
  const cents = patch("cents")
    .migrate("Account", (old, target) => {
      calls[old.id as number]!++;
      target.balance = (old.balance as number) * 100;
    })
    .replaceMethods("Account", {
      deposit(this: Account, amount: number) {
        this.balance += amount * 100;
        return this.balance;
      },
    })
    .build();
  return { ns, objects, calls, cents };
}

async function apply(
  how: Apply,
  ns: Namespace,
  p: ReturnType<typeof bank>["cents"],
  options: UpdateOptions,
): Promise<UpdateResult> {
  return how === "update" ? update(ns, p, options) : updateSync(ns, p, options);
}

async function finish(result: UpdateResult): Promise<void> {
  if (result.policy === "lazy") result.completeMigration();
  await result.completion;
}

const cases = (["registry", "heap", "adaptive"] as const).flatMap((finder) =>
  (["lazy", "progressive"] as const).flatMap((policy) =>
    (["updateSync", "update"] as const).map((how) => [finder, policy, how] as const),
  ),
);

test.each(cases)(
  "%s, %s, %s: an object first touched through a Proxy migrates once, and rolls back exactly",
  async (finder, policy, how) => {
    const { ns, objects, calls, cents } = bank(finder, [1, 2, 3]);
    const [o] = objects as [Account];
    const wrapped = new Proxy(o, {});
    const before = deepSnapshot({ objects });
    const result = await apply(how, ns, cents, { policy });
    expect(wrapped.get()).toBe(100);
    expect(o.get()).toBe(100);
    await finish(result);
    expect(objects.map((x) => x.get())).toEqual([100, 200, 300]);
    expect(calls).toEqual([1, 1, 1]);
    expect(result.pendingInstances()).toBe(0);
    result.rollback();
    expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
  },
  60_000,
);

test.each(["lazy", "progressive"] as const)(
  "%s: a revocable Proxy that was touched, then revoked, does not stop a rollback",
  (policy) => {
    const { ns, objects, cents } = bank("registry", [5, 7]);
    const { proxy, revoke } = Proxy.revocable(objects[0]!, {});
    const before = deepSnapshot({ objects });
    const result = updateSync(ns, cents, { policy });
    expect(proxy.get()).toBe(500);
    revoke();
    result.rollback();
    expect(result.state()).toBe("rolled-back");
    expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
  },
);

test("a migration that fails when a Proxy's touch completes the rest rolls back with the typed error", () => {
  const ns = new Namespace(`proxied-${++namespaces}`, { instanceFinder: "registry" });
  const B = ns.defineClass<{ a: number; touch(): number }>({
    name: "B",
    fields: [{ name: "a", initializer: "1" }],
    methods: {
      touch(this: { a: number }) {
        return this.a;
      },
    },
  });
  const objects = [new B({ a: 5 }), new B({ a: -1 })];
  const { proxy, revoke } = Proxy.revocable(objects[0]!, {});
  const before = deepSnapshot({ objects });
  const result = updateSync(
    ns,
    patch("p")
      .renameField("B", "a", "aa")
      .migrate("B", (old) => {
        if ((old.a as number) < 0) throw new Error("negative");
      })
      .replaceMethods("B", {
        touch(this: { aa: number }) {
          return this.aa;
        },
      })
      .build(),
    { policy: "lazy" },
  );
  // The old method runs on the object, back as it was.
  expect(proxy.touch()).toBe(5);
  revoke();
  expect(result.state()).toBe("rolled-back");
  return result.completion.then(
    () => expect.unreachable(),
    (error: { code?: string }) => {
      expect(error.code).toBe("MM_MIGRATION_FAILED");
      expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
    },
  );
});

/**
 * A proxy as Vue's `reactive()` makes one: every trap forwards with the
 * proxy as receiver, reads are tracked and writes trigger.
 */
function reactive<T extends object>(target: T, log: string[]): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "string") log.push(`track ${key}`);
      return Reflect.get(t, key, receiver);
    },
    set(t, key, value, receiver) {
      const done = Reflect.set(t, key, value, receiver);
      if (typeof key === "string") log.push(`trigger ${key}`);
      return done;
    },
    has(t, key) {
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      return Reflect.ownKeys(t);
    },
    deleteProperty(t, key) {
      return Reflect.deleteProperty(t, key);
    },
  });
}

test.each(["lazy", "progressive"] as const)(
  "%s: calls through reactive proxies run the new code on the migrated objects, state kept",
  async (policy) => {
    const { ns, objects, calls, cents } = bank("adaptive", [1, 2]);
    const log: string[] = [];
    const views = objects.map((o) => reactive(o, log));
    const result = updateSync(ns, cents, { policy });
    expect(views[1]!.deposit(1)).toBe(300);
    // The update did not write through the proxy: only the program's call did.
    expect(log).toEqual(["track deposit", "track balance", "trigger balance", "track balance"]);
    expect(views[0]!.get()).toBe(100);
    expect(objects.map((o) => o.get())).toEqual([100, 300]);
    await result.completion;
    expect(calls).toEqual([1, 1]);
    expect(Object.keys(objects[1]!)).toEqual(["id", "balance"]);
  },
);

test("property: direct and proxied touches in any order migrate each object once; rollback restores exactly (seed 4242)", async () => {
  const touch = fc.record({
    at: fc.nat(7),
    via: fc.constantFrom("direct", "proxy", "revocable", "tick"),
    deposit: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Finder>("registry", "adaptive", "registry", "heap"),
      fc.constantFrom<Policy>("lazy", "progressive"),
      fc.constantFrom<Apply>("updateSync", "update"),
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 6 }),
      fc.array(touch, { maxLength: 12 }),
      async (finder, policy, how, balances, touches) => {
        const { ns, objects, calls, cents } = bank(finder, balances);
        const plain = objects.map((o) => new Proxy(o, {}));
        const revocable = objects.map((o) => Proxy.revocable(o, {}));
        const before = deepSnapshot({ objects });
        const result = await apply(how, ns, cents, { policy, sliceSize: 1 });
        const expected = balances.map((b) => b * 100);
        const deposited = balances.map(() => false);
        for (const { at, via, deposit } of touches) {
          const k = at % objects.length;
          if (via === "tick") {
            await new Promise((resolve) => setImmediate(resolve));
            continue;
          }
          const target =
            via === "direct" ? objects[k]! : via === "proxy" ? plain[k]! : revocable[k]!.proxy;
          if (deposit) {
            expected[k]! += 100;
            deposited[k] = true;
            expect(target.deposit(1)).toBe(expected[k]);
          } else expect(target.get()).toBe(expected[k]);
        }
        await finish(result);
        expect(calls).toEqual(balances.map(() => 1));
        expect(objects.map((o) => o.get())).toEqual(expected);
        for (const { revoke } of revocable) revoke();
        result.rollback();
        // Rolled back: the old values, but a balance the program wrote since is kept.
        const after = deepSnapshot({ objects });
        if (!deposited.includes(true)) expect(snapshotDifference(before, after)).toBeUndefined();
        expect(objects.map((o) => o.get())).toEqual(
          balances.map((b, k) => (deposited[k] ? expected[k] : b)),
        );
      },
    ),
    { seed: 4242, numRuns: 60 },
  );
}, 300_000);

test("a method called through a Proxy from inside a migrator fails that migration: the update rolls back", async () => {
  const { ns, objects } = bank("registry", [1, 2]);
  const other = new Proxy(objects[1]!, {});
  const before = deepSnapshot({ objects });
  const result = updateSync(
    ns,
    patch("reads")
      .migrate("Account", (old, target) => {
        target.balance = (old.balance as number) + (old.id === 0 ? other.get() : 0);
      })
      .build(),
    { policy: "lazy" },
  );
  expect(objects[0]!.get()).toBe(1);
  expect(result.state()).toBe("rolled-back");
  await expect(result.completion).rejects.toMatchObject({
    code: "MM_MIGRATION_FAILED",
    details: { cause: { details: { cause: { code: "MM_MIGRATION_FAILED" } } } },
  });
  expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
});

test("once permanent, a call through a Proxy throws while an object that could not migrate is left", () => {
  const { ns, objects } = bank("registry", [1, -1, 3]);
  const wrapped = new Proxy(objects[0]!, {});
  const result = updateSync(
    ns,
    patch("strict")
      .migrate("Account", (old, target) => {
        if ((old.balance as number) < 0) throw new Error("negative");
        target.balance = (old.balance as number) * 100;
      })
      .build(),
    { policy: "lazy" },
  );
  result.makePermanent();
  expect(() => wrapped.get()).toThrow(expect.objectContaining({ code: "MM_MIGRATION_FAILED" }));
  // Every other object migrated, once.
  expect([objects[0]!.get(), objects[2]!.get()]).toEqual([100, 300]);
  expect(() => wrapped.get()).toThrow(/negative/);
  // The stranded object migrates once it can: the proxy works again.
  objects[1]!.balance = 2;
  expect(wrapped.get()).toBe(100);
  expect(objects[1]!.get()).toBe(200);
  expect(result.pendingInstances()).toBe(0);
});
