// The namespace's entry points given an argument of the wrong kind (what a
// JavaScript caller, or a TypeScript one through `any`, can pass) refuse it
// with a typed error and a stable code, before anything is read from it.
// Before: `new Namespace("n", null)` threw a raw TypeError (Object.keys of
// null), `new Namespace(42)` made a namespace named 42, a number or a symbol
// as options was taken for none, `{ instanceFinder: null }` for the default
// finder, `{ instanceFinder: 1n }` threw a raw TypeError from JSON.stringify, `lookup(Symbol())` a raw TypeError while
// writing its own refusal, and `lookup(42)` looked up "42".
import fc from "fast-check";
import { expect, test } from "vitest";
import { MetamorphError, Namespace, type NamespaceOptions } from "../../src/index.js";

/** A Proxy whose every trap throws: reading it in any way throws, only `typeof` does not. */
function hostile(): object {
  const traps = [
    "get",
    "set",
    "has",
    "deleteProperty",
    "ownKeys",
    "getOwnPropertyDescriptor",
    "defineProperty",
    "getPrototypeOf",
    "setPrototypeOf",
    "isExtensible",
    "preventExtensions",
    "apply",
    "construct",
  ];
  const handler = Object.fromEntries(
    traps.map((trap) => [
      trap,
      () => {
        throw new Error(`trap ${trap}`);
      },
    ]),
  );
  return new Proxy({}, handler);
}

/** Wrong-kind values, by label (fast-check prints the label, never reads the value). */
const VALUES: Readonly<Record<string, () => unknown>> = {
  null: () => null,
  undefined: () => undefined,
  "{}": () => ({}),
  "[]": () => [],
  "42": () => 42,
  NaN: () => Number.NaN,
  "1n": () => 1n,
  true: () => true,
  "Symbol()": () => Symbol(),
  "() => 1": () => () => 1,
  "a Proxy that throws on every trap": hostile,
  "a null-prototype object": () => Object.create(null),
};

interface Entry {
  readonly call: string;
  readonly code: string;
  /** Values of the right kind here (refused, if at all, for another reason). */
  readonly accepts: (label: string) => boolean;
  readonly run: (ns: Namespace, value: unknown) => unknown;
}

const ENTRIES: readonly Entry[] = [
  {
    call: "new Namespace(name)",
    code: "MM_INVALID_ARGUMENT",
    accepts: () => false,
    run: (_, v) => new Namespace(v as string),
  },
  {
    call: "new Namespace(name, options)",
    code: "MM_INVALID_OPTION",
    accepts: (label) => ["undefined", "{}", "a null-prototype object"].includes(label),
    run: (_, v) => new Namespace("n", v as NamespaceOptions),
  },
  {
    call: "new Namespace(name, { instanceFinder })",
    code: "MM_INVALID_OPTION",
    accepts: (label) => label === "undefined",
    run: (_, v) => new Namespace("n", { instanceFinder: v as "heap" }),
  },
  {
    call: "new Namespace(name, { switchToHeapAfter })",
    code: "MM_INVALID_OPTION",
    accepts: (label) => label === "undefined" || label === "42",
    run: (_, v) => new Namespace("n", { switchToHeapAfter: v as number }),
  },
  {
    call: "ns.lookup",
    code: "MM_INVALID_ARGUMENT",
    accepts: () => false,
    run: (ns, v) => ns.lookup(v as string),
  },
  {
    call: "ns.binding",
    code: "MM_INVALID_ARGUMENT",
    accepts: () => false,
    run: (ns, v) => ns.binding(v as string),
  },
  {
    call: "ns.classNamed",
    code: "MM_INVALID_ARGUMENT",
    accepts: () => false,
    run: (ns, v) => ns.classNamed(v as string),
  },
];

function world(): Namespace {
  const ns = new Namespace("app");
  ns.defineClass({ name: "P", fields: [{ name: "x", initializer: "0" }] });
  ns.define("42", "the value bound to the name 42");
  ns.define("limit", 3);
  return ns;
}

test("property: entry point × wrong-kind value → a MetamorphError with the entry point's code, the namespace unchanged (seed 47)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ENTRIES),
      fc.constantFrom(...Object.keys(VALUES)),
      (entry, label) => {
        const ns = world();
        const before = { version: ns.version, snapshot: ns.snapshot, history: ns.history };
        let outcome: unknown;
        try {
          outcome = entry.run(ns, VALUES[label]!());
        } catch (error) {
          outcome = error;
        }
        if (entry.accepts(label)) {
          expect(outcome).toBeInstanceOf(Namespace);
        } else {
          expect(outcome).toBeInstanceOf(MetamorphError);
          expect((outcome as MetamorphError).code).toBe(entry.code);
        }
        expect({ version: ns.version, snapshot: ns.snapshot, history: ns.history }).toEqual(before);
        expect(ns.snapshot).toBe(before.snapshot);
      },
    ),
    { seed: 47, numRuns: 200 },
  );
});

test("the refusals name what was wrong", () => {
  const ns = world();
  expect(() => ns.lookup(Symbol("s") as never)).toThrow(
    "namespace app: a binding is looked up by its name, a string, not symbol",
  );
  // 42 is not the name "42": the value bound to "42" is not answered for it.
  expect(() => ns.lookup(42 as never)).toThrow("a string, not number");
  expect(ns.lookup("42")).toBe("the value bound to the name 42");
  expect(() => new Namespace(42 as never)).toThrow(
    "new Namespace takes a name, a string, not number",
  );
  expect(() => new Namespace("n", null as never)).toThrow(
    "namespace n: the options of new Namespace are an object { instanceFinder, switchToHeapAfter }, not null",
  );
  expect(() => new Namespace("n", hostile() as never)).toThrow(
    "namespace n: the options of new Namespace are an object { instanceFinder, switchToHeapAfter }, but they cannot be read (trap ownKeys)",
  );
  expect(() => new Namespace("n", { instanceFinder: 1n as never })).toThrow(
    "namespace n: instanceFinder 1 is not",
  );
});

test("options are read once: a getter runs one time, and what it answered is what the namespace uses", () => {
  let reads = 0;
  const options = {
    get instanceFinder() {
      reads += 1;
      return reads === 1 ? "registry" : "bogus";
    },
  };
  expect(new Namespace("once", options as NamespaceOptions).finder.kind).toBe("registry");
  expect(reads).toBe(1);
});
