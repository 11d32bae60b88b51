/**
 * A function a patch carries as source (an initialiser, a migrator, a
 * validation, a hook, a new implementation) is compiled by hydrate with the
 * hydrate scope and the globals in view, never the module it was written
 * in. One reading a constant of that module was compiled anyway: an eager
 * update failed in its migration ("factor is not defined"), a lazy one
 * committed and rolled back at the first call, and a release through the
 * CLI was live until then (review advZ17). Hydrate now refuses it with
 * MM_INVALID_PATCH, naming the function and the names, before any of the
 * patch's code is compiled.
 */
import { runInThisContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  InvalidPatchError,
  Namespace,
  Patch,
  type PatchJson,
  patch,
  updateSync,
} from "../../src/index.js";

function thrown(run: () => unknown): InvalidPatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidPatchError) return error;
    throw error;
  }
  throw new Error("expected an InvalidPatchError");
}

/** A patch as another process reads it: JSON text, then trusted. */
function roundTrip(p: Patch): Patch {
  return Patch.fromJSON(JSON.parse(JSON.stringify(p.toJSON())), { trust: "in-process" });
}

function fromOperations(operations: readonly Record<string, unknown>[]): Patch {
  const json = { format: "metamorph.patch/1", name: "p", operations } as unknown as PatchJson;
  return Patch.fromJSON(json, { trust: "in-process" });
}

/** The function hydrate compiled for operation `index`'s `key`. */
function compiled<F>(p: Patch, index: number, key: string): F {
  const op = p.operations[index] as unknown as Record<string, { fn: F }>;
  return op[key]!.fn;
}

function shop() {
  const ns = new Namespace("unbound-functions");
  const C = ns.defineClass<{ x: number; cents?: number; show(): string }>({
    name: "C",
    fields: [{ name: "x", initializer: "1" }],
    methods: {
      show(this: { x: number }) {
        return `${this.x} units`;
      },
    },
  });
  return { ns, objects: [new C({ x: 2 }), new C({ x: 3 })] };
}

describe("the review's patch: an initialiser reading its module's constant, through JSON", () => {
  const factor = 100;
  const cents = (policy: "eager" | "lazy") =>
    roundTrip(
      patch("cents")
        .addField("C", "cents", { initial: (old) => Number(old.x) * factor })
        .replaceMethods("C", {
          show(this: { cents: number }) {
            return `${this.cents} cents`;
          },
        })
        .policy(policy)
        .build(),
    );

  test.each(["eager", "lazy"] as const)(
    "%s: hydrate refuses it, naming the function and `factor`; nothing changed",
    (policy) => {
      const { ns, objects } = shop();
      const error = thrown(() => cents(policy).hydrate({}));
      expect(error.code).toBe("MM_INVALID_PATCH");
      expect(error.details).toMatchObject({
        patch: "cents",
        index: 0,
        operation: "addField",
        function: "initial",
        className: "C",
        field: "cents",
        names: ["factor"],
      });
      expect(error.message).toContain("its initial function reads `factor`");
      expect(ns.version).toBe(1);
      expect(objects.map((o) => o.show())).toEqual(["2 units", "3 units"]);
    },
  );

  test.each(["eager", "lazy"] as const)("%s: given `factor` in the scope, it applies", (policy) => {
    const { ns, objects } = shop();
    const result = updateSync(ns, cents(policy).hydrate({ factor }));
    expect(result.state()).toBe("committed");
    expect(objects.map((o) => o.show())).toEqual(["200 cents", "300 cents"]);
    expect(ns.version).toBe(2);
  });
});

