/**
 * An object from which the program deleted a field before a lazy or
 * progressive update that drops that field is on the new layout already.
 * The update took it for one built since its commit (builtSince.ts): it
 * was never migrated nor logged, and a rollback — asked for, or after a
 * failed health check, afterCommit hook or first touch — gave it the old
 * version's default for the field, which it never had (`{"b1":1}` came back
 * as `{"b0":0,"b1":1}`). An eager update restored it exactly. A class whose
 * objects are all built through its handle (`defineClass`, or registered
 * with `constructedOnlyThroughHandle`) has its objects built since marked
 * at construction: an unmarked one is an old one, whatever its layout.
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
type Kind = "defined" | "registered";
type B = { b0?: number; b1: number; touch(): number } & Record<string, unknown>;

let namespaces = 0;

/** A class B { b0 = 0; b1 = 1 }, defined or registered as built only through its handle. */
function world(finder: Finder, kind: Kind) {
  const ns = new Namespace(`deleted-${++namespaces}`, { instanceFinder: finder });
  const Class =
    kind === "defined"
      ? ns.defineClass<B>({
          name: "B",
          fields: [
            { name: "b0", initializer: "0" },
            { name: "b1", initializer: "1" },
          ],
          methods: {
            touch(this: B) {
              return this.b1;
            },
          },
        })
      : (ns.registerClass(
          class B {
            b0 = 0;
            b1 = 1;
            touch() {
              return this.b1;
            }
          },
          { constructedOnlyThroughHandle: true },
        ) as unknown as new () => B);
  return { ns, B: Class as unknown as new () => B };
}

type Failure = "rollback" | "health" | "afterCommit" | "touch";

async function run(
  finder: Finder,
  kind: Kind,
  policy: "lazy" | "progressive",
  failure: Failure,
  complete: boolean,
) {
  const { ns, B } = world(finder, kind);
  const deleted = new B();
  delete deleted.b0;
  const kept = new B();
  kept.b0 = failure === "touch" ? -1 : 5;
  const objects = [deleted, kept];
  const before = deepSnapshot({ objects });
  let p = patch("drop").removeField("B", "b0");
  if (failure === "touch")
    p = p.migrate("B", (old) => {
      if (old.b0 === -1) throw new Error("cannot drop a negative b0");
    });
  if (failure === "afterCommit")
    p = p.afterCommit("fails", () => {
      throw new Error("after commit");
    });
  const options: UpdateOptions = {
    policy,
    ...(failure === "health" ? { healthCheck: () => false } : {}),
  };
  let result: UpdateResult | undefined;
  try {
    result = await update(ns, p.build(), options);
  } catch (error) {
    expect((error as { code?: string }).code).toBe("MM_AFTER_COMMIT_FAILED");
  }
  if (result?.state() === "committed") {
    const made = new B();
    if (complete && failure !== "touch") result.completeMigration();
    if (failure === "touch") expect(kept.touch()).toBe(1);
    else result.rollback();
    expect(result.state()).toBe("rolled-back");
    // Built since the commit: the old layout, with the old defaults.
    expect(Object.entries(made)).toEqual([
      ["b0", 0],
      ["b1", 1],
    ]);
  }
  return snapshotDifference(before, deepSnapshot({ objects }));
}

const cases = (["registry", "heap", "adaptive"] as const).flatMap((finder) =>
  (["defined", "registered"] as const).flatMap((kind) =>
    (["lazy", "progressive"] as const).flatMap((policy) =>
      (["rollback", "health", "afterCommit", "touch"] as const).map(
        (failure) => [finder, kind, policy, failure] as const,
      ),
    ),
  ),
);

test.each(cases)(
  "%s, %s, %s, %s: an old object that lost the dropped field gets exactly its state back",
  async (finder, kind, policy, failure) => {
    expect(await run(finder, kind, policy, failure, false)).toBeUndefined();
  },
  60_000,
);

test.each(
  (["registry", "heap", "adaptive"] as const).flatMap((finder) =>
    (["defined", "registered"] as const).map((kind) => [finder, kind] as const),
  ),
)(
  "%s, %s: after completeMigration() (a bulk pass) too",
  async (finder, kind) => {
    expect(await run(finder, kind, "lazy", "rollback", true)).toBeUndefined();
  },
  60_000,
);

test("property: old objects with and without the dropped field, touched in any order, migrate and roll back exactly (seed 2026)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Finder>("registry", "adaptive", "registry", "heap"),
      fc.constantFrom<Kind>("defined", "registered"),
      fc.constantFrom("lazy" as const, "progressive" as const),
      fc.boolean(),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
      fc.array(fc.oneof(fc.nat(9), fc.constant("build" as const), fc.constant("tick" as const)), {
        maxLength: 8,
      }),
      fc.constantFrom<"rollback" | "complete-then-rollback">("rollback", "complete-then-rollback"),
      async (finder, kind, policy, sync, deletions, actions, end) => {
        const { ns, B } = world(finder, kind);
        const objects = deletions.map((del, i) => {
          const o = new B();
          o.b1 = i;
          if (del) delete o.b0;
          return o;
        });
        const before = deepSnapshot({ objects });
        const p = patch("drop")
          .removeField("B", "b0")
          .migrate("B", (old, target) => {
            target.b1 = old.b1 as number;
          })
          .build();
        const result = sync ? updateSync(ns, p, { policy }) : await update(ns, p, { policy });
        const made: B[] = [];
        for (const a of actions) {
          if (a === "build") made.push(new B());
          else if (a === "tick") await new Promise((resolve) => setImmediate(resolve));
          else objects[a % objects.length]!.touch();
        }
        if (end === "complete-then-rollback") result.completeMigration();
        expect(objects.map((o) => o.touch())).toEqual(objects.map((_, i) => i));
        result.rollback();
        expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
        for (const o of made) expect(Object.keys(o)).toEqual(["b0", "b1"]);
      },
    ),
    { seed: 2026, numRuns: 50 },
  );
}, 300_000);
