/**
 * Nothing of a lazy update stays reachable once a later one is permanent
 * (review advZ28 #2). Each lazy update first completes the one before it and
 * kept it for a rollback to reopen; that reference outlived
 * `makePermanent()`, so every lazy update the namespace ever had stayed
 * chained to the newest (plans, compiled migrations, old definitions: ~37 kB
 * an update, for good, in a service that updates lazily).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { collectGarbage } from "../support/v8.js";

async function collectedCount(refs: readonly WeakRef<object>[]): Promise<number> {
  for (let i = 0; i < 20; i++) {
    // A new job: WeakRefs made or deref'd in the previous one pin their targets until it ends.
    await new Promise((resolve) => setTimeout(resolve, i === 0 ? 0 : 10));
    collectGarbage();
  }
  return refs.filter((ref) => ref.deref() === undefined).length;
}

test.each(["lazy", "progressive"] as const)(
  "%s updates made permanent one after another: the earlier ones' migrators are collected",
  async (policy) => {
    const ns = new Namespace(`lazy-chain-${policy}`, { instanceFinder: "registry" });
    const Item = ns.defineClass<{ a: number }>({
      name: "Item",
      fields: [{ name: "a", initializer: "0" }],
      methods: {},
    });
    const items = Array.from({ length: 20 }, (_, i) => new Item({ a: i }));
    const migrators: WeakRef<Function>[] = [];
    const UPDATES = 8;
    for (let k = 1; k <= UPDATES; k++) {
      const field = `f${k}`;
      // A function of its own per update, held by its plan: a marker of what the update keeps.
      const migrator = (old: Record<string, unknown>, target: Record<string, unknown>) => {
        target[field] = (old.a as number) + k;
      };
      migrators.push(new WeakRef(migrator));
      const p = patch(`p${k}`).policy(policy).addField("Item", field, { default: 0 });
      const removed = k > 1 ? p.removeField("Item", `f${k - 1}`) : p;
      updateSync(ns, removed.migrate("Item", migrator).build()).makePermanent();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // The newest may stay pending (and held by the namespace); every one before it goes.
    expect(await collectedCount(migrators.slice(0, UPDATES - 2))).toBe(UPDATES - 2);
    expect(items.map((o) => o.a)).toEqual(items.map((_, i) => i));
  },
);
