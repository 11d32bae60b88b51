// A class defineClass makes sees the namespace's classes by name, as a
// patch's code does (README): `new Line()` in Order's method threw a
// ReferenceError at its first call, Line being bound in the namespace but not
// in the method's scope (review advZ13). A class defined after the one whose
// code names it is bound when the namespace binds it.
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Line = { sku: string; belongsTo(o: unknown): boolean };
type Shop = { lines: unknown[]; addLine(sku: string): Line };

function shop(order: "Order first" | "Line first", how: "define" | "register") {
  const ns = new Namespace("shop");
  const defineOrder = () =>
    ns.defineClass<Shop>({
      name: "Order",
      fields: [{ name: "lines", initializer: "[]" }],
      methods: {
        addLine(this: Shop, sku: string) {
          // @ts-expect-error: a class of the namespace, read by name
          const line = new Line({ sku });
          this.lines.push(line);
          return line;
        },
      },
    });
  const defineLine = () =>
    how === "define"
      ? ns.defineClass<Line>({
          name: "Line",
          fields: [{ name: "sku", initializer: '""' }],
          methods: {
            belongsTo(o: unknown) {
              // @ts-expect-error: a class of the namespace, read by name
              return o instanceof Order;
            },
          },
        })
      : ns.registerClass(
          class Line {
            sku: string;
            constructor(init: { sku?: string } = {}) {
              this.sku = init.sku ?? "";
            }
            belongsTo(o: unknown) {
              return o instanceof (ns.classNamed("Order") as Function);
            }
          },
        );
  if (order === "Order first") defineOrder();
  defineLine();
  if (order === "Line first") defineOrder();
  return ns;
}

test("property: a defined class's methods build and test the namespace's classes, whichever is defined first (seed 5)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("Order first" as const, "Line first" as const),
      fc.constantFrom("define" as const, "register" as const),
      fc.boolean(),
      (order, how, updated) => {
        const ns = shop(order, how);
        const Order = ns.classNamed<Shop>("Order");
        const LineClass = ns.classNamed<Line>("Line");
        if (updated) updateSync(ns, patch("v2").addField("Order", "note", { default: "" }).build());
        const o = new Order();
        const line = o.addLine("a");
        expect(line).toBeInstanceOf(LineClass);
        expect(line.sku).toBe("a");
        expect(line.belongsTo(o)).toBe(true);
        expect(o.lines).toEqual([line]);
      },
    ),
    { seed: 5, numRuns: 16 },
  );
});

test("the scope option wins over a class of the same name", () => {
  const ns = new Namespace("scoped");
  ns.defineClass({
    name: "Clock",
    methods: {
      now() {
        return 1;
      },
    },
  });
  const User = ns.defineClass<{ at(): number }>(
    {
      name: "User",
      methods: {
        at() {
          // @ts-expect-error: read by name
          return Clock.now();
        },
      },
    },
    { scope: { Clock: { now: () => 2 } } },
  );
  expect(new User().at()).toBe(2);
});
