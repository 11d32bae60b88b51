import fc from "fast-check";
import { expect, test } from "vitest";
import { canonicalJson, canonicalJsonPretty } from "../../src/release/canonicalJson.js";

/** The same value with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

test("one form per value: key order does not matter, and the form reads back as the value", () => {
  fc.assert(
    fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
      const form = canonicalJson(value);
      expect(canonicalJson(reversed(value))).toBe(form);
      expect(canonicalJsonPretty(reversed(value))).toBe(canonicalJsonPretty(value));
      expect(canonicalJson(JSON.parse(form))).toBe(form);
    }),
    { seed: 2026, numRuns: 300 },
  );
});

test("values JSON cannot carry are refused, not dropped", () => {
  expect(() => canonicalJson({ a: undefined })).toThrow(/undefined is not JSON data/);
  expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN is not JSON data/);
  expect(() => canonicalJson([() => 1])).toThrow(/function is not JSON data/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  expect(() => canonicalJson(cycle)).toThrow(/cycle/);
  expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe(
    '{"__proto__":{"x":2},"b":1}',
  );
  // A value seen twice without a cycle is fine.
  const shared = { x: 1 };
  expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
});
