/**
 * A module-level declaration whose text did not change but that is made
 * from one that did (`const BASE = "/v2"` edited, `export const users = BASE
 * + "/users"` not): the page kept its running value, made from the earlier
 * one, with no word. It is now made again too, like an edited declaration:
 * a value alone takes the new one, anything else reloads the page naming
 * what it is made from (src/dev/vitePageTopLevel.ts; the server hands over
 * what each declaration uses, src/dev/viteTopLevel.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import { type GuardedStatement, planTopLevel } from "../../src/dev/vitePageTopLevel.js";

test("the server hands over which module variables each declaration uses, shadowing resolved", () => {
  const code = `const BASE = "/api";
export const users = BASE + "/users";
const local = (BASE) => BASE;
let n = 0;
const doubled = [n, users].map((x) => x);
export class A {}
`;
  const table = instrumentForVite(code, "/src/config.js", undefined)!.code.match(
    /\.module\(import\.meta\.url, (\[.*?\]\])\)/,
  )![1]!;
  const uses = (JSON.parse(table) as GuardedStatement[]).map((s) => s[4] ?? []);
  expect(uses).toEqual([[], ["BASE"], [], [], ["n", "users"]]);
});

/** The running version of a module's statements (its variables readable), as its last evaluation left it. */
function running(statements: readonly GuardedStatement[]) {
  const state = planTopLevel(statements, undefined, undefined).state;
  state.scope = Object.fromEntries(
    statements.flatMap((s) => (s[3] ?? []).map((n) => [n, () => n])),
  );
  return state;
}

test("an unchanged declaration made from an edited one takes its new value, or reloads naming it", () => {
  const v1: GuardedStatement[] = [
    ["a", "i", 1, ["BASE"]],
    ["b", "i", 2, ["users"], ["BASE"]],
    ["c", "v", 3, ["client"], ["users"]],
    ["d", "i", 4, ["other"]],
  ];
  const edited = v1.map((s, i): GuardedStatement => (i === 0 ? ["a2", s[1], s[2], s[3]] : s));
  const plan = planTopLevel(edited, running(v1), undefined);
  expect(plan.reload).toBe(
    "line 3: module-level client is made from users, which changed, and running it again would repeat what the running version did",
  );
  // Without the declaration that would make something again, values alone take their new ones.
  const values = planTopLevel([...edited.slice(0, 2), edited[3]!], running(v1), undefined);
  expect(values.reload).toBe(undefined);
  expect([0, 1, 2].map((i) => values.keep(i))).toEqual([false, false, true]);
});

test("property: what is made again is what was edited and what is made from it; seed 20261207", () => {
  const declarations = fc.array(
    fc.record({
      kind: fc.constantFrom("i", "v"),
      uses: fc.array(fc.nat(), { maxLength: 3 }),
      edited: fc.boolean(),
    }),
    {
      minLength: 1,
      maxLength: 8,
    },
  );
  fc.assert(
    fc.property(declarations, (drawn) => {
      // Declaration i declares x<i> and uses earlier ones.
      const v1 = drawn.map(({ kind, uses }, i): GuardedStatement => {
        const used = i === 0 ? [] : [...new Set(uses.map((u) => `x${u % i}`))];
        return [`h${i}`, kind as "i" | "v", i + 1, [`x${i}`], used];
      });
      const v2 = v1.map(
        (s, i): GuardedStatement => (drawn[i]!.edited ? [`h${i}'`, s[1], s[2], s[3], s[4]] : s),
      );
      const remade = new Set<number>();
      v1.forEach((s, i) => {
        if (drawn[i]!.edited || (s[4] ?? []).some((n) => remade.has(Number(n.slice(1)))))
          remade.add(i);
      });
      const plan = planTopLevel(v2, running(v1), undefined);
      const reloading = [...remade].filter((i) => v1[i]![1] === "v");
      if (reloading.length > 0) {
        const first = Math.min(...reloading);
        expect(plan.reload).toMatch(new RegExp(`^line ${first + 1}: `));
        if (!drawn[first]!.edited) expect(plan.reload).toMatch(/is made from x\d+, which changed/);
      } else {
        expect(plan.reload).toBe(undefined);
        expect(v2.map((_, i) => !plan.keep(i))).toEqual(v2.map((_, i) => remade.has(i)));
      }
    }),
    { seed: 20261207, numRuns: 200 },
  );
});
