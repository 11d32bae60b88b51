/**
 * What migration code sees of the object it builds (copyPrototype.ts): the
 * new version's members and, for a class the user wrote, the new version
 * as `this.constructor` — before an eager commit as after a lazy one. A
 * new `format()` reading `this.constructor.currency()` committed the old
 * static's answer under eager, the new one under lazy.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

test.each(["eager", "lazy", "progressive"] as const)(
  "%s: a migrator calling a new method that reads a new static through this.constructor",
  async (policy) => {
    class Money {
      cents = 250;
      static currency(): string {
        return "USD";
      }
    }
    class Money2 {
      cents = 250;
      label = "";
      static currency(): string {
        return "EUR";
      }
      static symbol(): string {
        return "€";
      }
      format(): string {
        const c = this.constructor as typeof Money2;
        return `${(this.cents / 100).toFixed(2)} ${c.currency()} ${c.symbol()}`;
      }
    }
    const ns = new Namespace(`copy-prototype-${policy}`, { instanceFinder: "registry" });
    const M = ns.registerClass(Money);
    const m = new M() as unknown as Money2;
    const seen: unknown[] = [];
    const result = updateSync(
      ns,
      patch("p")
        .replaceImplementation("Money", Money2)
        .migrate("Money", (_old, target) => {
          seen.push(target.constructor, target instanceof M);
          target.label = (target as unknown as Money2).format();
        })
        .build(),
      { policy },
    );
    result.completeMigration();
    await result.completion;
    expect(m.label).toBe("2.50 EUR €");
    expect(m.constructor).toBe(Money2);
    // Every run of the migrator (lazy: also the dry run for validations) saw the same.
    for (let i = 0; i < seen.length; i += 2) expect(seen.slice(i, i + 2)).toEqual([Money2, true]);
  },
);
