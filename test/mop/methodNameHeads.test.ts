/**
 * Method heads with no space before the star (`async*agen(){}`, `static*g(){}`),
 * as esbuild/tsx and minifiers print them: `async*` was not read as a head,
 * so `defineClass` refused the class ("does not compile": the name was
 * taken as `async`) and a replaceMethods patch of such a method was refused
 * with a mangled source (`agen*agen(){…}`).
 */
import { expect, test } from "vitest";
import { methodNameIn } from "../../src/mop/methodName.js";
import { Namespace, patch, updateSync } from "../../src/index.js";

test.each([
  ["async*agen(){}", "agen"],
  ["async *agen(){}", "agen"],
  ["*gen(){}", "gen"],
  ["static*gen(){}", "gen"],
  ["static async*gen(){}", "gen"],
  ["static async *gen(){}", "gen"],
  ["async(){}", "async"],
  ["static(){}", "static"],
  ["asyncWork(){}", "asyncWork"],
  ["staticX(){}", "staticX"],
])("the name in %s is %s", (source, name) => {
  expect(methodNameIn(source)?.name).toBe(name);
});

/** Methods compiled from their printed form, which is what is under test. */
const printed = (members: string): object => new Function(`return ({ ${members} });`)();

const methods = () =>
  printed("async*pages(){ yield this.n; yield this.n + 1 }, *each(){ yield this.n }") as {
    pages(): AsyncGenerator<number>;
    each(): Generator<number>;
  };

test("a class defined with such methods runs them, and a patch replaces them", async () => {
  const ns = new Namespace("heads");
  const C = ns.defineClass<{ n: number } & ReturnType<typeof methods>>({
    name: "C",
    fields: [{ name: "n", initializer: "1" }],
    methods: methods(),
  });
  const c = new C();
  const all = async () => {
    const out: number[] = [];
    for await (const v of c.pages()) out.push(v);
    return [...out, ...c.each()];
  };
  expect(await all()).toEqual([1, 2, 1]);
  const next = printed("async*pages(){ yield this.n * 10 }");
  updateSync(ns, patch("ten").replaceMethods("C", next).build());
  expect(await all()).toEqual([10, 1]);
});
