/**
 * A class with `#` members (modern TypeScript and JavaScript) whose methods
 * a patch changes: its new version keeps the running constructor (which
 * gives objects its private brand) and the running members it leaves as
 * they are. Built from the definition instead, every member was compiled
 * outside its class and one reading `this.#c` did not compile: any methods
 * patch of such a class was refused MM_INVALID_DEFINITION (review advX4).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

function thermometer() {
  return class Thermometer {
    count = 0;
    #c = 0;
    get celsius(): number {
      return this.#c;
    }
    set celsius(v: number) {
      this.#c = v;
      this.count++;
    }
    describe(): string {
      return `${this.#c} C`;
    }
    reading(): number {
      return this.count;
    }
  };
}

type T = { celsius: number; count: number; describe(): string; reading(): number } & Record<
  string,
  unknown
>;

describe.each(["registry", "heap"] as const)("a class with # members, %s finder", (finder) => {
  test("replaceMethods and addMethods commit; private state and kept members work on old and new objects; rollback restores", () => {
    const ns = new Namespace(`priv-${finder}`, { instanceFinder: finder });
    const Handle = ns.registerClass(thermometer()) as unknown as new () => T;
    const old = new Handle();
    old.celsius = 21;
    const result = updateSync(
      ns,
      patch("v2")
        .replaceMethods("Thermometer", {
          reading(this: T) {
            return this.count * 100;
          },
        })
        .addMethods("Thermometer", {
          fahrenheit(this: T) {
            return (this.celsius * 9) / 5 + 32;
          },
        })
        .build(),
    );
    expect(result.outcome).toBe("committed");
    expect([old.reading(), old.describe(), (old.fahrenheit as () => number)()]).toEqual([
      100,
      "21 C",
      69.8,
    ]);
    const fresh = new Handle();
    fresh.celsius = 100;
    expect([fresh.describe(), fresh.reading(), (fresh.fahrenheit as () => number)()]).toEqual([
      "100 C",
      100,
      212,
    ]);
    result.rollback();
    expect([old.reading(), old.describe(), fresh.describe()]).toEqual([1, "21 C", "100 C"]);
    expect(old.fahrenheit).toBeUndefined();
  });

  test("a field change is still refused MM_PRIVATE_STATE, before anything changes", () => {
    const ns = new Namespace(`priv-refused-${finder}`, { instanceFinder: finder });
    const Handle = ns.registerClass(thermometer()) as unknown as new () => T;
    const old = new Handle();
    old.celsius = 5;
    expect(() =>
      updateSync(ns, patch("f").addField("Thermometer", "unit", { default: "C" }).build()),
    ).toThrow(expect.objectContaining({ code: "MM_PRIVATE_STATE" }));
    expect(ns.version).toBe(1);
    expect([old.describe(), old.reading(), Object.keys(old)]).toEqual(["5 C", 1, ["count"]]);
  });
});

test("one half of an accessor pair replaced: the other, reading a private field, stays the running one (review advX5)", () => {
  const ns = new Namespace("priv-accessor-half", { instanceFinder: "registry" });
  const Handle = ns.registerClass(thermometer()) as unknown as new () => T;
  const o = new Handle();
  o.celsius = 5;
  const result = updateSync(
    ns,
    patch("getter")
      .replaceMethods("Thermometer", {
        get celsius() {
          return 42;
        },
      })
      .build(),
  );
  expect(o.celsius).toBe(42);
  o.celsius = 7;
  expect([o.count, o.describe()]).toEqual([2, "7 C"]);
  result.rollback();
  expect([o.celsius, o.describe()]).toEqual([7, "7 C"]);
});
