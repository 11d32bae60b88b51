/**
 * An object the program locked after it migrated (`Object.preventExtensions`,
 * `seal`, `freeze`: allowed, it is on the new layout) cannot take its old
 * layout back. A rollback used to find that out part-way: the objects before
 * it went back, that one lost its fields, and the update stayed committed
 * with the new methods over old-layout objects. Now every object to go back
 * is looked at first: the rollback is refused (`MM_ROLLBACK`) with nothing
 * changed, and the update stays committed and usable.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, update, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Acc = { value?: number; n?: number; get(): number };

const LOCKS: Record<string, (o: object) => void> = {
  preventExtensions: (o) => Object.preventExtensions(o),
  seal: (o) => Object.seal(o),
  freeze: (o) => Object.freeze(o),
  // A property it cannot delete, which the old fields would have to go in front of.
  defineFixed: (o) => Object.defineProperty(o, "fixed", { value: 1, enumerable: true }),
};

test("a rollback meeting a migrated object locked since is refused before anything changes (seed 808)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.integer({ min: 1, max: 6 }),
      fc.nat(),
      fc.constantFrom(...Object.keys(LOCKS)),
      (policy, count, pick, lock) => {
        const ns = new Namespace(`rollback-locked-${policy}`);
        class AccV1 {
          constructor(public n: number) {}
          get(): number {
            return this.n;
          }
        }
        const Handle = ns.registerClass(AccV1, { name: "Acc" }) as unknown as new (
          n: number,
        ) => Acc;
        const objects = Array.from({ length: count }, (_, i) => new Handle(i + 1));
        const result = updateSync(
          ns,
          patch("v2")
            .renameField("Acc", "n", "value")
            .replaceMethods("Acc", {
              get(this: { value: number }) {
                return this.value * 10;
              },
            })
            .build(),
          { policy },
        );
        // Touched (migrated, with a lazy update), then locked by the program.
        const locked = objects[pick % count]!;
        for (const object of objects.slice(0, (pick % count) + 1)) object.get();
        LOCKS[lock]!(locked);
        const before = deepSnapshot({ ns, objects });
        let thrown: unknown;
        try {
          result.rollback();
        } catch (error) {
          thrown = error;
        }
        expect((thrown as MetamorphError).code).toBe("MM_ROLLBACK");
        expect((thrown as Error).message).toMatch(
          /a Acc object was (made non-extensible|given a property it cannot delete \(`fixed`\)).* after it migrated.*nothing was rolled back/,
        );
        expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
        expect(result.state()).toBe("committed");
        expect(objects.map((o) => o.get())).toEqual(objects.map((_, i) => (i + 1) * 10));
      },
    ),
    // A deep snapshot of a namespace costs ~0.7 s: 16 runs cover both policies and the four locks.
    { seed: 808, numRuns: 16 },
  );
}, 120_000);

test("a lazy update whose rollback is refused leaves the object that failed on the old layout, and goes on", () => {
  const ns = new Namespace("rollback-locked-first-touch");
  class AccV1 {
    constructor(public n: number) {}
    get(): number {
      return this.n;
    }
  }
  const Handle = ns.registerClass(AccV1, { name: "Acc" }) as unknown as new (n: number) => Acc;
  const objects = Array.from({ length: 4 }, (_, i) => new Handle(i + 1));
  let broken = true;
  const result = updateSync(
    ns,
    patch("v2")
      .renameField("Acc", "n", "value")
      .migrate("Acc", (old) => {
        if (broken && old.n === 4) throw new Error("cannot migrate #4");
      })
      .replaceMethods("Acc", {
        get(this: { value: number }) {
          return this.value * 10;
        },
      })
      .build(),
    { policy: "lazy" },
  );
  objects[0]!.get();
  Object.preventExtensions(objects[0]!);
  let thrown: unknown;
  try {
    objects[3]!.get();
  } catch (error) {
    thrown = error;
  }
  expect((thrown as MetamorphError).code).toBe("MM_MIGRATION_FAILED");
  expect((thrown as Error).message).toMatch(
    /^update v2 cannot be rolled back \(.*non-extensible.*\), and migrating a Acc object \(first-touch\) failed: .*cannot migrate #4; the object stays on the old layout/,
  );
  expect([result.state(), ns.version]).toEqual(["committed", 2]);
  expect(objects.slice(0, 3).map((o) => o.get())).toEqual([10, 20, 30]);
  expect(Object.keys(objects[3]!)).toEqual(["n"]);
  expect(result.completeMigration().failed.map((f) => f.object)).toEqual([objects[3]]);
  // Once its migration succeeds, the update is complete.
  broken = false;
  expect(objects[3]!.get()).toBe(40);
  expect(result.pendingInstances()).toBe(0);
});

test("an afterCommit hook that locks a migrated object and throws, and a failed health check after such a lock: the update stays committed, and the error says so (review advZ6)", async () => {
  const world = (name: string) => {
    const ns = new Namespace(name);
    class AccV1 {
      constructor(public n: number) {}
      get(): number {
        return this.n;
      }
    }
    const Handle = ns.registerClass(AccV1, { name: "Acc" }) as unknown as new (n: number) => Acc;
    return { ns, objects: [new Handle(1), new Handle(2)] };
  };
  const renamed = () =>
    patch("v2")
      .renameField("Acc", "n", "value")
      .replaceMethods("Acc", {
        get(this: { value: number }) {
          return this.value * 10;
        },
      });
  const hooked = world("locked-after-commit");
  let thrown: unknown;
  try {
    updateSync(
      hooked.ns,
      renamed()
        .afterCommit("lock, then fail", () => {
          Object.freeze(hooked.objects[0]);
          throw new Error("hook failed");
        })
        .build(),
    );
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({
    code: "MM_AFTER_COMMIT_FAILED",
    details: expect.objectContaining({ rolledBack: false }),
    message: expect.stringMatching(
      /^update v2 stays committed at version 2: .*hook failed.*cannot be rolled back/,
    ),
  });
  expect([hooked.ns.version, hooked.objects.map((o) => o.get())]).toEqual([2, [10, 20]]);
  const checked = world("locked-health");
  const error = await update(checked.ns, renamed().build(), {
    healthCheck: () => {
      Object.preventExtensions(checked.objects[1]!);
      return false;
    },
  }).catch((e: unknown) => e as MetamorphError);
  expect(error).toMatchObject({ code: "MM_ROLLBACK" });
  expect((error as Error).message).toMatch(/failed its health check and stays committed/);
  const result = (error as MetamorphError).details.result as { state(): string };
  expect([result.state(), checked.ns.version]).toEqual(["committed", 2]);
});

/** Three Items (`x` 0, 1, 2, and the other fields given) whose `get` answers `v1:x`. */
function items(name: string, more: readonly string[] = []) {
  const ns = new Namespace(name);
  const Item = ns.defineClass<{ x: number; size?: Record<string, number>; get(): string }>({
    name: "Item",
    fields: [
      { name: "x", initializer: "0" },
      ...more.map((f, i) => ({ name: f, initializer: `${i + 1}` })),
    ],
    methods: {
      get(this: { x: number }) {
        return `v1:${this.x}`;
      },
    },
  });
  return { ns, objects: [0, 1, 2].map((x) => new Item({ x })) };
}

