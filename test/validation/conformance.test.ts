import { describe, expect, test } from "vitest";
import { validateConformance } from "../../src/validation/index.js";

class Point {
  x = 1;
  y = 2;
}
class Other {}

const expected = { className: "Point", fields: ["x", "y"], prototype: Point.prototype };

describe("validateConformance", () => {
  test("a fresh instance conforms", () => {
    expect(validateConformance(new Point(), expected)).toEqual([]);
  });

  test("symbol-keyed and non-enumerable own properties are metadata, not fields", () => {
    const p = new Point();
    (p as unknown as Record<symbol, unknown>)[Symbol("brand")] = true;
    Object.defineProperty(p, "hidden", { value: 1, enumerable: false });
    expect(validateConformance(p, expected)).toEqual([]);
  });

  test("a missing field is named", () => {
    const p = new Point() as Partial<Point>;
    delete p.y;
    const failures = validateConformance(p, expected);
    expect(failures).toEqual([
      expect.objectContaining({ rule: "conformance", className: "Point", field: "y", object: p }),
    ]);
    expect(failures[0]!.message).toMatch(/missing field "y"/);
  });

  test("an extra field is named", () => {
    const p = Object.assign(new Point(), { z: 3 });
    const failures = validateConformance(p, expected);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ field: "z" });
    expect(failures[0]!.message).toMatch(/extra field "z"/);
  });

  test("fields out of order are reported with both orders", () => {
    const p = Object.setPrototypeOf({ y: 2, x: 1 }, Point.prototype) as object;
    const failures = validateConformance(p, expected);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain("out of order: [y, x] instead of [x, y]");
  });

  test("missing, extra and out-of-order together in one message", () => {
    const p = Object.setPrototypeOf({ c: 0, b: 0, z: 0 }, Point.prototype) as object;
    const failures = validateConformance(p, {
      className: "Point",
      fields: ["a", "b", "c"],
      prototype: Point.prototype,
    });
    expect(failures).toHaveLength(1);
    const message = failures[0]!.message;
    expect(message).toMatch(/missing field "a"/);
    expect(message).toMatch(/extra field "z"/);
    expect(message).toMatch(/out of order: \[c, b\] instead of \[b, c\]/);
    expect(failures[0]!.field).toBeUndefined();
  });

  test("a field turned into an accessor or made non-enumerable is missing, with the reason", () => {
    const p = new Point() as Partial<Point>;
    delete p.y;
    Object.defineProperty(p, "y", { get: () => 2, enumerable: true, configurable: true });
    expect(validateConformance(p, expected)[0]!.message).toMatch(/"y" \(present but an accessor/);
    const q = new Point();
    Object.defineProperty(q, "x", { enumerable: false });
    expect(validateConformance(q, expected)[0]!.message).toMatch(
      /"x" \(present but not enumerable\)/,
    );
  });

  test("a wrong prototype is reported separately, naming both prototypes", () => {
    const p = Object.setPrototypeOf(new Point(), Other.prototype) as object;
    const failures = validateConformance(p, expected);
    expect(failures).toEqual([expect.objectContaining({ rule: "conformance", object: p })]);
    expect(failures[0]!.message).toContain("Other.prototype instead of Point.prototype");
    const bare = Object.setPrototypeOf({ x: 1, y: 2 }, null) as object;
    expect(validateConformance(bare, expected)[0]!.message).toContain("prototype null");
  });

  test("array-index field names follow JavaScript's own key order", () => {
    class Indexed {}
    const o = Object.setPrototypeOf({ a: 1, 1: 2 }, Indexed.prototype) as object;
    const e = { className: "Indexed", fields: ["a", "1"], prototype: Indexed.prototype };
    expect(validateConformance(o, e)).toEqual([]);
  });

  test("an object whose inspection throws is a failure, not an exception", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys for you");
        },
      },
    );
    const failures = validateConformance(hostile, expected);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain("no keys for you");
  });
});
