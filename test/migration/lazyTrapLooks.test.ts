/**
 * A lazy or progressive update of a class whose constructor returns a
 * Proxy, one of whose objects' traps starts throwing after the commit (a
 * membrane closed, not revoked). A touch of another object through its
 * Proxy completes the whole migration (lazyCompletion.ts `throughProxy`),
 * and the look for the pending objects read the closed one: the program's
 * trap error came out of that unrelated method call (and out of
 * `completeMigration()`, and the sweep's completion), with the update left
 * pending and every later touch through a Proxy throwing it again. Such an
 * object cannot be migrated: the look now refuses it (MM_UNSWAPPABLE_OBJECT,
 * rule `unreadable`) and the update rolls back as after a failed first
 * touch, the touching call running the old method. The rollback no longer
 * reads the objects still pending (rollback.ts `lockedMigrated`), which
 * made it fail on the same trap.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { MetamorphError, Namespace, patch, type UpdateResult, update } from "../../src/index.js";

class TrapError extends Error {}

type Trap =
  | "getPrototypeOf"
  | "ownKeys"
  | "get"
  | "has"
  | "getOwnPropertyDescriptor"
  | "isExtensible";
type How = "touch" | "complete" | "sweep";

const TRAPS: Trap[] = [
  "getPrototypeOf",
  "ownKeys",
  "get",
  "has",
  "getOwnPropertyDescriptor",
  "isExtensible",
];
/** Whose closing the rollback itself still meets (its own look at the objects: see the last test). */
const ROLLBACK_READS: Trap[] = ["getPrototypeOf", "has", "getOwnPropertyDescriptor"];

let worlds = 0;

function bank(trap: Trap, n: number) {
  const ns = new Namespace(`lazy-trap-looks-${++worlds}`, { instanceFinder: "registry" });
  const closed = new Set<object>();
  const targets: object[] = [];
  const handler: ProxyHandler<object> = {
    [trap]: (...args: unknown[]) => {
      if (closed.has(args[0] as object)) throw new TrapError(`closed: ${trap}`);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    },
  };
  const Account = ns.registerClass(
    new Function(
      "handler",
      "targets",
      `return class Account {
        constructor(owner, cents) { this.owner = owner; this.cents = cents; targets.push(this); return new Proxy(this, handler); }
        total() { return this.cents; }
      }`,
    )(handler, targets),
  ) as new (
    owner: string,
    cents: number,
  ) => { total(): number };
  const accounts = Array.from({ length: n }, (_, i) => new Account(`o${i}`, i + 1));
  return { ns, accounts, targets, close: (i: number) => closed.add(targets[i]!) };
}

const held = (targets: readonly object[]) =>
  targets.map((t) => Reflect.ownKeys(t).map((k) => [k, Object.getOwnPropertyDescriptor(t, k)]));

const amount = () =>
  patch("amount")
    .renameField("Account", "cents", "amount")
    .replaceMethods("Account", {
      total(this: { amount: number }) {
        return this.amount * 10;
      },
    })
    .build();

/** The update, the closing of object `closing`, then the look: a touch of another object, `completeMigration()` or the sweep. */
async function run(trap: Trap, how: How, n: number, closing: number) {
  const world = bank(trap, n);
  const before = held(world.targets);
  const result: UpdateResult = await update(world.ns, amount(), {
    policy: how === "sweep" ? "progressive" : "lazy",
  });
  world.close(closing);
  const touched = (closing + 1) % n;
  let thrown: unknown;
  let answer: unknown;
  try {
    if (how === "touch") answer = world.accounts[touched]!.total();
    else if (how === "complete") result.completeMigration();
    else await result.completion;
  } catch (error) {
    thrown = error;
  }
  const completion = await Promise.race([
    result.completion.then(
      () => undefined,
      (error: unknown) => error,
    ),
    new Promise((resolve) => setTimeout(() => resolve("pending"), 20)),
  ]);
  return { ...world, before, result, touched, thrown, answer, completion };
}

const cases = (traps: Trap[]) =>
  fc.tuple(
    fc.constantFrom(...traps),
    fc.constantFrom<How>("touch", "complete", "sweep"),
    fc.integer({ min: 2, max: 4 }),
    fc.nat(),
  );

test("property: no trap error of the program comes out of a touch, a completion or the sweep", async () => {
  await fc.assert(
    fc.asyncProperty(cases(TRAPS), async ([trap, how, n, at]) => {
      const { thrown, completion } = await run(trap, how, n, at % n);
      for (const error of [thrown, completion]) {
        if (error === undefined || error === "pending") continue;
        expect(error).not.toBeInstanceOf(TrapError);
        expect(error).toBeInstanceOf(MetamorphError);
      }
    }),
    { seed: 6161, numRuns: 80 },
  );
});

test("property: the update rolls back with nothing lost, and the touching call runs the old method", async () => {
  const rolledBack = TRAPS.filter((t) => !ROLLBACK_READS.includes(t));
  await fc.assert(
    fc.asyncProperty(cases(rolledBack), async ([trap, how, n, at]) => {
      const { accounts, targets, before, result, touched, answer, completion } = await run(
        trap,
        how,
        n,
        at % n,
      );
      expect(result.state()).toBe("rolled-back");
      expect((completion as MetamorphError).code).toBe("MM_MIGRATION_FAILED");
      if (how === "touch") expect(answer).toBe(touched + 1);
      expect(held(targets)).toEqual(before);
      // Not stuck: the other objects answer on the old version.
      accounts.forEach((a, i) => {
        if (i !== at % n) expect(a.total()).toBe(i + 1);
      });
    }),
    { seed: 6262, numRuns: 60 },
  );
});

// Known limit: the rollback's own look at the objects (the registry's list,
// read again through `getPrototypeOf` and the shadow-copy check; the brand
// checks, `symbol in proxy`) meets the closed trap and fails, before it
// changes anything: the update stays committed, every guarded call throwing
// that failure (MM_MIGRATION_FAILED, typed). Those looks are rollback.ts's,
// registryFinder.ts's compaction and lazyBrand.ts's.
test.fails.each(ROLLBACK_READS)("a %s trap closed: the rollback reads it too", async (trap) => {
  const { targets, before, result } = await run(trap, "touch", 3, 2);
  expect(result.state()).toBe("rolled-back");
  expect(held(targets)).toEqual(before);
});
