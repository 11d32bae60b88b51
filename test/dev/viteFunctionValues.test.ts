/**
 * A module-level function value (`export const inc = () => ++n`) under the
 * Vite plugin: unchanged, it kept the running version's function, which
 * reads and writes the running version's variables, while the module's
 * other code read the new version's copy: after an edit of `get()`, `inc()`
 * counted on and `get()` did not see it (a module without classes, now
 * guarded, review advZ16 1, as well as a class module). Such a value is now
 * made again with the new version, as a `function` declaration is: the new
 * version's code reads one copy of its variables. The rewritten module is
 * run here on the page runtime's sources.
 */
import { expect, test } from "vitest";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import * as client from "../../src/dev/vitePageRuntime.js";

type Counter = { inc(): number; get(): number; handlers: { inc(): number } };

/** One evaluation of the rewritten module: its exports. */
function evaluate(code: string, url: string): Counter {
  const body = code
    .replace(/^import \* as __metamorph\$client from "[^"]+";/, "")
    .replaceAll("import.meta.url", "__url")
    .replaceAll("import.meta.hot", "undefined")
    .replace(/^export /gm, "");
  const run = new Function(
    "__metamorph$client",
    "__url",
    `${body}\nreturn { inc, get, handlers };`,
  );
  return run(client, url) as Counter;
}

const counter = (get: string, withClass: boolean) => `let n = 0;
export const inc = () => ++n;
export const handlers = { inc };
export function get() { return ${get}; }
${withClass ? "export class A {}\n" : ""}`;

test("an unchanged function value is made again with the module's new version, reading the same variables as its other code", () => {
  for (const withClass of [false, true]) {
    const url = `http://localhost/src/counter${withClass ? "A" : ""}.js`;
    const v1 = evaluate(
      instrumentForVite(counter("n", withClass), "/src/c.js", undefined)!.code,
      url,
    );
    v1.inc();
    v1.inc();
    const v2 = evaluate(
      instrumentForVite(counter("n * 1", withClass), "/src/c.js", undefined)!.code,
      url,
    );
    expect([v2.inc(), v2.get()]).toEqual([3, 3]);
    // An object made of it keeps its identity (its state), and the function it was given.
    expect(v2.handlers).toBe(v1.handlers);
  }
});

test("such an exported value that reads an import is named to the page, as an exported function is", () => {
  const code = `import { fmt } from "./fmt.js";
export const show = (n) => fmt(n);
export const twice = (n) => n * 2;
export class A {}
`;
  expect(instrumentForVite(code, "/src/show.js", undefined)!.code).toContain(
    `__metamorph$module.accepted(import.meta.hot, next, { "show": show, "twice": twice }, null, ["show"])`,
  );
});
