/**
 * esbuild's `__publicField` minified to a letter and called with two
 * arguments, for a field declared with no value: tinybench 2.5.1's Task
 * constructor is `super(); r(this, "bench"); r(this, "name"); r(this, "fn");
 * r(this, "runs", 0); …`. Only the three-argument shape was read as a
 * field: each two-argument call was taken for the object handed to other
 * code, and an update of tinybench said MM_UNSEEN_STATE ("the constructor
 * hands the object to other code") eight times for plain field
 * declarations.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../../src/index.js";
import { parseClassSource, readThisHandOffs } from "../../../src/mop/source/parse.js";

/** esbuild's helpers, minified as tinybench 2.5.1 ships them. */
const HELPERS = `var H = Object.defineProperty;
var N = (s, i, t) => i in s ? H(s, i, { enumerable: !0, configurable: !0, writable: !0, value: t }) : s[i] = t;
var r = (s, i, t) => (N(s, typeof i != "symbol" ? i + "" : i, t), t);`;

/**
 * A class in tinybench's shape: its fields declared through `r`, with a
 * value or none (`kind` always with one, as tinybench's `runs`), then two
 * of them assigned from the arguments.
 */
function task(fields: readonly (readonly [name: string, value: string | undefined])[]) {
  const declared = fields
    .map(([name, value]) =>
      value === undefined ? `r(this, "${name}")` : `r(this, "${name}", ${value})`,
    )
    .join(";\n    ");
  return new Function(
    `"use strict";
    ${HELPERS}
    var b = class extends EventTarget {
      constructor(t, e) {
        super();
        r(this, "kind", "task");
        ${declared};
        this.bench = t, this.name = e;
      }
    };
    return b;`,
  )() as new (
    bench?: unknown,
    name?: string,
  ) => Record<string, unknown>;
}

test("tinybench 2.5.1's Task: the two-argument calls are its fields, and nothing is handed off", () => {
  const Task = task([
    ["bench", undefined],
    ["name", undefined],
    ["runs", "0"],
    ["result", undefined],
  ]);
  expect(
    parseClassSource(Function.prototype.toString.call(Task)).fields.map((f) => f.name),
  ).toEqual(["kind", "bench", "name", "runs", "result"]);
  expect(readThisHandOffs(Task)).toEqual([]);
});

test("a function the class never calls with a value makes no field of a two-argument call", () => {
  const parsed = parseClassSource(
    `class A { constructor() { g(this, "b"); r(this, "c"); r(this, "d", 1); } }`,
  );
  expect(parsed.fields).toEqual([{ name: "c" }, { name: "d", initializer: "1" }]);
  expect(parsed.unsupported).toEqual([]);
});

/**
 * Over which fields are declared and with a value or none: the update
 * between two such releases says no MM_UNSEEN_STATE, and the live object
 * has every field of the new release.
 */
test("an update between two such releases says no unseen state", () => {
  const names = ["bench", "name", "fn", "runs", "result", "opts"] as const;
  fc.assert(
    fc.property(
      fc.subarray([...names], { minLength: 1 }),
      fc.subarray([...names], { minLength: 1 }),
      fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      (before, after, valued) => {
        const fields = (list: readonly string[]) =>
          list.map((n) => [n, valued[names.indexOf(n as never)] ? "0" : undefined] as const);
        const ns = new Namespace("minified-two-arguments");
        const A = ns.registerClass(task(fields(before)), { name: "Task" });
        const live = new A({}, "sum");
        const result = updateSync(
          ns,
          patch("next")
            .replaceImplementation("Task", task(fields(after)))
            .build(),
        );
        expect(result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE")).toEqual([]);
        for (const name of after) expect(Object.hasOwn(live, name)).toBe(true);
      },
    ),
    { seed: 25129, numRuns: 16 },
  );
});
