// A `default` is JSON data, and every object gets a copy equal to it. Before,
// a default with an own "__proto__" key, as JSON.parse makes it (a settings
// object read from a config file), became the source `{"__proto__": {…}}`,
// which as an object literal SETS the prototype: every instance's value had
// a prototype with `isAdmin: true`. Arrays with extra properties were accepted
// and lost them; a nested -0 became 0.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, patch, updateSync } from "../../src/index.js";

const own = (value: unknown) => ({
  value,
  enumerable: true,
  configurable: true,
  writable: true,
});

/** JSON data as JSON.parse makes it: own data properties only, "__proto__" included, -0 kept. */
const { json } = fc.letrec<{ json: unknown; object: object }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 1.5),
    fc.string({ maxLength: 6 }),
    fc.array(tie("json"), { maxLength: 3 }),
    tie("object"),
  ),
  object: fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom("__proto__", "constructor", "toString"),
          fc.string({ maxLength: 5 }),
        ),
        tie("json"),
      ),
      { maxLength: 4 },
    )
    .map((entries) => {
      const o = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, own(v));
      return o;
    }),
}));

/** Equal as data: same prototypes (plain), same own keys in order, values equal as by Object.is. */
function sameData(a: unknown, b: unknown, path = "value"): string | undefined {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null)
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs not`;
  const protoA = Object.getPrototypeOf(a);
  const protoB = Object.getPrototypeOf(b);
  const plain = Array.isArray(a) ? Array.prototype : Object.prototype;
  if (protoA !== plain || protoB !== plain)
    return `${path}: its prototype is not ${plain === Array.prototype ? "Array" : "Object"}.prototype`;
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (JSON.stringify(keysA.map(String)) !== JSON.stringify(keysB.map(String)))
    return `${path}: keys ${String(keysA)} vs ${String(keysB)}`;
  for (const k of keysA) {
    if (k === "length") continue;
    const d = sameData(
      Reflect.getOwnPropertyDescriptor(a, k)?.value,
      Reflect.getOwnPropertyDescriptor(b, k)?.value,
      `${path}[${String(k)}]`,
    );
    if (d) return d;
  }
  return undefined;
}

describe("a JSON default reaches every object as a copy equal to it", () => {
  test("property: any JSON value, own __proto__ keys and -0 included, on migrated and new objects", () => {
    fc.assert(
      fc.property(json, (value) => {
        const ns = new Namespace("app");
        const User = ns.defineClass<Record<string, unknown>>({ name: "User", fields: ["name"] });
        const old = new User({ name: "ada" });
        updateSync(ns, patch("p").addField("User", "settings", { default: value }).build());
        const fresh = new User();
        expect(sameData(old.settings, value)).toBeUndefined();
        expect(sameData(fresh.settings, value)).toBeUndefined();
        if (typeof value === "object" && value !== null) {
          expect(old.settings).not.toBe(value);
          expect(fresh.settings).not.toBe(old.settings);
        }
      }),
      { seed: 31, numRuns: 200 },
    );
  });

  test("a settings object parsed from JSON with an own __proto__ key gives nobody isAdmin", () => {
    const ns = new Namespace("app");
    const User = ns.defineClass<{ settings: Record<string, unknown> }>({
      name: "User",
      fields: ["name"],
    });
    const u = new User();
    const settings = JSON.parse('{"theme":"dark","__proto__":{"isAdmin":true}}');
    updateSync(ns, patch("settings").addField("User", "settings", { default: settings }).build());
    for (const user of [u, new User()]) {
      expect(user.settings.isAdmin).toBeUndefined();
      expect(Object.getPrototypeOf(user.settings)).toBe(Object.prototype);
      expect(Object.keys(user.settings)).toEqual(["theme", "__proto__"]);
      expect(Object.getOwnPropertyDescriptor(user.settings, "__proto__")?.value).toEqual({
        isAdmin: true,
      });
    }
  });

  test("static defaults too", () => {
    const ns = new Namespace("app");
    const Config = ns.defineClass({ name: "Config", fields: [] });
    const value = JSON.parse('{"__proto__":{"polluted":1},"n":-0}');
    value.n = -0;
    updateSync(ns, patch("s").addStaticField("Config", "defaults", { default: value }).build());
    const defaults = (Config as unknown as { defaults: Record<string, unknown> }).defaults;
    expect(defaults.polluted).toBeUndefined();
    expect(sameData(defaults, value)).toBeUndefined();
  });
});

describe("what JSON would not carry is refused, naming it", () => {
  const arrayWith = (extra: (a: unknown[]) => void) => {
    const a: unknown[] = [1, 2];
    extra(a);
    return a;
  };
  const cases: [string, unknown, RegExp][] = [
    [
      "an array with a named property",
      arrayWith((a) => Object.assign(a, { label: "x" })),
      /the default is an array with a property "label", which JSON would drop/,
    ],
    [
      "an array with a hole",
      Object.assign(new Array(3), { 0: 1, 2: 3 }),
      /the default has a hole at \[1\], which JSON would write as null/,
    ],
    [
      "a symbol-keyed property",
      { a: 1, [Symbol.for("k")]: 2 },
      /the default has a symbol-keyed property/,
    ],
    [
      "a non-enumerable property",
      Object.defineProperty({ a: 1 }, "hidden", { value: 2 }),
      /the default.hidden is not enumerable/,
    ],
    [
      "a nested array with a named property",
      { list: arrayWith((a) => Object.assign(a, { n: 1 })) },
      /the default.list is an array with a property "n"/,
    ],
  ];
  test.each(cases)("%s", (_, value, message) => {
    let error: unknown;
    try {
      patch("p").addField("User", "f", { default: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(String(error)).toMatch(message);
  });
});
