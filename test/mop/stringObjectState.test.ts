/**
 * What an object's captured state holds of a String object: its fields, not
 * its characters nor its `length` (its value's, fixed), which no rewrite can
 * delete or define (test/migration/stringSubclass.test.ts). An ordinary
 * object whose first field is `length` keeps it.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { captureState } from "../../src/mop/rewriting/stateTable.js";

/** Any code points (astral ones are surrogate pairs: two indices each), lone surrogates among them. */
const codePoints = fc
  .array(
    fc.oneof(fc.integer({ min: 0, max: 0x10ffff }), fc.integer({ min: 0xd800, max: 0xdfff })),
    {
      maxLength: 6,
    },
  )
  .map((points) => String.fromCodePoint(...points));

test("property: a String object's state is its own properties but its characters and length", () => {
  fc.assert(
    fc.property(codePoints, fc.boolean(), (value, pastEnd) => {
      const o = new String(value) as unknown as Record<string, unknown>;
      o.tag = 1;
      if (pastEnd) o[value.length + 3] = "x";
      const state = captureState(o);
      const past = pastEnd ? [String(value.length + 3)] : [];
      expect(state.keys).toEqual([...past, "tag"]);
      expect(state.elementCount).toBe(past.length);
      expect(state.arrayLength).toBeNull();
    }),
    { seed: 3131, numRuns: 50 },
  );
});

test("an ordinary object's own `length` is a field like any other", () => {
  class Vector {
    length = 2;
    x = 1;
  }
  expect(captureState(new Vector()).keys).toEqual(["length", "x"]);
  const fixed = Object.defineProperty({ x: 1 }, "length", { value: 0 });
  expect(captureState({ 0: "a", length: 1 }).keys).toEqual(["0", "length"]);
  expect(captureState(fixed).keys).toEqual(["x", "length"]);
  const first = Object.defineProperty({}, "length", { value: 0 });
  expect(captureState(first).keys).toEqual(["length"]);
});
