/**
 * A methods-only update of a class metamorph generated compiles only the new
 * methods: the new version reuses the running version's field initialiser
 * (createClass `previous`). Fresh objects are then built by the very same
 * initialiser — same hidden class as the objects already alive, construction
 * sites keep their feedback — and everything else behaves as a full new
 * version: the new method runs, rollback restores the old one, a later
 * field change or superclass replacement reaches fresh objects.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { currentVersion } from "../../src/mop/classHandle.js";
import { reparent } from "../../src/mop/classVersions.js";
import { INITIALISE_FIELDS } from "../../src/mop/createClass.js";
import { haveSameMap } from "../support/v8.js";

interface Item {
  size: number;
  label: string;
  weight(): number;
}

const initialiserOf = (handle: Function) =>
  (currentVersion(handle).ctor as unknown as Record<symbol, unknown>)[INITIALISE_FIELDS];

function world(label: string) {
  const ns = new Namespace(`methods-only-${label}`, { instanceFinder: "heap" });
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "size", initializer: "1" },
      { name: "label", initializer: '"item"' },
    ],
    methods: {
      weight(this: Item) {
        return this.size * 2;
      },
    },
  });
  return { ns, Item };
}

const triple = (name: string) =>
  patch(name)
    .replaceMethods("Item", {
      weight(this: Item) {
        return this.size * 3;
      },
    })
    .build();

describe("methods-only update: the running version's field initialiser is reused", () => {
  test("new methods run on old and fresh objects, which keep one hidden class; the initialiser is the same function", () => {
    const { ns, Item } = world("reuse");
    const old = new Item({ size: 5 });
    const before = currentVersion(Item);
    const initialise = initialiserOf(Item);
    const result = updateSync(ns, triple("triple"));
    expect(currentVersion(Item).ctor).not.toBe(before.ctor);
    expect(initialiserOf(Item)).toBe(initialise);
    const fresh = new Item({ size: 7 });
    expect([old.weight(), fresh.weight()]).toEqual([15, 21]);
    expect(fresh).toBeInstanceOf(Item);
    expect(haveSameMap(old, fresh)).toBe(true);
    expect(haveSameMap(old, new Item())).toBe(true);
    // The new version's own constructor, for a program that holds it, builds as the old one did.
    const Version = currentVersion(Item).ctor as unknown as new (init?: Partial<Item>) => Item;
    expect(Version.name).toBe("Item");
    const direct = new Version({ size: 4 });
    expect([direct.weight(), direct.label, direct instanceof Item]).toEqual([12, "item", true]);
    expect(() => (Version as unknown as () => void)()).toThrow(
      "Class constructor Item cannot be invoked without 'new'",
    );
    result.rollback();
    expect(currentVersion(Item).ctor).toBe(before.ctor);
    expect([old.weight(), fresh.weight(), new Item().weight()]).toEqual([10, 14, 2]);
  });

  test("a later field change compiles a new initialiser, and its rollback returns to the shared one", () => {
    const { ns, Item } = world("later-field");
    const initialise = initialiserOf(Item);
    updateSync(ns, triple("triple")).makePermanent();
    const added = updateSync(
      ns,
      patch("colour").addField("Item", "colour", { default: "red" }).build(),
    );
    expect(initialiserOf(Item)).not.toBe(initialise);
    expect(new Item()).toMatchObject({ size: 1, label: "item", colour: "red" });
    added.rollback();
    expect(initialiserOf(Item)).toBe(initialise);
    expect(Object.keys(new Item())).toEqual(["size", "label"]);
  });

  test("a subclass keeps reaching its superclass's fields: a superclass bound anew, or a reparented handle", () => {
    const ns = new Namespace("methods-only-subclass", { instanceFinder: "heap" });
    ns.defineClass({ name: "Base", fields: [{ name: "a", initializer: "1" }] });
    const Other = ns.defineClass({ name: "Other", fields: [{ name: "a", initializer: "5" }] });
    const Sub = ns.defineClass<{ a: number; b: number; sum(): number }>({
      name: "Sub",
      superclass: "Base",
      fields: [{ name: "b", initializer: "2" }],
      methods: {
        sum(this: { a: number; b: number }) {
          return this.a + this.b;
        },
      },
    });
    const initialise = initialiserOf(Sub);
    updateSync(
      ns,
      patch("sum")
        .replaceMethods("Sub", {
          sum(this: { a: number; b: number }) {
            return 10 * this.a + this.b;
          },
        })
        .build(),
    ).makePermanent();
    expect(initialiserOf(Sub)).toBe(initialise);
    expect(new Sub().sum()).toBe(12);
    const rebound = updateSync(
      ns,
      patch("rebind")
        .removeClass("Base")
        .addClass({ name: "Base", fields: [{ name: "a", initializer: "3" }] })
        .build(),
    );
    expect(new Sub()).toMatchObject({ a: 3, b: 2 });
    expect(new Sub().sum()).toBe(32);
    rebound.rollback();
    expect(new Sub()).toMatchObject({ a: 1, b: 2 });
    // The running version's initialiser was compiled with an earlier
    // constructor: moving the handle moves what that initialiser follows.
    expect(initialiserOf(Sub)).toBe(initialise);
    const undo = reparent(Sub, Other);
    expect(new Sub()).toMatchObject({ a: 5, b: 2 });
    undo();
    expect(new Sub()).toMatchObject({ a: 1, b: 2 });
  });
});
