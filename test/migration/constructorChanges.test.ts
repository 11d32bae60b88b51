/**
 * MM_NO_INITIAL_VALUE for a new field with an initialiser that the new
 * constructor may then change. keyv 5.0.0 -> 5.2.3: the warning for
 * `_useKeyPrefix` (a class field `= true`, which the constructor sets from
 * `this.opts.useKeyPrefix` when given) blamed `generateIterator()`, a method
 * the constructor calls that only reads the field, and said the migrated
 * objects got undefined, where they got `true`.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const said = (warnings: readonly UpdateWarning[], field: string) =>
  warnings.filter((w) => w.code === "MM_NO_INITIAL_VALUE" && w.field === field);

type Store = { _useKeyPrefix?: boolean; iterator: () => boolean };

test("keyv's pattern: the cause is the constructor's own write, and the objects got the initialiser's value", () => {
  const release = (next: boolean) =>
    new Function(`"use strict";
      return class Keyv {
        ${next ? "_useKeyPrefix = true;" : ""}
        constructor(opts = {}) {
          this.opts = opts;
          this.iterator = this.generateIterator();
          ${next ? "if (this.opts.useKeyPrefix !== undefined) { this._useKeyPrefix = this.opts.useKeyPrefix; }" : ""}
        }
        generateIterator() { return () => ${next ? "this._useKeyPrefix" : "true"}; }
      };`)() as new (
      opts?: object,
    ) => Store;
  const ns = new Namespace("constructor-write");
  const Keyv = ns.registerClass(release(false), { name: "Keyv" });
  const store = new Keyv();
  const result = updateSync(
    ns,
    patch("5.2.3").replaceImplementation("Keyv", release(true)).build(),
  );
  const [w, ...more] = said(result.warnings, "_useKeyPrefix");
  expect(more).toEqual([]);
  expect(w!.note).toBe(
    "new field `_useKeyPrefix` has no initial value a migration can compute (its initialiser gives it a value that the constructor then may change (`this._useKeyPrefix = this.opts.useKeyPrefix`), which a migration does not run)",
  );
  expect(w!.message).toContain("migrated objects got its initial value (`true`)");
  expect(w!.message).not.toContain("generateIterator");
  // What it says the objects got.
  expect(store._useKeyPrefix).toBe(true);
});

const CONSTRUCTOR = {
  none: "",
  conditional: "if (o.marks) this.marks = o.marks;",
  push: "this.marks.push(2);",
} as const;
const METHOD = {
  none: "return 0;",
  read: "return this.marks.length;",
  compare: "return this.marks === null ? 1 : 0;",
  assign: "this.marks = [1]; return 0;",
  element: "this.marks[0] = 1; return 0;",
  push: "this.marks.push(1); return 0;",
} as const;

/**
 * Over what the new constructor does with a new field `marks = [0]` and
 * what a method it calls does with it: said exactly where one of them
 * writes it (a read or a comparison is no change), naming the constructor's
 * own write first, else the method; the objects got `[0]`, as it says.
 */
test("said exactly where the constructor or a method it calls writes the field, with the cause and the value got", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...(Object.keys(CONSTRUCTOR) as (keyof typeof CONSTRUCTOR)[])),
      fc.constantFrom(...(Object.keys(METHOD) as (keyof typeof METHOD)[])),
      (own, method) => {
        const release = (next: boolean) =>
          new Function(`"use strict";
            return class Marks {
              ${next ? "marks = [0];" : ""}
              constructor(o = {}) { this.o = o; ${next ? CONSTRUCTOR[own] : ""} this.n = this.touch(); }
              touch() { ${next ? METHOD[method] : "return 0;"} }
            };`)() as new () => { marks?: number[] };
        const ns = new Namespace("constructor-changes");
        const Marks = ns.registerClass(release(false), { name: "Marks" });
        const live = new Marks();
        const result = updateSync(
          ns,
          patch("b").replaceImplementation("Marks", release(true)).build(),
        );
        const warnings = said(result.warnings, "marks");
        const writes = own !== "none" || ["assign", "element", "push"].includes(method);
        expect(warnings.length).toBe(writes ? 1 : 0);
        if (writes) {
          const cause =
            own === "none"
              ? "the constructor then changes by calling touch()"
              : `the constructor then may change (\`${CONSTRUCTOR[own].replace(/^if \(o\.marks\) |;$/g, "")}\`)`;
          expect(warnings[0]!.note).toContain(cause);
          expect(warnings[0]!.message).toContain("migrated objects got its initial value (`[0]`)");
        }
        expect(live.marks).toEqual([0]);
      },
    ),
    { seed: 523, numRuns: 18 },
  );
});
