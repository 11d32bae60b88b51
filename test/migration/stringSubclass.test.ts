/**
 * A class extending `String`: its object's characters are own index
 * properties ("0", "1", …) and `length` an own one, all non-configurable —
 * part of its primitive value, as a typed array's elements are of its
 * buffer. An update changing the layout took them for fields: eager, it was
 * refused (MM_UNSWAPPABLE_OBJECT on "0"); lazy, it rolled back at the first
 * touch. They are state no rewrite touches (src/mop/rewriting/stateTable.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";

/** Any code points (astral ones are surrogate pairs: two indices each), lone surrogates among them. */
const codePoints = fc
  .array(
    fc.oneof(fc.integer({ min: 0, max: 0x10ffff }), fc.integer({ min: 0xd800, max: 0xdfff })),
    {
      maxLength: 6,
    },
  )
  .map((points) => String.fromCodePoint(...points));

type Name = string & Record<string, unknown>;
type NameClass = new (s: string) => Name;

const makeName = (): NameClass =>
  class Name extends String {
    tag = 1;
    note = "n";
  } as unknown as NameClass;

const SHAPES = {
  add: () => patch("add").addField("Name", "extra", { default: 2 }),
  rename: () => patch("rename").renameField("Name", "tag", "label"),
  remove: () => patch("remove").removeField("Name", "note"),
  reorder: () => patch("reorder").reorderFields("Name", ["note", "tag"]),
  addAndRename: () =>
    patch("both").addField("Name", "extra", { default: 2 }).renameField("Name", "note", "memo"),
} as const;

const FIELDS: Record<keyof typeof SHAPES, Record<string, unknown>> = {
  add: { tag: 1, note: "n", extra: 2 },
  rename: { label: 1, note: "n" },
  remove: { tag: 1 },
  reorder: { note: "n", tag: 1 },
  addAndRename: { tag: 1, memo: "n", extra: 2 },
};

/**
 * Everything own, in order, with descriptors, and whether the prototype is
 * `prototype` (compared by identity: a matcher takes a String subclass's
 * prototype for a String object and calls its valueOf).
 */
function snapshot(o: object, prototype: object) {
  return {
    onPrototype: Object.getPrototypeOf(o) === prototype,
    own: Reflect.ownKeys(o).map((k) => [k, Reflect.getOwnPropertyDescriptor(o, k)]),
  };
}

/** Its string value and its fields (own enumerable properties that are not characters), in order (as pairs: toEqual ignores key order). */
function view(o: Name) {
  const characters = String(o).length;
  const fields = Object.keys(o).filter((k) => !(/^\d+$/.test(k) && Number(k) < characters));
  return { value: String(o), length: o.length, fields: fields.map((k) => [k, o[k]]) };
}

// Empty, short ASCII, any code points, and a few fixed ones.
const strings = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 8 }),
  codePoints,
  fc.constantFrom("😀", "a😀b", "\u{10FFFF}", "\uD800"),
);

test("property: a String subclass migrates its fields, keeps its value, and rolls back exactly", async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(SHAPES) as (keyof typeof SHAPES)[])),
      fc.constantFrom("eager", "lazy", "progressive"),
      fc.array(strings, { minLength: 1, maxLength: 3 }),
      async (shape, policy, values) => {
        const ns = new Namespace(`string-${run++}`, { instanceFinder: "registry" });
        const Handle = ns.registerClass(makeName()) as unknown as NameClass;
        const names = values.map((s) => new Handle(s));
        const before = names.map((n) => snapshot(n, Handle.prototype));
        const result = await update(ns, SHAPES[shape]().policy(policy).build());
        result.completeMigration();
        expect(result.state()).toBe("committed");
        for (const [i, n] of names.entries()) {
          expect(view(n)).toEqual({
            value: values[i],
            length: values[i]!.length,
            fields: Object.entries(FIELDS[shape]),
          });
          expect(n).toBeInstanceOf(Handle);
        }
        // A fresh object is built as the migrated ones are.
        expect(view(new Handle(values[0]!))).toEqual(view(names[0]!));
        result.rollback();
        expect(ns.version).toBe(1);
        expect(names.map((n) => snapshot(n, Handle.prototype))).toEqual(before);
      },
    ),
    { seed: 7170, numRuns: 60 },
  );
});

test.each(["ab", ""])(
  "an index past the end of %j is the object's own property: it is carried, and rolls back",
  async (value) => {
    const ns = new Namespace(`string-extra-index-${value}`, { instanceFinder: "registry" });
    const Handle = ns.registerClass(makeName()) as unknown as NameClass;
    const n = new Handle(value);
    (n as unknown as Record<number, string>)[5] = "past";
    const before = snapshot(n, Handle.prototype);
    const result = await update(ns, SHAPES.addAndRename().build());
    expect(result.state()).toBe("committed");
    expect([String(n), n[5], n.extra, n.memo]).toEqual([value, "past", 2, "n"]);
    result.rollback();
    expect(snapshot(n, Handle.prototype)).toEqual(before);
  },
);
