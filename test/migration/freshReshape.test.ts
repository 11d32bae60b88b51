/**
 * The field change a fresh object of a derived version gets, compiled per
 * version (src/migration/building/freshReshape.ts), against the plain
 * reading of what it must do: the new fields take the renamed old field's
 * value, else the object's own value, else the default; the old fields that
 * go are deleted; the new fields end up last, in the new order, defined (an
 * inherited setter is not called); a renamed field the object lacks, with
 * no default, is left out.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { compileReshape, type DerivedField } from "../../src/migration/building/freshReshape.js";

type Obj = Record<string, unknown>;

function reference(oldLayout: readonly string[], layout: readonly DerivedField[], self: Obj): void {
  // The longest prefix of fields that stay where they are, with their own values.
  const differs = layout.findIndex((f, i) => f.name !== oldLayout[i] || f.from !== oldLayout[i]);
  const kept = Math.min(differs < 0 ? layout.length : differs, oldLayout.length);
  const added = layout.slice(kept);
  const values = added.map(({ name, from, initializer }) => {
    if (from !== null && Object.hasOwn(self, from)) return { value: self[from] };
    if (Object.hasOwn(self, name)) return { value: self[name] };
    if (initializer !== undefined) return { value: new Function(`return (${initializer});`)() };
    return from === null ? { value: undefined } : undefined;
  });
  for (const name of oldLayout.slice(kept).reverse()) delete self[name];
  added.forEach(({ name }, i) => {
    const v = values[i];
    if (v === undefined) return;
    delete self[name];
    Object.defineProperty(self, name, {
      value: v.value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
}

const NAMES = ["a", "b", "c", "d", "e", "f"];

const plan = fc
  .record({
    oldLayout: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 5 }),
    newNames: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 5 }),
    sources: fc.array(fc.option(fc.constantFrom(...NAMES), { nil: null }), {
      minLength: 5,
      maxLength: 5,
    }),
    defaults: fc.array(fc.option(fc.integer({ min: -9, max: 9 }), { nil: undefined }), {
      minLength: 5,
      maxLength: 5,
    }),
    missing: fc.subarray(NAMES),
    extra: fc.subarray(["x", "y"]),
  })
  .map(({ oldLayout, newNames, sources, defaults, missing, extra }) => {
    const layout: DerivedField[] = newNames.map((name, i) => {
      const from = oldLayout.includes(name) && sources[i] === null ? name : sources[i]!;
      const d = defaults[i];
      return d === undefined ? { name, from } : { name, from, initializer: String(d) };
    });
    // A fresh object of the running version: its old fields (some the
    // constructor left out), then fields the layout does not know.
    const fields = [...oldLayout.filter((n) => !missing.includes(n)), ...extra];
    return { oldLayout, layout, fields };
  });

test("property: a compiled field change does what the plain reading says (seed 4242)", () => {
  fc.assert(
    fc.property(plan, ({ oldLayout, layout, fields }) => {
      const make = (): Obj => Object.fromEntries(fields.map((n, i) => [n, `v${i}`]));
      const expected = make();
      reference(oldLayout, layout, expected);
      const reshape = compileReshape(oldLayout, layout, "C");
      const actual = make();
      reshape?.(actual);
      expect(Object.entries(actual)).toEqual(Object.entries(expected));
    }),
    { seed: 4242, numRuns: 400 },
  );
});

test("a new field is defined on the object: a setter the class inherits is not called", () => {
  const calls: unknown[] = [];
  const proto = {
    set w(value: unknown) {
      calls.push(value);
    },
  };
  const reshape = compileReshape(
    ["x"],
    [
      { name: "x", from: "x" },
      { name: "w", from: null, initializer: "7" },
    ],
    "C",
  )!;
  const self = Object.assign(Object.create(proto) as Obj, { x: 1 });
  reshape(self);
  expect(calls).toEqual([]);
  expect(Object.getOwnPropertyDescriptor(self, "w")).toEqual({
    value: 7,
    writable: true,
    enumerable: true,
    configurable: true,
  });
});

test("a layout that keeps every field compiles to nothing", () => {
  expect(
    compileReshape(
      ["x", "y"],
      [
        { name: "x", from: "x" },
        { name: "y", from: "y" },
      ],
      "C",
    ),
  ).toBeNull();
});
