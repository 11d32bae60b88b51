/**
 * Which top-level statements of a class module the dev server guards (see
 * src/dev/viteTopLevel.ts): not imports, classes, functions or exports, and
 * not the module's own hot-update code, which Vite needs registered again
 * by every new instance (it clears a module's hot callbacks for each).
 */
import { expect, test } from "vitest";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";

const CODE = `import { x } from "./x.js";
export class A {}
function f() {}
const app = new A();
app.start?.();
if (import.meta.hot) import.meta.hot.dispose(() => f());
`;

test("effects and declarations are guarded; imports, classes, functions and the module's hot-update code are not", () => {
  const out = instrumentForVite(CODE, "/src/a.js", undefined)!.code;
  expect(out).toContain(
    'const app = __metamorph$module.keep(0) ? __metamorph$module.kept("app") : (new A());',
  );
  expect(out).toContain("if (__metamorph$module.run(1)) app.start?.();");
  expect(out).toContain("\nif (import.meta.hot) import.meta.hot.dispose(() => f());");
  expect(out).toMatch(
    /\.module\(import\.meta\.url, \[\["\w+","v",4,\["app"\]\],\["\w+","e",5\]\]\)/,
  );
});

test("after a version whose top level threw part-way, the next compares with the last that finished: its unchanged statements stay skipped", async () => {
  const { module } = await import("../../src/dev/vitePageRuntime.js");
  const url = "http://localhost/src/threw.js";
  const v1 = module(url, [["h1", "e", 3]]);
  expect(v1.run(0)).toBe(true);
  v1.scope({});
  v1.commit();
  // A new declaration whose initialiser throws: the evaluation ends there, before the module's last line.
  const v2 = module(url, [
    ["h1", "e", 3],
    ["h2", "v", 4, ["x"]],
  ]);
  expect([v2.run(0), v2.keep(1)]).toEqual([false, false]);
  const v3 = module(url, [
    ["h1", "e", 3],
    ["h3", "v", 4, ["x"]],
  ]);
  expect([v3.run(0), v3.keep(1)]).toEqual([false, false]);
});
