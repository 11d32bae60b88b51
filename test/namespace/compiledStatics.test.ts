/**
 * Static fields as TypeScript compiles them. Below ES2022 (and for ES2021
 * with useDefineForClassFields) tsc emits `static nextId = 0` after the
 * class: `Counter.nextId = 0;`, `Object.defineProperty(Counter, "nextId",
 * { …, value: 0 })`, `(_a = class Named {}, _a.count = 1, _a)` for a class
 * expression, and a static block as an arrow IIFE — none of it in the
 * class's own text. The class still has those statics when it runs:
 * `readClassDefinition` lists them (no initializer), so `keepStatics` keeps a
 * running value (a counter written since start) across a new implementation,
 * whichever way the class was compiled, and a rollback carries it back.
 * Every class here is compiled by the installed `typescript`.
 */
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";
import { compileTypeScript } from "../support/tsc.js";

type Statics = Record<string, unknown>;
type Ctor = (new () => { id: number; label(): string }) & Statics;

const SOURCE = (label: string, extra: string) => `
export class Counter {
  static nextId = 0;
  static limit = 10;
  static readonly tag: string = "t";
  id = Counter.nextId++;
  ${extra}
  static { Counter.blockSet = Counter.limit * 2; }
  static blockSet: number;
  label() { return "${label}" + this.id; }
}
export const Expr = class Named { static count = 1; id = 0; };
`;

const TARGETS = [
  ["ES2015", ts.ScriptTarget.ES2015, undefined],
  ["ES2019", ts.ScriptTarget.ES2019, undefined],
  ["ES2021 with useDefineForClassFields", ts.ScriptTarget.ES2021, true],
  ["ES2022", ts.ScriptTarget.ES2022, undefined],
  ["ES2022 without useDefineForClassFields", ts.ScriptTarget.ES2022, false],
] as const;

function compile(source: string, target: ts.ScriptTarget, useDefine: boolean | undefined) {
  const { js, exports } = compileTypeScript(source, target, useDefine);
  return { js, Counter: exports.Counter as Ctor, Expr: exports.Expr as Ctor };
}

describe.each(TARGETS)("statics compiled for %s", (label, target, useDefine) => {
  const v1 = () => compile(SOURCE("a", ""), target, useDefine);
  const v2 = () => compile(SOURCE("b", "shade = 1;"), target, useDefine);

  test("readClassDefinition lists the static data fields", () => {
    const { Counter, Expr } = v1();
    const names = (c: Function) =>
      readClassDefinition(c)
        .staticFields.map((f) => f.name)
        .sort();
    expect(names(Counter)).toEqual(["blockSet", "limit", "nextId", "tag"]);
    expect(names(Expr)).toEqual(["count"]);
  });

  test("keepStatics keeps the running value over a new implementation; a rollback carries writes back", () => {
    const ns = new Namespace(`compiled-statics-${label}`);
    const { Counter: V1 } = v1();
    const handle = ns.registerClass(V1) as unknown as Ctor;
    const made = [new handle(), new handle(), new handle()];
    expect(handle.nextId).toBe(3);
    const { Counter: V2 } = v2();
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Counter", V2, { keepStatics: ["nextId", "limit"] })
        .build(),
    );
    // The running counter goes on; a fresh object takes the next id.
    expect([handle.nextId, handle.limit, handle.tag]).toEqual([3, 10, "t"]);
    expect(new handle().label()).toBe("b3");
    expect(made[0]!.label()).toBe("b0");
    expect(handle.nextId).toBe(4);
    result.rollback();
    expect(handle.nextId).toBe(4);
    expect(new handle().label()).toBe("a4");
  });

  test("without keepStatics a new implementation's statics are its own (as documented)", () => {
    const ns = new Namespace(`compiled-statics-own-${label}`);
    const handle = ns.registerClass(v1().Counter) as unknown as Ctor;
    new handle();
    updateSync(ns, patch("v2").replaceImplementation("Counter", v2().Counter).build());
    expect(handle.nextId).toBe(0);
  });
});
