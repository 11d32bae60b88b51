// A patch module compiled by esbuild (tsx loads a TypeScript patch module for
// `metamorph pack`) keeps inner function names with `__name(fn, "f")`; the
// method's source, carried in a bundle, still calls that helper. Hydrating
// gives the sources the helper, so such a method runs on the other side.
import { expect, test } from "vitest";
import { Namespace, Patch, patch, updateSync } from "../../src/index.js";

test("a method source calling esbuild's __name helper hydrates and runs", () => {
  const ns = new Namespace("hydrate");
  const Counter = ns.defineClass<{ n: number; twice(): number }>({
    name: "Counter",
    fields: ["n"],
    methods: {
      twice(this: { n: number }) {
        return this.n;
      },
    },
  });
  const c = new Counter({ n: 21 });
  const json = patch("v2")
    .replaceMethods("Counter", {
      twice(this: { n: number }) {
        return this.n * 2;
      },
    })
    .build()
    .toJSON();
  const text = JSON.stringify(json).replace(
    "return this.n * 2;",
    'const double = __name((x) => x * 2, \\"double\\"); return double(this.n) + (double.name === \\"double\\" ? 0 : 1000);',
  );
  expect(text).toContain("__name(");
  const hydrated = Patch.fromJSON(JSON.parse(text), { trust: "in-process" }).hydrate();
  updateSync(ns, hydrated);
  expect(c.twice()).toBe(42);
});

test("a scope that brings its own __name wins", () => {
  const seen: string[] = [];
  const json = patch("v3")
    .addField("X", "y", { initial: () => 1 })
    .build()
    .toJSON();
  const text = JSON.stringify(json).replace("() => 1", '() => __name(() => 1, \\"one\\")()');
  const ns = new Namespace("hydrate2");
  const X = ns.defineClass<{ y?: number }>({ name: "X", fields: [] });
  const x = new X({});
  const own = (fn: Function, name: string) => {
    seen.push(name);
    return fn;
  };
  updateSync(
    ns,
    Patch.fromJSON(JSON.parse(text), { trust: "in-process" }).hydrate({ __name: own }),
  );
  expect(x.y).toBe(1);
  expect(seen).toEqual(["one"]);
});
