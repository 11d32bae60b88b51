/**
 * A later update completes a pending lazy update first; refused, it puts
 * that completion back (the objects pending again). The earlier update's
 * `completion` had resolved all the same (review advZ2, F3): "migrated: 300"
 * while 299 objects were still on the old layout — and a rollback after it
 * then could not reject it. It now resolves only once the later update
 * commits; refused, the completion stays pending until the objects really
 * migrate (or rejects if the update is rolled back first).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  patch,
  type UpdateResult,
  updateSync,
} from "../../src/index.js";

type P = { x: number; get(): number };

/** How the later update B ends. */
const ENDS = ["validation", "migrator", "afterCommit", "commits"] as const;

function watch(result: UpdateResult): { state: string } {
  const seen = { state: "pending" };
  result.completion.then(
    (c) => {
      seen.state = `resolved ${c.migrated}`;
    },
    (e: unknown) => {
      seen.state = `rejected ${(e as MetamorphError).code}`;
    },
  );
  return seen;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("property: an earlier lazy update's completion resolves only once the later update that completed it commits (seed 9091)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("lazy" as const, "progressive" as const),
      fc.integer({ min: 2, max: 40 }),
      fc.nat(),
      fc.constantFrom(...ENDS),
      fc.constantFrom("complete" as const, "rollback" as const),
      async (policy, count, touched, end, then) => {
        const ns = new Namespace(`held-completion-${policy}`);
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [{ name: "x", initializer: "0" }],
          methods: {
            get() {
              return (this as unknown as { x: number }).x;
            },
          },
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        const a = updateSync(
          ns,
          patch("A")
            .addField("P", "y", { initial: (o) => (o.x as number) + 1000 })
            .build(),
          // One object a slice: the sweep has not finished by the time B comes.
          { policy, sliceSize: 1 },
        );
        const seen = watch(a);
        for (let t = 0; t < 1 + (touched % (count - 1)); t++) objects[t]!.get();
        let b = patch("B").addField("P", "z", { default: 1 });
        if (end === "validation") b = b.validate("refuse", () => false);
        if (end === "migrator")
          b = b.migrate("P", () => {
            throw new Error("cannot");
          });
        if (end === "afterCommit")
          b = b.afterCommit("fails", () => {
            throw new Error("cannot");
          });
        let refused: string | undefined;
        try {
          updateSync(ns, b.build());
        } catch (error) {
          refused = (error as MetamorphError).code;
        }
        expect(refused === undefined).toBe(end === "commits");
        // Told (or not) synchronously: no sweep slice has run since.
        await Promise.resolve();
        if (end === "commits") {
          expect(seen.state).toBe(`resolved ${count}`);
          return;
        }
        // Whatever the sweep did meanwhile, resolved means nothing is pending.
        await settle();
        if (seen.state !== "pending") expect(a.pendingInstances()).toBe(0);
        // No sweep: the objects B's completion had migrated are pending again.
        if (policy === "lazy") {
          expect(seen.state).toBe("pending");
          expect(a.pendingInstances()).toBeGreaterThan(0);
        }
        if (then === "complete") {
          a.completeMigration();
          await settle();
          expect(seen.state).toBe(`resolved ${count}`);
        } else if (seen.state === "pending") {
          a.rollback();
          await settle();
          expect(seen.state).toBe("rejected MM_ROLLBACK");
          expect(objects.map((o) => Object.keys(o))).toEqual(objects.map(() => ["x"]));
        }
      },
    ),
    { seed: 9091, numRuns: 120 },
  );
});

test("refused after completing it, the later update leaves the earlier one's completion pending (lazy, 300 objects, one touched)", async () => {
  const ns = new Namespace("held-completion-300");
  const Handle = ns.defineClass<P>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
    methods: {
      get() {
        return (this as unknown as { x: number }).x;
      },
    },
  }) as unknown as new (init: {
    x: number;
  }) => P;
  const objects = Array.from({ length: 300 }, (_, i) => new Handle({ x: i }));
  const a = updateSync(
    ns,
    patch("A")
      .addField("P", "y", { initial: (o) => (o.x as number) + 1000 })
      .build(),
    { policy: "lazy" },
  );
  const seen = watch(a);
  objects[0]!.get();
  expect(() =>
    updateSync(
      ns,
      patch("B")
        .addField("P", "z", { default: 1 })
        .validate("refuse", () => false)
        .build(),
    ),
  ).toThrow(MetamorphError);
  await settle();
  expect([seen.state, a.pendingInstances()]).toEqual(["pending", 299]);
  a.rollback();
  await settle();
  expect(seen.state).toBe("rejected MM_ROLLBACK");
});

test("made permanent while the later update runs, then that update refused: nothing reopens it, and its completion resolves", async () => {
  const ns = new Namespace("held-completion-permanent");
  const Handle = ns.defineClass<P>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
    methods: {
      get() {
        return (this as unknown as { x: number }).x;
      },
    },
  }) as unknown as new (init: {
    x: number;
  }) => P;
  const objects = Array.from({ length: 5 }, (_, i) => new Handle({ x: i }));
  const a = updateSync(
    ns,
    patch("A")
      .addField("P", "y", { initial: (o) => (o.x as number) + 1000 })
      .build(),
    { policy: "lazy" },
  );
  const seen = watch(a);
  objects[0]!.get();
  expect(() =>
    updateSync(
      ns,
      patch("B")
        .addField("P", "z", { default: 1 })
        .validate("refuse", () => {
          a.makePermanent();
          return false;
        })
        .build(),
    ),
  ).toThrow(MetamorphError);
  await settle();
  expect([a.state(), seen.state, a.pendingInstances()]).toEqual(["permanent", "resolved 5", 0]);
  expect(objects.map((o) => (o as unknown as { y: number }).y)).toEqual([
    1000, 1001, 1002, 1003, 1004,
  ]);
});