const THROWING: PropertyDescriptor = {
  get() {
    throw new Error("getter throws");
  },
  enumerable: true,
  configurable: true,
};

/** What `rollback()` threw. */
function refusal(result: { rollback(): void }): unknown {
  try {
    result.rollback();
  } catch (error) {
    return error;
  }
  return undefined;
}

test.each(["eager", "lazy"] as const)(
  "a rollback meeting a migrated field the program made an accessor whose getter throws is refused before anything changes (%s, review advW2)",
  (policy) => {
    const { ns, objects } = items(`rollback-throwing-getter-${policy}`);
    const result = updateSync(
      ns,
      patch("v2")
        .renameField("Item", "x", "z")
        .replaceMethods("Item", {
          get(this: { z: number }) {
            return `v2:${this.z}`;
          },
        })
        .build(),
      { policy },
    );
    for (const o of objects) o.get();
    Object.defineProperty(objects[1]!, "z", THROWING);
    const others = () => deepSnapshot({ ns, objects: [objects[0]!, objects[2]!] });
    const before = others();
    const thrown = refusal(result);
    // Was: the getter's Error escaped half-way, object 0 back on the old layout under v2's methods.
    expect((thrown as MetamorphError).code).toBe("MM_ROLLBACK");
    expect((thrown as Error).message).toContain("accessor for `z` whose getter throws");
    expect(result.state()).toBe("committed");
    expect(snapshotDifference(before, others())).toBeUndefined();
    expect([objects[0]!.get(), objects[2]!.get()]).toEqual(["v2:0", "v2:2"]);
  },
);

test.each(["eager", "lazy"] as const)(
  "a rollback meeting a throwing getter on the object a split moved fields into is refused before anything changes (%s, review advW4)",
  (policy) => {
    const { ns, objects } = items(`rollback-split-getter-${policy}`, ["w", "h"]);
    const result = updateSync(
      ns,
      patch("split")
        .splitClass("Item", ["w", "h"], { into: "Size", via: "size" })
        .replaceMethods("Item", {
          get(this: { x: number }) {
            return `v2:${this.x}`;
          },
        })
        .policy(policy)
        .build(),
    );
    for (const o of objects) o.get();
    Object.defineProperty(objects[1]!.size!, "w", THROWING);
    const thrown = refusal(result);
    // Was: the getter's error escaped half-way, object 0 back on the old layout under v2's methods.
    expect((thrown as MetamorphError).code).toBe("MM_ROLLBACK");
    expect((thrown as Error).message).toContain("accessor for `size.w`");
    expect(objects.map((o) => [Object.keys(o), o.get()])).toEqual([
      [["x", "size"], "v2:0"],
      [["x", "size"], "v2:1"],
      [["x", "size"], "v2:2"],
    ]);
  },
);
