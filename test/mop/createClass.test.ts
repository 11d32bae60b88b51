import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidClassDefinitionError } from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import { createClass } from "../../src/index.js";
import { readClassDefinition } from "../../src/index.js";
import { classDefinitionArb } from "../../src/testing/arbitraries/classDefinitions.js";
import { haveSameMap } from "../support/v8.js";

describe("createClass", () => {
  const Point = createClass<{ x: number; y: number; norm(): number }>(
    definitionFromSpec({
      name: "Point",
      fields: [
        { name: "x", initializer: "0" },
        { name: "y", initializer: "this.x + 1" },
      ],
      methods: {
        norm(this: { x: number; y: number }) {
          return Math.hypot(this.x, this.y);
        },
      },
      statics: {
        origin() {
          return "origin";
        },
      },
      staticFields: [{ name: "count", initializer: "0" }],
    }),
  );

  test("builds a real class with fields in declared order and working methods", () => {
    const p = new Point({ x: 3, y: 4 });
    expect(p).toBeInstanceOf(Point);
    expect(Object.keys(p)).toEqual(["x", "y"]);
    expect(p.norm()).toBe(5);
    expect(Point.name).toBe("Point");
    expect((Point as unknown as { origin(): string }).origin()).toBe("origin");
    expect((Point as unknown as { count: number }).count).toBe(0);
  });

  test("initialisers run in order and may read earlier fields", () => {
    const p = new Point({ x: 2 });
    expect(p.y).toBe(3);
    expect(new Point().x).toBe(0);
  });

  test("an init record sets only its own fields, also for names plain objects inherit", () => {
    const Odd = createClass<{ toString: unknown; size: number }>(
      definitionFromSpec({
        name: "Odd",
        fields: [
          { name: "toString", initializer: '"default"' },
          { name: "size", initializer: "1" },
        ],
      }),
    );
    expect(new Odd({}).toString).toBe("default");
    expect(new Odd({ toString: "mine" }).toString).toBe("mine");
    expect(new Odd({ size: 5 }).size).toBe(5);
    expect(new Odd().size).toBe(1);
  });

  test("every instance shares one hidden class", () => {
    const a = new Point({ x: 1, y: 2 });
    const b = new Point();
    const c = new Point({ y: 9 });
    expect(haveSameMap(a, b)).toBe(true);
    expect(haveSameMap(a, c)).toBe(true);
  });

  test("extends, super and instanceof work", () => {
    const Point3 = createClass<{ x: number; y: number; z: number; norm(): number }>(
      definitionFromSpec({
        name: "Point3",
        superclass: "Point",
        fields: [{ name: "z", initializer: "0" }],
        methods: {
          norm(this: { z: number }) {
            return Math.hypot(super.norm(), this.z);
          },
        },
      }),
      { superclass: Point },
    );
    const p = new Point3({ x: 2, y: 3, z: 6 });
    expect(Object.keys(p)).toEqual(["x", "y", "z"]);
    expect(p.norm()).toBe(7);
    expect(p).toBeInstanceOf(Point);
    expect(readClassDefinition(Point3).superclass).toBe("Point");
  });

  test("readClassDefinition returns the definition it was made from", () => {
    const def = readClassDefinition(Point);
    expect(def.name).toBe("Point");
    expect(def.fields.map((f) => f.name)).toEqual(["x", "y"]);
    expect(def.methods.map((m) => [m.key, m.static])).toEqual([
      ["norm", false],
      ["origin", true],
    ]);
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });

  test.each([
    [{ name: "1Bad" }, "not a valid class name"],
    [{ name: "class" }, "not a valid class name"],
    [{ name: "A", fields: ["x", "x"] }, 'defines field "x" twice'],
    [{ name: "A", fields: ["#x"] }, "not a valid field name"],
    [{ name: "A", superclass: "B" }, "no superclass constructor"],
    [
      { name: "A", methods: [{ key: "m", kind: "method", static: false, source: "m() {" }] },
      "does not compile",
    ],
  ] as const)("refuses %o with a typed error", (spec, message) => {
    const attempt = () =>
      createClass(definitionFromSpec(spec as Parameters<typeof definitionFromSpec>[0]));
    expect(attempt).toThrow(InvalidClassDefinitionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (e) {
      expect((e as InvalidClassDefinitionError).code).toBe("MM_INVALID_DEFINITION");
    }
  });

  test("method sources transpiled by esbuild (with __name wrappers) still run", () => {
    const Named = createClass<{ x: number; m(): number }>(
      definitionFromSpec({
        name: "Named",
        fields: ["x"],
        methods: [
          {
            key: "m",
            kind: "method",
            static: false,
            source:
              'm() { const f = __name((y) => y + 1, "f"); return f(this.x) + f.name.length; }',
          },
        ],
      }),
    );
    expect(new Named({ x: 1 }).m()).toBe(3);
  });

  test("a method whose imports the bundler rewrote is refused with a message saying what to do", () => {
    const spec = definitionFromSpec({
      name: "Rewritten",
      methods: [
        {
          key: "m",
          kind: "method",
          static: false,
          source: "m() { return __vite_ssr_import_1__.helper(); }",
        },
      ],
    });
    expect(() => createClass(spec)).toThrow(InvalidClassDefinitionError);
    expect(() => createClass(spec)).toThrow(/pass the import there/);
  });

  test("property: any valid definition yields a class whose instances have exactly its fields, in order", () => {
    fc.assert(
      fc.property(classDefinitionArb, (definition) => {
        const cls = createClass({ ...definition, superclass: null });
        const a = new cls();
        const b = new cls();
        expect(Object.keys(a)).toEqual(definition.fields.map((f) => f.name));
        expect(haveSameMap(a, b)).toBe(true);
        expect(readClassDefinition(cls)).toEqual({ ...definition, superclass: null });
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("a static initialiser sees the class under its own name; one that throws is a typed refusal naming the field", () => {
    const definition = definitionFromSpec({
      name: "Point",
      fields: [{ name: "x", initializer: "0" }],
      staticFields: [{ name: "ORIGIN", initializer: "new Point({ x: 0 })" }],
    });
    const Point = createClass(definition) as unknown as {
      ORIGIN: { x: number };
    } & (new () => object);
    expect(Point.ORIGIN).toBeInstanceOf(Point);
    expect(Point.ORIGIN.x).toBe(0);
    const throwing = definitionFromSpec({
      name: "Broken",
      fields: [],
      staticFields: [{ name: "value", initializer: "missingName + 1" }],
    });
    expect(() => createClass(throwing)).toThrow(InvalidClassDefinitionError);
    expect(() => createClass(throwing)).toThrow(
      /static field value \(missingName \+ 1\) threw ReferenceError/,
    );
  });
});
