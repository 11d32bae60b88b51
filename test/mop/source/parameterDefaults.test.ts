/**
 * A field the constructor sets from a parameter with a default that needs
 * nothing of the call (`currency = "EUR"`; TypeScript's `public currency =
 * "EUR"` compiles to `this.currency = currency`) starts, for an object made
 * before the field existed, as a call without that argument would start
 * it. It had no initial value: a save under `metamorph dev` adding such a
 * parameter property gave every live object `undefined`, and the next call
 * (`this.currency.toLowerCase()`) threw.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../../src/index.js";

const cls = (source: string) =>
  new Function(`"use strict"; return ${source}`)() as new (
    ...args: unknown[]
  ) => object;
const initial = (source: string, field: string) =>
  readClassDefinition(cls(source)).fields.find((f) => f.name === field)?.initializer;

test("a default needing nothing of the call is the field's initial value; one that does, or a parameter assigned again, is none", () => {
  expect(initial(`class A { constructor(o, c = "EUR") { this.c = c; } }`, "c")).toBe('"EUR"');
  expect(initial(`class A { constructor(o, n = [1, 2]) { this.n = n; } }`, "n")).toBe("[1, 2]");
  expect(initial(`class A { constructor(o, c = o + "!") { this.c = c; } }`, "c")).toBeUndefined();
  expect(
    initial(`class A { constructor(o, c = "EUR") { c = c.trim(); this.c = c; } }`, "c"),
  ).toBeUndefined();
  expect(initial(`class A { constructor(o, c) { this.c = c; } }`, "c")).toBeUndefined();
});

test("objects made before the parameter property existed get its default (property over owners and literals)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 5 }),
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()),
      (owners, fallback) => {
        const ns = new Namespace("parameter-defaults");
        const Cart = ns.registerClass(
          cls(`class Cart { constructor(owner) { this.owner = owner; } }`),
        ) as new (
          ...args: unknown[]
        ) => { owner: string; currency?: unknown };
        const carts = owners.map((o) => new Cart(o));
        const next = cls(
          `class Cart { constructor(owner, currency = ${JSON.stringify(fallback)}) { this.owner = owner; this.currency = currency; } }`,
        );
        updateSync(ns, patch("2").replaceImplementation("Cart", next, { sameScope: true }).build());
        for (const [i, c] of carts.entries())
          expect([c.owner, c.currency]).toEqual([owners[i], fallback]);
        expect(new Cart("x", "USD").currency).toBe("USD");
      },
    ),
    { seed: 77, numRuns: 8 },
  );
});
