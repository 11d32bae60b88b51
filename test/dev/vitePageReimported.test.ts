/**
 * A module evaluated again on the page because a module it imports changed
 * (review advZ16 1), run in Node on the page runtime's sources: its
 * unchanged classes were reported "updated Entity (constructor or other
 * code)"; its other exports that read the changed module were kept by its
 * importers (the earlier module's state and code) while its classes read
 * the new one; and a module without classes was never rewritten at all.
 */
import { expect, test, vi } from "vitest";
import { metamorph } from "../../src/dev/vite.js";
import { handOn } from "../../src/dev/vitePageExports.js";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const URL_OF = "http://localhost/src/shapes.ts";

// Each version its own source text, as Vite serves it; the same text for the same version.
const CIRCLES = {
  v1: () =>
    class Circle {
      r = 1;
      area() {
        return 3 * this.r;
      }
    },
  v2: () =>
    class Circle {
      r = 1;
      area() {
        return 3.14 * this.r;
      }
    },
};
const circle = (version: keyof typeof CIRCLES) => CIRCLES[version]();
const square = () =>
  class Square {
    side = 1;
    area() {
      return this.side ** 2;
    }
  };

/** One evaluation of shapes.ts (`version`: the hash of its text), and the line it printed. */
async function evaluate(version: string, classes: Function[]): Promise<string> {
  const before = status.updates;
  const api = module(URL_OF);
  for (const cls of classes) api.manage(cls.name, cls, null);
  api.scope({}, version);
  api.commit();
  await vi.waitFor(() => expect(status.updates).toBe(before + 1), { timeout: 30_000 });
  return status.last;
}

test("an update line names only the classes whose source changed, and says why when none did", async () => {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    const first = module(URL_OF);
    first.manage("Circle", circle("v1"), null);
    first.manage("Square", square(), null);
    first.scope({}, "text1");
    first.commit();
    // Circle edited, Square not.
    expect(await evaluate("text2", [circle("v2"), square()])).toMatch(
      /^\/src\/shapes\.ts: updated Circle \(~area\(\)\) \| 0 instances migrated/,
    );
    // The same text again: Vite evaluated it for a module it imports.
    expect(await evaluate("text2", [circle("v2"), square()])).toMatch(
      /^\/src\/shapes\.ts: updated Circle, Square \(unchanged, evaluated again: a module it imports changed\) \|/,
    );
    // Its own text changed elsewhere (a function, a constant): its classes did not.
    expect(await evaluate("text3", [circle("v2"), square()])).toMatch(
      /^\/src\/shapes\.ts: updated Circle, Square \(unchanged\) \|/,
    );
    expect(info.mock.calls.join("\n")).not.toContain("constructor or other code");
  } finally {
    info.mockRestore();
  }
});

const SERVICE = `import { fmt, state } from "./fmt.js";
let calls = 0;
function count() { calls++; }
function twice(n) { count(); return fmt(n) + fmt(n); }
export function shown(n) { return twice(n); }
export function pure(n) { return n * 2; }
export function tally() { count(); return calls; }
export const LIMIT = 3;
export class Service {}
`;

test("the exports that read an import, themselves or through the module's functions, are named to the page", () => {
  const out = instrumentForVite(SERVICE, "/src/service.js", undefined)!.code;
  expect(out).toContain(
    `__metamorph$module.accepted(import.meta.hot, next, { "shown": shown, "pure": pure, "tally": tally, "LIMIT": LIMIT }, null, ["shown","tally"])`,
  );
});

test("evaluated again for a module it imports, a module hands the update on when such an export is a new function", () => {
  const hot = { invalidate: vi.fn() };
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    const pure = (n: number) => n * 2;
    const previous = { shown: (n: number) => `${n}`, pure, LIMIT: 3 };
    // Its own edit, elsewhere: the same sources, nothing to hand on.
    handOn("/src/service.js", hot, { ...previous, shown: (n: number) => `${n}` }, previous, null);
    expect(hot.invalidate).not.toHaveBeenCalled();
    // For a module it imports: `shown` of the importers reads the earlier one.
    const next = { ...previous, shown: (n: number) => `${n}` };
    handOn("/src/service.js", hot, next, previous, null, ["shown"]);
    expect(hot.invalidate).toHaveBeenCalledWith(
      "metamorph: /src/service.js exports shown besides its classes, and it reads a module it imports, which changed",
    );
    // The same values (kept): nothing to hand on.
    hot.invalidate.mockClear();
    handOn("/src/service.js", hot, previous, previous, null, ["shown"]);
    expect(hot.invalidate).not.toHaveBeenCalled();
  } finally {
    info.mockRestore();
  }
});

test("a module without classes is rewritten when it has top-level state, and accepts no update of its own", () => {
  const stateful = instrumentForVite(
    "let next = 1;\nexport function nextId() { return next++; }\nexport const registry = new Map();\n",
    "/src/ids.js",
    undefined,
  )!;
  expect(stateful.code).toContain(
    'let next = __metamorph$module.keep(0) ? __metamorph$module.kept("next") : (1);',
  );
  expect(stateful.code).toContain(
    'export const registry = __metamorph$module.keep(1) ? __metamorph$module.kept("registry") : (new Map());',
  );
  // Vite hands its updates to its importers, which evaluate it again with them.
  expect(stateful.code).not.toContain("import.meta.hot");
  expect(stateful.selfAccepting).toBe(false);
  // Functions alone are made anew at no cost; a module with hot-update code of its own is its framework's.
  expect(
    instrumentForVite("export function f(n) { return n + 1; }\n", "/src/f.js", undefined),
  ).toBe(undefined);
  const refreshed = `let count = 0;\nexport const App = () => count;\nif (import.meta.hot) import.meta.hot.accept();\n`;
  expect(instrumentForVite(refreshed, "/src/App.jsx", undefined)).toBe(undefined);
});

test("the dependencies Vite pre-bundles into its cache directory are not rewritten, even under the root", () => {
  const [resolve, rewrite] = metamorph();
  (resolve!.configResolved as (config: object) => void)({ root: "/app", cacheDir: "/app/.vite" });
  const transform = (id: string) =>
    (rewrite!.transform as (this: object, code: string, id: string) => unknown).call(
      { getCombinedSourcemap: () => ({}) },
      "let n = 0;\nexport class A {}\n",
      id,
    );
  expect(transform("/app/.vite/deps/chunk.js")).toBe(undefined);
  expect(transform("/app/src/a.js")).toMatchObject({
    code: expect.stringContaining("__metamorph$module.manage"),
  });
});
