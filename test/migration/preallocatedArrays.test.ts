/**
 * An eager update() allocates the arrays its migration logs fill (old values,
 * computed values) before its pause, once the instances are found
 * (phases/ahead.ts), at the size the plan needs: none of old values where the
 * plan keeps none. The pause uses them where they are long enough and
 * allocates its own otherwise; the result, and a rollback, are the same
 * either way. It also runs the plan's scan over the first instances, where
 * reading them runs no code.
 */
import { describe, expect, test } from "vitest";
import { patch, update, updateSync } from "../../src/index.js";
import { findBeforePause } from "../../src/migration/phases/find.js";
import { updateSyncFound } from "../../src/migration/update.js";
import { pictures, type Rec } from "../support/pictures.js";

const FINDERS = ["registry", "heap"] as const;

/** Removes two fields, renames one, computes two: old values (3) and computed values (2) per object. */
const reshape = () =>
  patch("reshape")
    .removeField("Picture", "path")
    .removeField("Picture", "size")
    .renameField("Picture", "name", "title")
    .addField("Picture", "weight2", { initial: (old) => (old.size as number) * 2 })
    .addField("Picture", "depth", { initial: (old) => (old.path as string).length })
    .build();

const addField = () => patch("add").addField("Picture", "comment", { default: "" }).build();

const snapshot = (list: readonly Rec[]) => list.map((o) => Object.entries(o));

describe.each(FINDERS)("arrays allocated before the pause (%s finder)", (finder) => {
  test("sized by the plan for the objects found: old and computed values of a reshape", async () => {
    const n = 1000;
    const { ns, Picture, list } = pictures(n, `pre-${finder}`, finder);
    const found = await findBeforePause(ns, reshape(), "eager", true);
    const arrays = found!.arrays.get(Object.getPrototypeOf(list[0]!))!;
    expect(arrays.old!.length).toBeGreaterThanOrEqual(n * 3);
    expect(arrays.computed!.length).toBeGreaterThanOrEqual(n * 2);
    expect(Object.getPrototypeOf(list[0]!)).toBe(Picture.prototype);
    found!.release();
  });

  test("no array of old values for a plan that keeps none; one with a commit-step callback", async () => {
    const { ns, list } = pictures(100, `lean-${finder}`, finder);
    const prototype = Object.getPrototypeOf(list[0]!);
    const lean = await findBeforePause(ns, addField(), "eager", true);
    // Nothing to allocate: the default is a constant and no old value is kept.
    expect(lean!.arrays.has(prototype)).toBe(false);
    lean!.release();
    const stepped = await findBeforePause(ns, addField(), "eager", false);
    expect(stepped!.arrays.get(prototype)!.old!.length).toBeGreaterThanOrEqual(300);
    stepped!.release();
  });

  test("the pause takes them, and the update and its rollback are exact", async () => {
    const n = 1000;
    const { ns, list } = pictures(n, `use-${finder}`, finder);
    const before = snapshot(list);
    const found = await findBeforePause(ns, reshape(), "eager", true);
    const result = updateSyncFound(ns, reshape(), {}, found);
    expect(found!.arrays.size).toBe(0);
    expect(result.instancesMigrated).toBe(n);
    list.forEach((o, i) => {
      expect(Object.entries(o)).toEqual([
        ["title", `n${i}`],
        ["weight2", i * 2],
        ["depth", `/p${i}`.length],
      ]);
    });
    result.rollback();
    expect(snapshot(list)).toEqual(before);
    found!.release();
  });

  test("objects constructed after the allocation beyond its slack: the pause allocates its own", async () => {
    const n = 100;
    const { ns, Picture, list } = pictures(n, `late-${finder}`, finder);
    const found = await findBeforePause(ns, reshape(), "eager", true);
    // Slack is 1/64 and at least 256 objects: 400 more do not fit.
    const late = Array.from(
      { length: 400 },
      (_, i) => new Picture({ path: `/late${i}`, name: `late${i}`, size: n + i }) as unknown as Rec,
    );
    const all = [...list, ...late];
    const before = snapshot(all);
    const result = updateSyncFound(ns, reshape(), {}, found);
    expect(result.instancesMigrated).toBe(all.length);
    all.forEach((o, i) => {
      const [path, name, size] = before[i]!.map(([, value]) => value);
      expect(Object.entries(o)).toEqual([
        ["title", name],
        ["weight2", (size as number) * 2],
        ["depth", (path as string).length],
      ]);
    });
    result.rollback();
    expect(snapshot(all)).toEqual(before);
    found!.release();
  });

  test("update() migrates with them like updateSync without them", async () => {
    const a = pictures(500, `a-${finder}`, finder);
    const b = pictures(500, `b-${finder}`, finder);
    const viaUpdate = await update(a.ns, reshape());
    const viaFound = updateSyncFound(b.ns, reshape(), {}, undefined);
    expect(snapshot(a.list)).toEqual(snapshot(b.list));
    viaUpdate.rollback();
    viaFound.rollback();
    expect(snapshot(a.list)).toEqual(snapshot(b.list));
  });
});

describe.each(FINDERS)("the scan run before the pause (%s finder)", (finder) => {
  /** A world whose first object reads `size` through an own getter, counting its calls. */
  function withGetter(label: string) {
    const world = pictures(200, label, finder);
    const calls = { n: 0 };
    Object.defineProperty(world.list[0]!, "size", {
      get() {
        calls.n++;
        return 0;
      },
      set() {},
      enumerable: true,
      configurable: true,
    });
    return { ...world, calls };
  }

  test("runs no getter of an instance: update() reads it as often as updateSync, which has no run ahead", async () => {
    const ahead = withGetter(`getter-ahead-${finder}`);
    const inPause = withGetter(`getter-pause-${finder}`);
    const viaUpdate = await update(ahead.ns, reshape());
    const viaSync = updateSync(inPause.ns, reshape());
    expect(ahead.calls.n).toBe(inPause.calls.n);
    expect(snapshot(ahead.list)).toEqual(snapshot(inPause.list));
    viaUpdate.rollback();
    viaSync.rollback();
    expect(snapshot(ahead.list)).toEqual(snapshot(inPause.list));
  });

  test("writes nothing to the instances it reads, and the update still migrates each once", async () => {
    const { ns, list } = pictures(300, `scan-${finder}`, finder);
    const before = snapshot(list);
    const found = await findBeforePause(ns, addField(), "eager", true);
    // Found, arrays made and the scan run: the objects are as they were.
    expect(snapshot(list)).toEqual(before);
    const result = updateSyncFound(ns, addField(), {}, found);
    expect(result.instancesMigrated).toBe(300);
    for (const o of list) expect(Object.keys(o)).toEqual(["path", "name", "size", "comment"]);
    found!.release();
  });
});
