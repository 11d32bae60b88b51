/**
 * The page bundle's pruning (src/dev/vitePagePruning.ts): the bodies it
 * replaces throw, naming what and why, everything else runs unchanged, a
 * listed name that a module lacks fails the bundling, and the page's plan
 * builds only the operations whose code the pruning keeps.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { planClassUpdates } from "../../src/dev/plan.js";
import { PAGE_OPERATIONS, pruneModule } from "../../src/dev/vitePagePruning.js";
import { Namespace } from "../../src/index.js";
import type { Constructor } from "../../src/mop/index.js";

const MODULE = `
export function kept(x) { return x + 1; }
export function gone(x) { return x * 2; }
function inner() { return "inner"; }
const arrow = (x) => x - 1;
const block = (x) => { return x; };
const TABLE = { a: (x) => x, b(x) { return x; }, c: 3 };
export class Thing {
  #secret() { return 1; }
  open() { return this.#secret(); }
  static make() { return new Thing(); }
  get size() { return 2; }
}
export const all = { kept, gone, inner, arrow, block, TABLE, Thing };
`;

async function load(code: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as Record<
    string,
    unknown
  >;
}

test("pruned bodies throw, naming the function and why; the rest runs unchanged", async () => {
  const pruned = pruneModule(
    MODULE,
    "demo",
    ["gone", "inner", "arrow", "TABLE.a", "TABLE.b", "Thing.#secret", "Thing.make", "Thing.size"],
    "not on the page",
  );
  const { all } = (await load(pruned)) as {
    all: Record<string, (...args: unknown[]) => unknown> & {
      TABLE: Record<string, unknown>;
      Thing: { new (): { open(): unknown; size: unknown }; make(): unknown };
    };
  };
  expect(all.kept!(1)).toBe(2);
  expect(all.block!(5)).toBe(5);
  expect(all.TABLE.c).toBe(3);
  const says = (name: string) =>
    new RegExp(
      `^metamorph: ${name.replace(/[.#]/g, "\\$&")} is not available in the page \\(not on the page\\)$`,
    );
  expect(() => all.gone!(1)).toThrow(says("gone"));
  expect(() => all.inner!()).toThrow(says("inner"));
  expect(() => all.arrow!(1)).toThrow(says("arrow"));
  expect(() => (all.TABLE.a as () => unknown)()).toThrow(says("TABLE.a"));
  expect(() => (all.TABLE.b as () => unknown)()).toThrow(says("TABLE.b"));
  expect(() => all.Thing.make()).toThrow(says("Thing.make"));
  const thing = new all.Thing();
  expect(() => thing.open()).toThrow(says("Thing.#secret"));
  expect(() => thing.size).toThrow(says("Thing.size"));
});

test("a name the module does not define fails the pruning, naming it and the module", () => {
  expect(() => pruneModule(MODULE, "demo", ["kept", "missing"], "why")).toThrow(
    "the page bundle prunes missing of demo, which it does not define",
  );
  expect(() => pruneModule(MODULE, "demo", ["Thing.gone"], "why")).toThrow(/Thing\.gone of demo/);
});

/** Edits as the page sees them: a class's new implementation, with the migrations module's hints. */
const edits = fc.record({
  fields: fc.subarray(["x", "y", "z", "w"]),
  rename: fc.boolean(),
  initialiser: fc.constantFrom(0, 1),
  migrate: fc.boolean(),
  validate: fc.boolean(),
  reset: fc.boolean(),
  extendsBase: fc.boolean(),
  method: fc.boolean(),
});

test("the page's plan builds only the operations whose building the pruning keeps", () => {
  fc.assert(
    fc.property(edits, (edit) => {
      const ns = new Namespace("page");
      const Base = ns.registerClass(
        class Base {
          b = 0;
        },
      ) as unknown as Constructor;
      const Counter = ns.registerClass(
        class Counter extends (Base as unknown as new () => object) {
          x = 0;
          y = 0;
        },
      ) as unknown as Constructor;
      ns.registerClass(
        class Sub extends (Counter as unknown as new () => object) {
          s = 0;
        },
      );
      const fields = edit.fields.map((f) => `${f} = ${edit.initialiser};`).join("\n");
      const method = edit.method ? "total() { return 1; }" : "";
      const next = edit.extendsBase
        ? new Function("Base", `return class Counter extends Base { ${fields} ${method} }`)(Base)
        : new Function(`return class Counter { ${fields} ${method} }`)();
      const plan = planClassUpdates([{ name: "Counter", handle: Counter, implementation: next }], {
        namespace: ns,
        patchName: "page #2",
        migrations: {
          ...(edit.rename ? { renames: { Counter: { z: "x" } } } : {}),
          ...(edit.migrate ? { migrate: { Counter: () => {} } } : {}),
          ...(edit.validate ? { validate: { Counter: () => true } } : {}),
          ...(edit.reset ? { reset: { Counter: ["x"] } } : {}),
        },
        migrationsFile: "counter.migrations.ts",
        used: new Set(),
        // The page plans without resetValues (./vitePageRuntime.ts); metamorph dev's reset adds a migrator.
        ...(edit.reset ? { resetValues: () => ({ x: () => 0 }) } : {}),
      });
      for (const op of plan.builder.build().operations) {
        expect(PAGE_OPERATIONS).toContain(op.op);
      }
    }),
    { seed: 2026, numRuns: 60 },
  );
});
