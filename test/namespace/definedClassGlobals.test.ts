/**
 * A script's top-level `let`/`const`/`class` (a page's classic script,
 * Node's REPL) is a global binding that is no property of globalThis:
 * defineClass took a name read only through one for a class still to come,
 * bound it late, and shadowed the global — a method calling a top-level
 * `let` helper threw "is not a function".
 */
import { runInThisContext } from "node:vm";
import { expect, test } from "vitest";
import { Namespace } from "../../src/index.js";

runInThisContext("let DefinedClassHelper = (n) => `${n}!`;");

test("a defined class's method reads the script's top-level binding", () => {
  expect("DefinedClassHelper" in globalThis).toBe(false);
  const ns = new Namespace("script-globals");
  const Shout = ns.defineClass<{ n: number; show(): string }>({
    name: "Shout",
    fields: [{ name: "n", initializer: "2" }],
    methods: new Function("return { show() { return DefinedClassHelper(this.n); } }")() as Record<
      string,
      () => string
    >,
  });
  expect(new Shout().show()).toBe("2!");
});
