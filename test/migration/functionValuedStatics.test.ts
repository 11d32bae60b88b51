/**
 * Statics holding functions that are not methods — a class (tar 6's
 * `Pack.Sync = PackSync`), an arrow, a `function`, a bound function — are
 * static data: every version metamorph derives from the class keeps them,
 * the same values. Read as methods, their text had to stand in a class
 * body, and any update deriving the class failed `MM_INVALID_DEFINITION`
 * ("Unexpected identifier 'PackSync'").
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";

function release() {
  class Base {
    n = 1;
  }
  class Pack extends Base {
    run(): string {
      return "v1";
    }
    static create(): string {
      return "method";
    }
  }
  class PackSync extends Pack {}
  const statics = Pack as unknown as Record<string, unknown>;
  statics.Sync = PackSync;
  statics.arrow = () => "arrow";
  statics.plain = function plain() {
    return "plain";
  };
  statics.bound = function bound(this: { v: string }) {
    return this.v;
  }.bind({ v: "bound" });
  return { Base, Pack, PackSync, values: { ...statics } };
}

const NAMES = ["Sync", "arrow", "plain", "bound"];

test("readClassDefinition lists them as static fields, and the static method as a method", () => {
  const { Pack } = release();
  const definition = readClassDefinition(Pack);
  expect(definition.staticFields.map((f) => f.name)).toEqual(NAMES);
  expect(definition.methods.filter((m) => m.static).map((m) => m.key)).toEqual(["create"]);
});

describe.each([
  ["a new superclass implementation", "super"],
  ["an added field", "addField"],
] as const)("an update deriving the class (%s)", (_label, how) => {
  test("applies, keeps every such static and rolls back exactly", () => {
    const { Base, Pack, values } = release();
    const ns = new Namespace(`function-statics-${how}`, { instanceFinder: "registry" });
    ns.registerClass(Base);
    const P = ns.registerClass(Pack) as unknown as Record<string, unknown> &
      (new () => { run(): string });
    const p = new P();
    const Base2 = class Base {
      n = 1;
      m = 2;
    };
    const result = updateSync(
      ns,
      how === "super"
        ? patch("v2").replaceImplementation("Base", Base2).build()
        : patch("v2").addField("Pack", "extra", { default: 0 }).build(),
    );
    for (const name of NAMES) expect(P[name]).toBe(values[name]);
    expect((P.create as () => string)()).toBe("method");
    expect(p.run()).toBe("v1");
    expect(Object.keys(p)).toEqual(how === "super" ? ["n", "m"] : ["n", "extra"]);
    result.rollback();
    for (const name of NAMES) expect(P[name]).toBe(values[name]);
    expect(Object.keys(p)).toEqual(["n"]);
  });
});

test("a non-enumerable function static and an arrow whose default holds parentheses are static data too", () => {
  class Pack {
    n = 1;
    run(): number {
      return this.n;
    }
  }
  const g = () => 1;
  const hidden = () => "hidden";
  Object.defineProperty(Pack, "hidden", {
    value: hidden,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  const withDefault = (a = g()) => a + 1;
  (Pack as unknown as Record<string, unknown>).withDefault = withDefault;
  const definition = readClassDefinition(Pack);
  expect(definition.staticFields.map((f) => f.name)).toEqual(["hidden", "withDefault"]);
  expect(definition.methods.filter((m) => m.static)).toEqual([]);
  const ns = new Namespace("function-statics-hidden", { instanceFinder: "registry" });
  const P = ns.registerClass(Pack) as unknown as Record<string, unknown>;
  const result = updateSync(
    ns,
    patch("v2")
      .replaceMethods("Pack", {
        run(this: { n: number }) {
          return this.n * 2;
        },
      })
      .build(),
  );
  expect([P.hidden, P.withDefault]).toEqual([hidden, withDefault]);
  result.rollback();
  expect([P.hidden, P.withDefault]).toEqual([hidden, withDefault]);
});
