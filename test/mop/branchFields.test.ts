/**
 * Fields a constructor creates in both branches of an if/else (or in the
 * one branch that does not throw) exist on every object it constructs:
 * the source reader learns them, in order (pg's `Client`, superstruct 1.0's
 * `Struct`); a field one branch alone creates stays "conditional".
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { parseClassSource } from "../../src/mop/source/parse.js";
import { besidesOldLayout } from "../support/releaseWarnings.js";

/** A constructor statement over conditions `c0`–`c2`. */
type Statement =
  | { readonly kind: "assign"; readonly field: string; readonly value: number }
  | {
      readonly kind: "if";
      readonly condition: number;
      readonly whenTrue: readonly Statement[];
      /** undefined: no else; "throw": an else that throws. */
      readonly otherwise: readonly Statement[] | "throw" | undefined;
    };

const FIELDS = ["a", "b", "c", "d", "e"];

const statements: fc.Arbitrary<Statement[]> = fc.letrec<{ list: Statement[]; one: Statement }>(
  (tie) => ({
    list: fc.array(tie("one"), { maxLength: 4 }),
    one: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({
        kind: fc.constant("assign" as const),
        field: fc.constantFrom(...FIELDS),
        value: fc.integer({ min: 0, max: 9 }),
      }),
      fc.record({
        kind: fc.constant("if" as const),
        condition: fc.integer({ min: 0, max: 2 }),
        whenTrue: tie("list"),
        otherwise: fc.oneof(fc.constant(undefined), fc.constant("throw" as const), tie("list")),
      }),
    ),
  }),
).list;

function render(list: readonly Statement[]): string {
  return list
    .map((s) => {
      if (s.kind === "assign") return `this.${s.field} = ${s.value};`;
      const otherwise =
        s.otherwise === undefined
          ? ""
          : s.otherwise === "throw"
            ? ' else { throw new Error("no"); }'
            : ` else { ${render(s.otherwise)} }`;
      return `if (c${s.condition}) { ${render(s.whenTrue)} }${otherwise}`;
    })
    .join(" ");
}

/** Every object the constructor makes, one per choice of its three conditions (those it throws for left out). */
function objects(source: string): string[][] {
  const C = new Function(`return (${source});`)() as new (...c: boolean[]) => object;
  const made: string[][] = [];
  for (let bits = 0; bits < 8; bits++) {
    try {
      made.push(Object.keys(new C(!!(bits & 1), !!(bits & 2), !!(bits & 4))));
    } catch {
      // No object: that choice throws.
    }
  }
  return made;
}

test("a learned field is on every object the constructor makes, in the learned order", () => {
  fc.assert(
    fc.property(statements, (body) => {
      const source = `class C { constructor(c0, c1, c2) { ${render(body)} } }`;
      const parsed = parseClassSource(source);
      // A field also created conditionally before its learned write is said to move.
      const moving = (name: string) =>
        parsed.unsupported.some((note) => note.startsWith(`field \`${name}\` is also assigned`));
      const learned = parsed.fields.map((f) => f.name);
      for (const keys of objects(source)) {
        for (const name of learned) expect(keys).toContain(name);
        const placed = learned.filter((name) => !moving(name));
        expect(keys.filter((k) => placed.includes(k))).toEqual(placed);
      }
    }),
    { seed: 1506, numRuns: 400 },
  );
});

test("both branches of an if/else, or the branch that does not throw, create a field for every object", () => {
  const parsed = parseClassSource(`class Client {
    constructor(config) {
      this.id = 0;
      if (typeof config === "string") { this.host = config; this.port = 5432; this.queue = []; }
      else { this.host = config.host; this.port = config.port; this.queue = []; this.ssl = config.ssl; }
      if (!config) { throw new Error("no config"); } else { this.ready = false; }
      this.done = true;
    }
  }`);
  expect(parsed.fields).toEqual([
    { name: "id", initializer: "0" },
    { name: "host" },
    { name: "port" },
    { name: "queue", initializer: "[]" },
    { name: "ready", initializer: "false" },
    { name: "done", initializer: "true" },
  ]);
  expect(parsed.unsupported).toEqual([
    "field `ssl` is assigned only conditionally in the constructor; not learned",
  ]);
});

test("branches that create fields in different orders, or return early, leave them conditional", () => {
  for (const body of [
    "if (c) { this.a = 1; this.b = 2; } else { this.b = 2; this.a = 1; }",
    "if (c) { this.a = 1; return; } else { this.a = 2; }",
    "if (c) { this.a = 1; } else if (c === 0) { this.a = 2; }",
  ]) {
    const parsed = parseClassSource(`class C { constructor(c) { ${body} } }`);
    expect(parsed.fields).toEqual([]);
    expect(parsed.unsupported).toContain(
      "field `a` is assigned only conditionally in the constructor; not learned",
    );
  }
});

test("a release creating a field in both branches: the value both give, or a warning that the constructor computes it", () => {
  type K = { x: number; mode?: number };
  const release = (branches: string) =>
    new Function(`"use strict";
      return class K { constructor(a) { this.x = a; ${branches} } };`)() as new (
      a: number,
    ) => K;
  const update = (branches: string) => {
    const ns = new Namespace("branch-fields");
    const Running = ns.registerClass(release("")) as unknown as new (a: number) => K;
    const live = new Running(3);
    const result = updateSync(
      ns,
      patch("v2").replaceImplementation("K", release(branches)).build(),
    );
    return { live, warnings: besidesOldLayout(result.warnings).map((w) => [w.code, w.field]) };
  };
  const same = update("if (a) { this.mode = 1; } else { this.mode = 1; }");
  expect(same.warnings).toEqual([]);
  expect(Object.entries(same.live)).toEqual([
    ["x", 3],
    ["mode", 1],
  ]);
  const computed = update("if (a) { this.mode = a; } else { this.mode = 2; }");
  expect(computed.warnings).toEqual([["MM_NO_INITIAL_VALUE", "mode"]]);
  expect(Object.keys(computed.live)).toEqual(["x", "mode"]);
});
