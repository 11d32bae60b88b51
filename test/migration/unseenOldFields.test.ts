/**
 * An old field the new version may still hold although reading its source
 * did not learn it (assigned only in an if/else, or by
 * `Object.assign(this, rest)`) is carried over, not deleted, as the update's
 * MM_UNSEEN_STATE warning says. superstruct 0.16.7 -> 1.0.4 deleted
 * `validator` from every live Struct (1.0 assigns it in an if/else) and the
 * next `is()` threw; a field the new version drops for good still goes.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Made = Record<string, unknown> & { is(v: unknown): boolean };

const evaluate = (source: string) =>
  new Function(`"use strict"; return ${source};`)() as new (
    props: Record<string, unknown>,
  ) => Made;

test.each(["eager", "lazy", "progressive"] as const)(
  "a field the new constructor assigns only conditionally keeps its value (%s); rollback exact",
  async (policy) => {
    const V1 = evaluate(`class Struct {
    constructor(props) { this.type = props.type; this.validator = props.validator ?? (() => []); }
    is(v) { return this.validator(v).length === 0; }
  }`);
    const V2 = evaluate(`class Struct {
    constructor(props) { this.type = props.type; if (props.validator) { this.validator = props.validator; } else { this.validator = () => []; } }
    is(v) { return [...this.validator(v)].length === 0; }
  }`);
    const ns = new Namespace("unseen-conditional");
    ns.registerClass(V1);
    const s = new V1({
      type: "number",
      validator: (v: unknown) => (typeof v === "number" ? [] : ["no"]),
    });
    const validator = s.validator;
    const result = updateSync(ns, patch("up").replaceImplementation("Struct", V2).build(), {
      policy,
    });
    expect(result.warnings.map((w) => w.field)).toContain("validator");
    // A method call first: a lazy update migrates an object at its first call.
    expect([s.is(1), s.is("x")]).toEqual([true, false]);
    if (policy === "lazy") result.completeMigration();
    await result.completion;
    expect(s.validator).toBe(validator);
    result.rollback();
    expect(Object.keys(s)).toEqual(["type", "validator"]);
    expect(s.validator).toBe(validator);
  },
);

test("old fields survive a new constructor that writes properties it cannot name", () => {
  const V1 = evaluate(`class Failure {
    constructor(props) { this.value = props.value; this.path = props.path; this.name = "Failure"; }
  }`);
  const V2 = evaluate(`class Failure {
    constructor(props) { this.name = "Failure"; Object.assign(this, props); }
  }`);
  const ns = new Namespace("unseen-opaque");
  ns.registerClass(V1);
  const f = new V1({ value: 3, path: ["a"] });
  const result = updateSync(ns, patch("up").replaceImplementation("Failure", V2).build());
  expect({ ...f }).toEqual({ name: "Failure", value: 3, path: ["a"] });
  result.rollback();
  expect(Object.entries(f)).toEqual([
    ["value", 3],
    ["path", ["a"]],
    ["name", "Failure"],
  ]);
});

test("a field the new version drops, with nothing unseen, is still deleted", () => {
  const V1 = evaluate(`class Point { constructor(p) { this.x = p.x; this.legacy = 1; } }`);
  const V2 = evaluate(`class Point { constructor(p) { this.x = p.x; } }`);
  const ns = new Namespace("unseen-none");
  ns.registerClass(V1);
  const p = new V1({ x: 1 });
  updateSync(ns, patch("up").replaceImplementation("Point", V2).build());
  expect({ ...p }).toEqual({ x: 1 });
});

test("a new field whose initial value the constructor computes is named in an MM_NO_INITIAL_VALUE warning", () => {
  const V1 = evaluate(`class Input { constructor(config) { this.name = config.name; } }`);
  const V2 = evaluate(`class Input {
    constructor(config) { this.name = config.name; this.isOneOf = config.isOneOf ?? false; this.flag = false; }
  }`);
  const ns = new Namespace("no-initial");
  ns.registerClass(V1);
  const old = new V1({ name: "Filter" });
  const result = updateSync(ns, patch("up").replaceImplementation("Input", V2).build());
  expect(result.warnings.map((w) => [w.code, w.field])).toEqual([
    ["MM_NO_INITIAL_VALUE", "isOneOf"],
  ]);
  expect({ ...old }).toEqual({ name: "Filter", isOneOf: undefined, flag: false });
  result.rollback();
  const withMigrator = updateSync(
    ns,
    patch("up2")
      .replaceImplementation("Input", V2)
      .migrate("Input", (_old, target) => {
        (target as Record<string, unknown>).isOneOf = false;
      })
      .build(),
  );
  expect(withMigrator.warnings).toEqual([]);
  expect(old.isOneOf).toBe(false);
});

test("an old field the new constructor makes an alias of a new one is named in an MM_ALIAS_SPLIT warning; a migrator joins them (commander 10 -> 12)", () => {
  const run = (migrate: boolean) => {
    const V1 = evaluate(`class Cmd {
    constructor() { this._args = []; }
    argument(a) { this._args.push(a); return this; }
    usage() { return this._args.join(" "); }
  }`);
    const V2 = evaluate(`class Cmd {
    constructor() { this.registeredArguments = []; this._args = this.registeredArguments; }
    argument(a) { this.registeredArguments.push(a); return this; }
    usage() { return this.registeredArguments.join(" "); }
  }`);
    const ns = new Namespace("alias");
    ns.registerClass(V1);
    const cmd = new V1({}) as Made & { argument(a: string): unknown; usage(): string };
    cmd.argument("<file>");
    let upgrade = patch("up").replaceImplementation("Cmd", V2);
    if (migrate)
      upgrade = upgrade.migrate("Cmd", (old, target) => {
        target.registeredArguments = old._args;
      });
    const result = updateSync(ns, upgrade.build());
    return { warnings: result.warnings.map((w) => [w.code, w.field]), usage: cmd.usage() };
  };
  expect(run(false)).toEqual({ warnings: [["MM_ALIAS_SPLIT", "_args"]], usage: "" });
  expect(run(true)).toEqual({ warnings: [], usage: "<file>" });
});

test("a field holding a function whose body the new version changes is named in an MM_STALE_FUNCTION_FIELD warning (old objects keep the old body)", () => {
  class Price {
    cents = 250;
    format = () => `$${this.cents / 100}`;
  }
  class PriceV2 {
    cents = 250;
    format = () => `€${(this.cents / 100).toFixed(2)}`;
  }
  Object.defineProperty(PriceV2, "name", { value: "Price" });
  const ns = new Namespace("function-fields");
  const P = ns.registerClass(Price);
  const old = new P();
  const result = updateSync(ns, patch("eur").replaceImplementation("Price", PriceV2).build());
  expect(result.warnings.map((w) => [w.code, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "format"],
  ]);
  expect([old.format(), new P().format()]).toEqual(["$2.5", "€2.50"]);
});
