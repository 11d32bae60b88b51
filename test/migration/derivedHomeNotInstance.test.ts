/**
 * A registered subclass whose superclass gets a new implementation: the
 * derived version's method home (an object on the superclass's chain with
 * no `constructor`) was found as an instance of the superclass — a
 * migrator ran on an empty object and threw, refusing a correct update, and
 * `allInstances` listed it. It is machinery, never an instance.
 */
import { describe, expect, test } from "vitest";
import { allInstances, Namespace, patch, updateSync } from "../../src/index.js";

describe.each(["registry", "heap"] as const)(
  "a derived version's method home (%s finder)",
  (finder) => {
    test.each(["eager", "lazy"] as const)("is not an instance of its superclass (%s)", (policy) => {
      const ns = new Namespace(`derived-home-${finder}-${policy}`, { instanceFinder: finder });
      const Base = ns.registerClass(
        new Function(
          `"use strict"; return class Base { constructor() { this.amount = 1; } total() { return this.amount; } };`,
        )(),
      ) as new () => { amount: number; total(): number };
      const Sub = ns.registerClass(
        new Function(
          "B",
          `"use strict"; return class Sub extends B { constructor() { super(); this.label = "s"; } };`,
        )(Base),
      ) as unknown as new () => { amount: number; total(): number };
      const o = new Sub();
      o.amount = 5;
      const Base2 = new Function(
        `"use strict"; return class Base { constructor() { this.amount = 1; this.cents = 100; } total() { return this.cents / 100; } };`,
      )();
      const seen: string[][] = [];
      const result = updateSync(
        ns,
        patch("cents")
          .replaceImplementation("Base", Base2)
          .migrate("Base", (old, target) => {
            seen.push(Object.keys(old));
            target.cents = (old.amount as number) * 100;
          })
          .policy(policy)
          .build(),
      );
      expect(o.total()).toBe(5);
      expect(seen).toEqual([["amount", "label"]]);
      expect(allInstances(Base, { includeSubclasses: true })).toEqual([o]);
      result.rollback();
      expect(Object.keys(o)).toEqual(["amount", "label"]);
    });
  },
);
