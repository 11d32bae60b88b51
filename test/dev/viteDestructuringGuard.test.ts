/**
 * A module-level declaration with a destructuring pattern, guarded by the
 * Vite plugin (src/dev/viteTopLevel.ts): its initialiser was wrapped as
 * `value(i, j, ()init)`, a syntax error, so that the module failed to load
 * (`var { is, defineProperty } = Object;`, as Lit's pre-bundled code has,
 * was enough). Now `value(i, j, (init))`. The rewritten modules are run here
 * on the page runtime's sources, beside the same code unrewritten.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import * as client from "../../src/dev/vitePageRuntime.js";

const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<Record<string, unknown>>;

/** What the module's declarations hold once it ran (rewritten or not), given what its code reads. */
async function run(
  code: string,
  names: readonly string[],
  url: string,
  reads: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = code
    .replace(/^import \* as __metamorph\$client from "[^"]+";/, "")
    .replaceAll("import.meta.url", "__url")
    .replaceAll("import.meta.hot", "undefined")
    .replace(/^export /gm, "");
  const make = new AsyncFunction(
    "__metamorph$client",
    "__url",
    ...Object.keys(reads),
    `${body}\nreturn { ${names.join(", ")} };`,
  );
  return make(client, url, ...Object.values(reads));
}

/** What the module's code reads: values both iterable and with the properties the patterns take. */
const reads = (n: number) => {
  const value = () => Object.assign([n, n + 1, n + 2], { a: n, b: [n], e: [n * 2], g: { n } });
  return { make: value, load: async () => value(), cond: n % 2 === 0, OBJ: value() };
};

let modules = 0;
const url = () => `http://localhost/src/destructuring${++modules}.js`;

test("a destructuring declaration is guarded: the module runs, and a later version keeps its values", async () => {
  const code = "var { a, b } = make();\nconst [c, , d] = OBJ;\nexport class A {}\n";
  const out = instrumentForVite(code, "/src/a.js", undefined)!.code;
  expect(out).toContain(
    "var { a, b } = __metamorph$module.keep(0) ? __metamorph$module.keptValue(0, 0) : __metamorph$module.value(0, 0, (make()));",
  );
  const at = url();
  const names = ["a", "b", "c", "d"];
  const first = await run(out, names, at, reads(1));
  expect(first).toEqual({ a: 1, b: [1], c: 1, d: 3 });
  // The same text evaluated again (Vite's next instance of the module): the running values stay.
  expect(await run(out, names, at, reads(5))).toEqual(first);
});

/** Patterns, each `@` a name it declares. */
const PATTERNS = [
  "{ a: @, b: @ }",
  "[@, , @]",
  "{ e: [@] = [] }",
  "{ g: @, ...@ }",
  "[@ = 1, ...@]",
  "@",
];
const INITS = ["make()", "OBJ", "cond ? make() : OBJ", "await load()", "(0, make)()"];

test("property: declarations of any patterns and initialisers hold, rewritten, what they hold without the rewrite; seed 20261207", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          kind: fc.constantFrom("const", "let", "var"),
          declarators: fc.array(
            fc.record({ pattern: fc.integer({ min: 0, max: 5 }), init: fc.constantFrom(...INITS) }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      fc.integer({ min: 1, max: 9 }),
      async (declarations, n) => {
        const names: string[] = [];
        // Each name a pattern declares is a fresh one.
        const lines = declarations.map(({ kind, declarators }) => {
          const parts = declarators.map(({ pattern, init }) => {
            const own = PATTERNS[pattern]!.replace(/@/g, () => {
              names.push(`v${names.length}`);
              return names.at(-1)!;
            });
            return `${own} = ${init}`;
          });
          return `${kind} ${parts.join(", ")};`;
        });
        const code = `${lines.join("\n")}\nexport class A {}\n`;
        const out = instrumentForVite(code, "/src/a.js", undefined)!.code;
        const plain = code.replace("export class A {}", "");
        expect(await run(out, names, url(), reads(n))).toEqual(
          await run(plain, names, "", reads(n)),
        );
      },
    ),
    { seed: 20261207, numRuns: 60 },
  );
});
