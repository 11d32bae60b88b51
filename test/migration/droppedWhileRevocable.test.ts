/**
 * Objects the program drops while an update is still revocable (review
 * advZ28 #1, critical, open). `metamorph dev` keeps its last update
 * revocable and makes it permanent when the next one commits; a release
 * waits for `metamorph permanent`. The revocable update's migration log
 * holds every object it migrated strongly, so the next update finds the
 * dropped ones too, migrates and logs them in turn, and none is ever
 * collected: each update migrates more objects than the program holds
 * (300 live, +50 dropped a step: 2,500 → 10,000 migrated over 200 steps).
 * A dropped object needs no restoring: the log should hold it weakly.
 */
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateResult, updateSync } from "../../src/index.js";
import { collectGarbage } from "../support/v8.js";

test.fails("objects dropped while the previous update is revocable are collected, and the next updates do not migrate them", async () => {
  const ns = new Namespace("dropped-while-revocable", { instanceFinder: "registry" });
  const Item = ns.defineClass<{ a: number }>({
    name: "Item",
    fields: [{ name: "a", initializer: "0" }],
    methods: {},
  });
  const live: object[] = [];
  const dropped: WeakRef<object>[] = [];
  let previous: UpdateResult | undefined;
  let last: UpdateResult | undefined;
  for (let k = 1; k <= 12; k++) {
    for (let i = 0; i < 10; i++) live.push(new Item({ a: i }));
    for (const o of live.splice(0, live.length - 20)) dropped.push(new WeakRef(o));
    const p = patch(`p${k}`);
    last = updateSync(
      ns,
      (k % 2 === 1
        ? p.addField("Item", `f${k}`, { default: k })
        : p.removeField("Item", `f${k - 1}`)
      ).build(),
    );
    // As `metamorph dev` does: the newest stays revocable.
    previous?.makePermanent();
    previous = last;
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  collectGarbage();
  // The last update holds the last step's dropped objects at most.
  expect(dropped.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(20);
  expect(last!.instancesMigrated).toBeLessThanOrEqual(40);
});
