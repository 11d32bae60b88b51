/**
 * A release that turns a field into an accessor over new state (three 0.160
 * → 0.170: RenderTarget's `texture` field became `get texture() { return
 * this.textures[0]; }`) committed with a warning, every object lost the
 * value, and the new release's own methods threw (review advZ10). Refused
 * before anything changes unless a migrator carries the value; with one,
 * the objects keep it and the new code reads it.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, update } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Target = { texture: { name: string }; size: number; clone(): Target };

function releaseA(): new (size?: number) => Target {
  return new Function(`"use strict";
    return class RenderTarget {
      constructor(size = 1) { this.size = size; this.texture = { name: "" }; }
      clone() { const c = new this.constructor(this.size); c.texture = { name: this.texture.name }; return c; }
    };`)();
}

function releaseB(): new (size?: number) => Target {
  return new Function(`"use strict";
    return class RenderTarget {
      constructor(size = 1) { this.size = size; this.textures = [{ name: "" }]; }
      get texture() { return this.textures[0]; }
      set texture(value) { this.textures[0] = value; }
      clone() { const c = new this.constructor(this.size); c.textures = this.textures.map((t) => ({ name: t.name })); return c; }
    };`)();
}

test("property: refused without a migrator under every policy, nothing changed; carried by one, the new code reads it (seed 19)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
      fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      async (policy, names, migrated) => {
        const ns = new Namespace("three", { instanceFinder: "registry" });
        const RT = ns.registerClass(releaseA(), { name: "RenderTarget" });
        const targets = names.map((name, i) => {
          const t = new RT(i + 1);
          t.texture.name = name;
          return t;
        });
        const before = deepSnapshot({ ns, objects: targets });
        let p = patch("0.170").replaceImplementation("RenderTarget", releaseB());
        if (migrated)
          p = p.migrate("RenderTarget", (old, target) => {
            (target as { textures: unknown[] }).textures = [old.texture];
          });
        const run = update(ns, p.policy(policy).build());
        if (!migrated) {
          const error = (await run.catch((e: unknown) => e)) as MetamorphError;
          expect(error).toMatchObject({
            code: "MM_INVALID_PATCH",
            details: { className: "RenderTarget", fields: ["texture"] },
          });
          expect(error.message).toMatch(/turns field `texture` into accessor/);
          expect(
            snapshotDifference(before, deepSnapshot({ ns, objects: targets })),
          ).toBeUndefined();
          return;
        }
        const result = await run;
        result.completeMigration?.();
        expect(targets.map((t) => t.texture.name)).toEqual(names);
        expect(targets.map((t) => t.clone().texture.name)).toEqual(names);
      },
    ),
    { seed: 19, numRuns: 24 },
  );
});

test("a field becoming a getter with no setter computes what it held: not refused", async () => {
  const A = new Function(`"use strict";
    return class List { constructor() { this.items = []; this.length = 0; } push(x) { this.items.push(x); this.length++; } };`)();
  const B = new Function(`"use strict";
    return class List { constructor() { this.items = []; } get length() { return this.items.length; } push(x) { this.items.push(x); } };`)();
  const ns = new Namespace("list", { instanceFinder: "registry" });
  const L = ns.registerClass(A, { name: "List" }) as new () => {
    push(x: number): void;
    length: number;
  };
  const list = new L();
  list.push(1);
  list.push(2);
  const result = await update(ns, patch("b").replaceImplementation("List", B).build());
  expect(result.state()).toBe("committed");
  expect(list.length).toBe(2);
});
