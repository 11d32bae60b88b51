/**
 * The compiled migration path (objects on the old layout) and the general
 * path (any other object) give the same objects, and `update()` finds an
 * eager update's instances before its pause without losing any.
 */
import { describe, expect, test } from "vitest";
import { patch, swapObjects, update, updateSync } from "../../src/index.js";
import { pictures, type Rec } from "../support/pictures.js";

const reshape = () =>
  patch("reshape")
    .removeField("Picture", "size")
    .renameField("Picture", "path", "basepath")
    .addField("Picture", "tags", { defaultSource: "[]" })
    .addField("Picture", "big", { initial: (old) => (old.size as number) > 1 })
    .addField("Picture", "comment", { default: "none" })
    .build();

describe("compiled and general migration paths", () => {
  test("objects with extra own properties take the general path and end alike; rollback restores both exactly", () => {
    const { ns, list } = pictures(4, "pictures");
    (list[1] as unknown as Rec).extra = "kept?";
    Object.defineProperty(list[2], "hidden", {
      value: 1,
      enumerable: false,
      writable: true,
      configurable: true,
    });
    const before = list.map((o) => ({ keys: Object.keys(o), values: Object.values(o) }));
    const result = updateSync(ns, reshape());
    expect(result.instancesMigrated).toBe(4);
    for (const [i, o] of [list[0]!, list[3]!].entries()) {
      const n = i === 0 ? 0 : 3;
      expect(Object.keys(o)).toEqual(["basepath", "name", "tags", "big", "comment"]);
      expect(o).toMatchObject({ name: `n${n}`, basepath: `/p${n}`, big: n > 1, comment: "none" });
    }
    // Each object gets a fresh array from the default, computed before the commit.
    expect((list[0] as unknown as Rec).tags).not.toBe((list[3] as unknown as Rec).tags);
    expect((list[1] as unknown as Rec).basepath).toBe("/p1");
    result.rollback();
    expect(list.map((o) => ({ keys: Object.keys(o), values: Object.values(o) }))).toEqual(before);
    expect((list[2] as unknown as Rec).hidden).toBe(1);
  });

  test("an initialiser that throws on the compiled path refuses the update with nothing changed", () => {
    const { ns, list } = pictures(3, "pictures");
    const before = list.map((o) => Object.entries(o));
    const failing = patch("fails")
      .addField("Picture", "x", {
        initial: (old) => {
          if (old.size === 2) throw new Error("no");
          return 1;
        },
      })
      .build();
    expect(() => updateSync(ns, failing)).toThrow(/field "x" of Picture instance #2/);
    expect(list.map((o) => Object.entries(o))).toEqual(before);
  });

  test("a commit failure part-way restores every object already rewritten", () => {
    const { ns, list } = pictures(5, "pictures");
    const before = list.map((o) => Object.entries(o));
    expect(() =>
      updateSync(ns, reshape(), {
        onCommitStep: (step) => {
          if (step === 3) throw new Error("injected");
        },
      }),
    ).toThrow(/after 3 of 5 objects/);
    expect(list.map((o) => Object.entries(o))).toEqual(before);
  });
});

describe("update() finds an eager update's instances before its pause", () => {
  test("objects constructed while it finds are migrated too", async () => {
    const { ns, Picture, list } = pictures(3, "pictures");
    const pending = update(ns, reshape());
    // Constructed after the update started finding, before its pause.
    const late = [new Picture({ path: "/late", name: "late", size: 9 })];
    const result = await pending;
    expect(result.instancesMigrated).toBe(4);
    for (const o of [...list, ...late]) {
      expect(Object.keys(o)).toEqual(["basepath", "name", "tags", "big", "comment"]);
    }
    expect(late[0]).toMatchObject({ basepath: "/late", big: true });
  });

  test("an object swapped onto the class while it finds is migrated (the pause finds again)", async () => {
    const { ns, list } = pictures(2, "pictures");
    const Other = ns.defineClass<{ path: string; name: string; size: number }>({
      name: "Other",
      fields: [
        { name: "path", initializer: '""' },
        { name: "name", initializer: '""' },
        { name: "size", initializer: "0" },
      ],
      methods: {},
    });
    const stranger = new Other({ path: "/s", name: "s", size: 5 });
    const pending = update(ns, reshape());
    await new Promise((resolve) => setImmediate(resolve));
    swapObjects([list[0]!], [stranger]);
    // As the registry asks after a prototype change.
    ns.finder.record(stranger);
    ns.finder.record(list[0]!);
    const result = await pending;
    expect(result.instancesMigrated).toBe(2);
    expect(Object.keys(stranger)).toEqual(["basepath", "name", "tags", "big", "comment"]);
    expect(stranger).toMatchObject({ basepath: "/p0", big: false });
    expect(Object.keys(list[0]!)).toEqual(["path", "name", "size"]);
  });

  test("with the heap finder, the pause finds them itself", async () => {
    const { ns, list } = pictures(3, "pictures", "heap");
    const result = await update(ns, reshape());
    expect(result.instancesMigrated).toBe(3);
    expect(Object.keys(list[2]!)).toEqual(["basepath", "name", "tags", "big", "comment"]);
  });
});
