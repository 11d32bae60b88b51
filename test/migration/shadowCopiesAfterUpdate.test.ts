/**
 * Issue 13, goal 2 (second half): nothing of an update stays reachable after
 * `makePermanent()` or once its result is dropped, and the shadow copies an
 * update computes new states on are never found as instances by either
 * finder — `allInstances` returns N (not 2N), the next update migrates N, a
 * progressive sweep reports N.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateResult, update, updateSync } from "../../src/index.js";
import { collectGarbage } from "../support/v8.js";

type Finder = "registry" | "heap";
const N = 40;

function pictures(finder: Finder) {
  const ns = new Namespace("pictures", { instanceFinder: finder });
  const Picture = ns.defineClass<{ size: number }>({
    name: "Picture",
    fields: [{ name: "size", initializer: "0" }],
    methods: {},
  });
  const list = Array.from({ length: N }, (_, i) => new Picture({ size: i }));
  return { ns, Picture, list };
}

/**
 * A field added by a migrator, which makes the engine compute each new state
 * on a shadow copy (the migrator's `target`); `copies` gets a WeakRef to each.
 */
function withMigrator(name: string, copies: WeakRef<object>[]) {
  return patch(name)
    .addField("Picture", name, { default: 0 })
    .migrate("Picture", (old, target) => {
      copies.push(new WeakRef(target));
      (target as Record<string, unknown>)[name] = (old.size as number) + 1;
    })
    .build();
}

/** Collects until every ref is cleared; false if some object stays reachable. */
async function collected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    // A new job: WeakRefs made or deref'd in the previous one pin their targets until it ends.
    await new Promise((resolve) => setTimeout(resolve, i === 0 ? 0 : 10));
    collectGarbage();
    if (refs.every((ref) => ref.deref() === undefined)) return true;
  }
  return false;
}

describe.each<Finder>(["registry", "heap"])("with the %s finder", (finder) => {
  test("after makePermanent, the shadow copies are collected while the result is held, and never found", async () => {
    const { ns, Picture, list } = pictures(finder);
    const copies: WeakRef<object>[] = [];
    const first = await update(ns, withMigrator("a", copies));
    expect(copies).toHaveLength(N);
    first.makePermanent();
    expect(ns.allInstances(Picture)).toHaveLength(N);
    expect(await collected(copies)).toBe(true);
    // Held until here: the result itself must not keep them.
    expect(first.state()).toBe("permanent");

    const secondCopies: WeakRef<object>[] = [];
    const second = updateSync(ns, withMigrator("b", secondCopies));
    expect(second.instancesMigrated).toBe(N);
    // Same job as the update: its WeakRefs keep every copy alive, and a heap query would see them.
    expect(secondCopies.every((ref) => ref.deref() !== undefined)).toBe(true);
    expect(ns.allInstances(Picture)).toHaveLength(N);
    second.makePermanent();
    expect(ns.allInstances(Picture)).toHaveLength(N);

    const sweep = await update(ns, withMigrator("c", []), { policy: "progressive" });
    const completion = await sweep.completion;
    expect(completion.migrated).toBe(N);
    expect(completion.failed).toEqual([]);
    sweep.makePermanent();
    expect(ns.allInstances(Picture)).toHaveLength(N);
    expect(list.every((o) => Object.keys(o).join() === "size,a,b,c")).toBe(true);
    expect(list[3]).toMatchObject({ a: 4, b: 4, c: 4 });
  });

  test("once the result of an update is dropped, the update's shadow copies and the result are collected", async () => {
    const { ns, Picture, list } = pictures(finder);
    const copies: WeakRef<object>[] = [];
    let result: UpdateResult | undefined = await update(ns, withMigrator("a", copies));
    const resultRef = new WeakRef(result);
    expect(result.instancesMigrated).toBe(N);
    result = undefined;
    expect(await collected([...copies, resultRef])).toBe(true);
    expect(ns.allInstances(Picture)).toHaveLength(N);
    expect(list[0]).toMatchObject({ a: 1 });
  });

  test("a rolled-back update's shadow copies are never found and are collected", async () => {
    const { ns, Picture, list } = pictures(finder);
    const copies: WeakRef<object>[] = [];
    const result = updateSync(ns, withMigrator("a", copies));
    result.rollback();
    // Same job: every copy is alive (see above).
    expect(copies.every((ref) => ref.deref() !== undefined)).toBe(true);
    expect(ns.allInstances(Picture)).toHaveLength(N);
    expect(await collected(copies)).toBe(true);
    const again = updateSync(ns, withMigrator("a", []));
    expect(again.instancesMigrated).toBe(N);
    expect(list[0]).toMatchObject({ a: 1 });
  });
});
