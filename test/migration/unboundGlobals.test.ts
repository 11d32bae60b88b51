/**
 * A script's top-level `let`/`const`/`class` (a page's classic script,
 * Node's REPL) is a global binding that is no property of globalThis. Code
 * a patch carries as source sees it where it is compiled, but the update's
 * unbound-name check asked `name in globalThis` only and refused a method
 * reading one; a hydrated class text reading one passed hydrate and was
 * refused by the update.
 */
import { runInThisContext } from "node:vm";
import { expect, test } from "vitest";
import { Namespace, Patch, patch, updateSync } from "../../src/index.js";

runInThisContext('let unboundGlobalsSuffix = (n) => String(n) + "!";');

function counter() {
  const ns = new Namespace("unbound-globals");
  const Counter = ns.defineClass<{ n: number; show(): string }>({
    name: "Counter",
    fields: [{ name: "n", initializer: "1" }],
    methods: {
      show(this: { n: number }) {
        return String(this.n);
      },
    },
  });
  return { ns, counter: new Counter() };
}

test("the binding is no property of globalThis", () => {
  expect("unboundGlobalsSuffix" in globalThis).toBe(false);
});

test("a method reading it is applied, and reads it", () => {
  const { ns, counter: c } = counter();
  const methods = new Function(
    "return { show() { return unboundGlobalsSuffix(this.n); } }",
  )() as Record<string, (this: { n: number }) => string>;
  expect(updateSync(ns, patch("p").replaceMethods("Counter", methods).build()).state()).toBe(
    "committed",
  );
  expect(c.show()).toBe("1!");
});

test("a hydrated class text reading it passes hydrate and the update", () => {
  const { ns, counter: c } = counter();
  const json = {
    format: "metamorph.patch/1" as const,
    name: "r",
    operations: [
      {
        op: "replaceImplementation" as const,
        className: "Counter",
        implementation: {
          source: "class Counter { n = 1; show() { return unboundGlobalsSuffix(this.n + 1); } }",
        },
      },
    ],
  };
  const hydrated = Patch.fromJSON(json, { trust: "in-process" }).hydrate();
  expect(updateSync(ns, hydrated).state()).toBe("committed");
  expect(c.show()).toBe("2!");
});