describe("every kind of function a patch carries", () => {
  const cases: readonly [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      "initial",
      { op: "addField", className: "C", field: "y", initial: { source: "(old) => old.x * rate" } },
      { className: "C", field: "y" },
    ],
    [
      "migrator",
      {
        op: "migrator",
        className: "C",
        migrator: { source: "migrate(old, target) { target.x = rate(old.x); }" },
      },
      { className: "C" },
    ],
    [
      "check",
      {
        op: "validateNamespace",
        name: "v",
        check: { source: "function (world) { return rate; }" },
      },
      { name: "v" },
    ],
    [
      "check",
      {
        op: "validateInstances",
        name: "w",
        className: "C",
        check: { source: "(o) => o.x < rate" },
      },
      { className: "C", name: "w" },
    ],
    [
      "hook",
      { op: "afterCommit", name: "h", hook: { source: "() => { rate.push(1); }" } },
      { name: "h" },
    ],
    [
      "hook",
      { op: "afterRollback", name: "h", hook: { source: "async () => { await rate; }" } },
      { name: "h" },
    ],
    [
      "implementation",
      {
        op: "replaceImplementation",
        className: "C",
        implementation: { source: "class C { x = 1; show() { return rate + this.x; } }" },
      },
      { className: "C" },
    ],
  ];

  test.each(cases)(
    "%s (%j): refused naming `rate`; accepted with it in scope",
    (key, op, place) => {
      const p = fromOperations([{ op: "policy", policy: "lazy" }, op]);
      const error = thrown(() => p.hydrate());
      expect(error.details).toMatchObject({
        index: 1,
        operation: op.op,
        function: key,
        names: ["rate"],
        ...place,
      });
      expect(p.hydrate({ rate: 2 }).hydrated).toBe(true);
    },
  );

  test("refused before any of the patch's code runs: an earlier class's static block has not", () => {
    const ran: string[] = [];
    const p = fromOperations([
      {
        op: "replaceImplementation",
        className: "C",
        implementation: { source: 'class C { static { ran.push("static block"); } }' },
      },
      { op: "afterCommit", name: "h", hook: { source: "() => helper()" } },
    ]);
    expect(thrown(() => p.hydrate({ ran })).details).toMatchObject({ index: 1, names: ["helper"] });
    expect(ran).toEqual([]);
    p.hydrate({ ran, helper: () => {} });
    expect(ran).toEqual(["static block"]);
  });

  test("a class the patch adds is in view of the implementations after its own, not before", () => {
    const shape = { name: "Base", fields: [], methods: [], staticFields: [] };
    const base = {
      op: "replaceImplementation",
      className: "Base",
      implementation: { source: "class Base { kind() { return 'base'; } }" },
    };
    const user = {
      op: "replaceImplementation",
      className: "C",
      implementation: { source: "class C { make() { return new Base().kind(); } }" },
    };
    const after = fromOperations([{ op: "addClass", shape }, base, user]).hydrate();
    const C = compiled<new () => { make(): string }>(after, 2, "implementation");
    expect(new C().make()).toBe("base");
    const before = fromOperations([{ op: "addClass", shape }, user, base]);
    expect(thrown(() => before.hydrate()).details).toMatchObject({ index: 1, names: ["Base"] });
  });

  test("an anonymous implementation reading its class's name is refused: hydrate does not bind it", () => {
    const p = fromOperations([
      {
        op: "replaceImplementation",
        className: "C",
        implementation: { source: "class { copy() { return new C(); } }" },
      },
    ]);
    expect(thrown(() => p.hydrate()).details).toMatchObject({ names: ["C"] });
  });
});

describe("names bound without the scope are no refusal", () => {
  test("a global of the platform, and a script's top-level `let` (no property of globalThis)", () => {
    runInThisContext("let unboundFunctionsLexical = 40;");
    expect("unboundFunctionsLexical" in globalThis).toBe(false);
    const p = fromOperations([
      {
        op: "addField",
        className: "C",
        field: "y",
        initial: { source: "() => Math.max(unboundFunctionsLexical, JSON.parse('2')) + 2" },
      },
    ]).hydrate();
    const initial = compiled<() => number>(p, 0, "initial");
    expect(initial()).toBe(42);
  });

  test("a name read only as `typeof name` is a probe, not a read", () => {
    const p = fromOperations([
      {
        op: "afterCommit",
        name: "h",
        hook: { source: "() => (typeof maybeThere === 'undefined' ? 'absent' : 'present')" },
      },
    ]).hydrate();
    expect(compiled<() => string>(p, 0, "hook")()).toBe("absent");
  });
});

/**
 * Sources generated from what a function may bind itself (parameters,
 * destructuring, locals, a nested function and its parameter, `arguments`),
 * globals, hydrate scope names and names of its module (free): refused
 * exactly when a free name is read, naming them in order of first use;
 * otherwise the compiled function runs without a ReferenceError.
 */
const FREE = ["factor", "helperRate", "clampIt", "dbHandle"] as const;
const SCOPE = { limit: 5, scale: 2 } as const;
const BOUND_READS = [
  "a",
  "d",
  "e",
  "local",
  "inner(a)",
  "((q) => q + a)(1)",
  "arguments.length",
  "Math.abs(-1)",
  "JSON.stringify(a)",
  "limit",
  "scale",
  "typeof factor",
] as const;

const read = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BOUND_READS).map((text) => ({ text, free: null })) },
  { weight: 1, arbitrary: fc.constantFrom(...FREE).map((name) => ({ text: name, free: name })) },
);

const form = fc.constantFrom(
  (body: string) => `(a, { d }, [e]) => { ${body} }`,
  (body: string) => `function (a, { d }, [e]) { ${body} }`,
  (body: string) => `migrate(a, { d }, [e]) { ${body} }`,
);

describe("property", () => {
  test("refused exactly when a free name is read, naming them in order (seed 71)", () => {
    fc.assert(
      fc.property(fc.array(read, { maxLength: 6 }), form, (reads, wrap) => {
        const body = `const local = 1; function inner(x) { return x; } return [${reads.map((r) => r.text).join(", ")}];`;
        const source = wrap(body);
        const p = fromOperations([{ op: "afterCommit", name: "h", hook: { source } }]);
        const free = [...new Set(reads.flatMap((r) => (r.free ? [r.free] : [])))];
        if (free.length > 0) {
          expect(thrown(() => p.hydrate(SCOPE)).details).toMatchObject({ names: free });
          return;
        }
        const hook = compiled<(...args: unknown[]) => unknown[]>(p.hydrate(SCOPE), 0, "hook");
        expect(hook(1, { d: 2 }, [3])).toHaveLength(reads.length);
      }),
      { seed: 71, numRuns: 300 },
    );
  });
});
