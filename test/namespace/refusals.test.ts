// Issue 12, items 14 and 10: names that must be refused (with a typed error
// naming what and where) and refusals that must leave the namespace exactly
// as it was — bindings, versions, history, scopes and the objects.
import { describe, expect, test } from "vitest";
import {
  DuplicateBindingError,
  InvalidClassDefinitionError,
  InvalidPatchError,
  MetamorphError,
  Namespace,
  Patch,
  patch,
  UnknownBindingError,
  updateSync,
  ValidationError,
} from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import { InvalidBindingNameError } from "../../src/index.js";
import { cloneNamespace } from "../../src/index.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";
import { validateDefinitions } from "../../src/validation/index.js";

type Point = { x: number; y: number };

function world() {
  const ns = new Namespace("refusals");
  const Point = ns.defineClass<Point>({
    name: "Point",
    fields: [
      { name: "x", initializer: "0" },
      { name: "y", initializer: "0" },
    ],
    methods: {
      norm(this: Point) {
        return Math.abs(this.x) + Math.abs(this.y);
      },
    },
  });
  ns.define("origin", { label: "origin" });
  const points = [new Point({ x: 1, y: 2 }), new Point({ x: -3, y: 4 })];
  return { ns, Point, points };
}

/** Everything a refusal must leave as it was in a namespace, by value and by identity. */
function stateOf(ns: Namespace, objects: readonly object[]) {
  return {
    version: ns.version,
    history: ns.history.map((s) => s.version),
    snapshot: ns.snapshot,
    bindings: ns.bindingNames(),
    bindingsPrototype: Object.getPrototypeOf(ns.snapshot.bindings),
    scopes: [...ns.scopes.keys()],
    objects: objects.map((o) => ({
      prototype: Object.getPrototypeOf(o),
      entries: Object.entries(o),
    })),
  };
}

function thrown(f: () => unknown): MetamorphError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(MetamorphError);
    return error as MetamorphError;
  }
  throw new Error("expected a refusal");
}

const jsonPatch = (operations: unknown[]) => ({ format: PATCH_FORMAT, name: "p", operations });

describe("names that would not mean what they say are refused (issue 12, item 14)", () => {
  test.each([
    ["undefined", /"undefined" cannot name a class: it would shadow the global undefined/],
    ["Object", /"Object" cannot name a class: the generated constructor uses the global Object/],
    ["__proto__", /"__proto__" cannot name a class/],
  ])("defineClass named %s: a typed refusal, nothing defined", (name, message) => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const error = thrown(() => ns.defineClass({ name, fields: ["a"] }));
    expect(error).toBeInstanceOf(InvalidClassDefinitionError);
    expect(error.code).toBe("MM_INVALID_DEFINITION");
    expect(error.message).toMatch(message);
    expect(error.details).toEqual({ namespace: "refusals", className: name });
    expect(stateOf(ns, points)).toEqual(before);
    expect(ns.snapshot).toBe(before.snapshot);
  });

  test("registerClass of an ordinary class named Object: refused before the class is touched", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const Object_ = { Object: class {} }.Object;
    Object.defineProperty(Object_, "name", { value: "Object" });
    const ownKeys = Reflect.ownKeys(Object_);
    const prototypeKeys = Reflect.ownKeys(Object_.prototype);
    const error = thrown(() => ns.registerClass(Object_));
    expect(error).toBeInstanceOf(InvalidClassDefinitionError);
    expect(error.details).toEqual({ namespace: "refusals", className: "Object" });
    expect(Reflect.ownKeys(Object_)).toEqual(ownKeys);
    expect(Reflect.ownKeys(Object_.prototype)).toEqual(prototypeKeys);
    expect(stateOf(ns, points)).toEqual(before);
  });

  test.each([
    ["constructor", "fields", /"constructor" cannot be a field: class syntax forbids it/],
    ["__proto__", "fields", /"__proto__" would set the prototype/],
    ["prototype", "staticFields", /"prototype" cannot be a static field/],
  ])(
    "defineClass with a field named %s (%s): a typed refusal naming the class and field",
    (field, list, message) => {
      const { ns, points } = world();
      const before = stateOf(ns, points);
      const error = thrown(() => ns.defineClass({ name: "Shape", [list]: [field] }));
      expect(error).toBeInstanceOf(InvalidClassDefinitionError);
      expect(error.message).toMatch(message);
      expect(error.details).toEqual({ namespace: "refusals", className: "Shape", field });
      expect(stateOf(ns, points)).toEqual(before);
    },
  );

  test("the patch builder refuses the same names, naming the call", () => {
    const cases: [() => unknown, RegExp, Record<string, unknown>][] = [
      [
        () => patch("p").addClass({ name: "undefined" }),
        /patch "p", addClass: "undefined" cannot name a class/,
        { className: "undefined" },
      ],
      [
        () => patch("p").renameClass("Point", "Object"),
        /patch "p", renameClass: "Object" cannot name a class/,
        { className: "Object" },
      ],
      [
        () => patch("p").renameClass("Point", "__proto__"),
        /renameClass: "__proto__" cannot name a class/,
        { className: "__proto__" },
      ],
      [
        () => patch("p").addField("Point", "constructor"),
        /addField: the field name: "constructor" cannot be a field/,
        { field: "constructor" },
      ],
      [
        () => patch("p").renameField("Point", "x", "constructor"),
        /renameField: the new field name: "constructor" cannot be a field/,
        { field: "constructor" },
      ],
    ];
    for (const [make, message, details] of cases) {
      const error = thrown(make);
      expect(error).toBeInstanceOf(InvalidPatchError);
      expect(error.code).toBe("MM_INVALID_PATCH");
      expect(error.message).toMatch(message);
      expect(error.details).toMatchObject({ patch: "p", index: 0, ...details });
    }
  });

  test("Patch.fromJSON refuses them with the path of the operation", () => {
    const cases: [unknown[], string, RegExp][] = [
      [[{ op: "addClass", shape: { name: "undefined" } }], "operations[0]", /cannot name a class/],
      [
        [{ op: "renameClass", className: "Point", to: "Object" }],
        "operations[0]",
        /"Object" cannot name a class/,
      ],
      [
        [
          { op: "removeField", className: "Point", field: "x" },
          { op: "addField", className: "Point", field: "constructor" },
        ],
        "operations[1]",
        /"constructor" cannot be a field/,
      ],
    ];
    for (const [operations, path, message] of cases) {
      const error = thrown(() => Patch.fromJSON(jsonPatch(operations)));
      expect(error).toBeInstanceOf(InvalidPatchError);
      expect(error.details.path).toBe(path);
      expect(error.message).toMatch(message);
    }
  });

  test("__proto__ and toString keys inside a JSON operation are refused, not dropped", () => {
    const cases: [string, string][] = [
      [
        '{"op":"removeClass","className":"Point","__proto__":{"className":"Other"}}',
        "operations[0].__proto__",
      ],
      ['{"op":"removeClass","className":"Point","toString":"x"}', "operations[0].toString"],
      [
        '{"op":"addClass","shape":{"name":"A","__proto__":{"superclass":"B"}}}',
        "operations[0].shape.__proto__",
      ],
      [
        '{"op":"addClass","shape":{"name":"A","fields":[{"name":"a","valueOf":"1"}]}}',
        "operations[0].shape.fields[0].valueOf",
      ],
      [
        '{"op":"removeMethod","className":"A","key":{"symbol":"x","constructor":1},"static":false}',
        "operations[0].key.constructor",
      ],
    ];
    for (const [operation, path] of cases) {
      const json = JSON.parse(
        `{"format":"${PATCH_FORMAT}","name":"p","operations":[${operation}]}`,
      );
      const error = thrown(() => Patch.fromJSON(json));
      expect(error).toBeInstanceOf(InvalidPatchError);
      expect(error.details.path).toBe(path);
      expect(error.message).toMatch(/unknown property of/);
    }
  });

  test("a __proto__ rename inside replaceImplementation's renames is refused", () => {
    const json = JSON.parse(
      `{"format":"${PATCH_FORMAT}","name":"p","operations":[{"op":"replaceImplementation","className":"Point","implementation":{"source":"class Point {}"},"renames":{"__proto__":"x"}}]}`,
    );
    const error = thrown(() => Patch.fromJSON(json));
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.details).toMatchObject({ path: "operations[0]", field: "__proto__" });
  });

  test("lookup sees only the namespace's own bindings, not Object.prototype", () => {
    const { ns } = world();
    for (const name of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      expect(ns.has(name)).toBe(false);
      const error = thrown(() => ns.lookup(name));
      expect(error).toBeInstanceOf(UnknownBindingError);
      expect(error.details).toEqual({ namespace: "refusals", binding: name });
      expect(() => cloneNamespace(ns).lookup(name)).toThrow(UnknownBindingError);
    }
  });

  test("define refuses __proto__ as a binding name (it would set the bindings' prototype)", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const error = thrown(() => ns.define("__proto__", { evil: true }));
    expect(error).toBeInstanceOf(InvalidBindingNameError);
    expect(error.code).toBe("MM_INVALID_BINDING_NAME");
    expect(error.details).toEqual({ namespace: "refusals", binding: "__proto__" });
    expect(stateOf(ns, points)).toEqual(before);
  });

  test("the definitions validation reports the same names", () => {
    const failures = validateDefinitions([
      definitionFromSpec({ name: "undefined" }),
      definitionFromSpec({ name: "Shape", fields: ["constructor"] }),
    ]);
    expect(failures.map((f) => [f.rule, f.className, f.field])).toEqual([
      ["class-name", "undefined", undefined],
      ["field-name", "Shape", "constructor"],
    ]);
  });
});

describe("refusals leave no entry in the namespace's scopes (issue 12, item 10)", () => {
  test("a duplicate defineClass: refused before a class, a handle or a scope is made", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const error = thrown(() => ns.defineClass({ name: "Point", fields: ["z"] }, { scope: {} }));
    expect(error).toBeInstanceOf(DuplicateBindingError);
    expect(error.details).toEqual({ namespace: "refusals", binding: "Point" });
    expect(stateOf(ns, points)).toEqual(before);
    expect(ns.scopes.size).toBe(1);
  });

  test("a class another namespace updated, registered again, is refused naming that namespace", () => {
    class T {
      x = 1;
    }
    class T2 {
      x = 1;
      y = 2;
    }
    const a = new Namespace("owner");
    a.registerClass(T);
    updateSync(a, patch("p").replaceImplementation("T", T2).build());
    const error = thrown(() => new Namespace("other").registerClass(T));
    expect(error).toBeInstanceOf(DuplicateBindingError);
    expect(error.message).toBe(
      "class T is managed by namespace owner, and a class is managed by one namespace: registering it in namespace other too would give its objects two handles whose updates undo each other's (a field renamed by one, read by the other's migration). Use the handle namespace owner gave and update the class there; for a class of namespace other, write a class of its own",
    );
    expect(error.details).toEqual({ name: "T", namespace: "other", managedIn: "owner" });
  });

  test("one class registered twice in a namespace under two names (zod's ZodType and ZodSchema) is refused, the first handle untouched", () => {
    class ZodType {
      constructor(public _def: number) {}
    }
    const ns = new Namespace("aliases");
    const first = ns.registerClass(ZodType, { name: "ZodType" });
    const error = thrown(() => ns.registerClass(ZodType, { name: "ZodSchema" }));
    expect(error).toBeInstanceOf(DuplicateBindingError);
    expect(error.message).toMatch(
      /^class ZodType is already registered in namespace aliases as "ZodType"; .* use the handle the first registerClass returned/,
    );
    // Once a patch has removed it, it may be registered again (in its own
    // namespace: a class is managed by one, oneNamespace.test.ts).
    class Removed {
      constructor(public _def: number) {}
    }
    const other = new Namespace("removed-then-again");
    other.registerClass(Removed);
    updateSync(other, patch("gone").removeClass("Removed").build());
    expect(typeof other.registerClass(Removed)).toBe("function");
    expect([ns.classNamed("ZodType"), () => ns.classNamed("ZodSchema")]).toSatisfy(
      ([handle, other]: [unknown, () => unknown]) =>
        handle === first && thrown(other) !== undefined,
    );
  });

  test("a refused update that adds classes leaves scopes, bindings and versions as they were", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const refused = patch("adds and fails")
      .addClass({ name: "Circle", fields: ["r"] })
      .addClass({ name: "Square", fields: ["side"] })
      .addField("Point", "z", { default: 0 })
      .validate("always fails", () => "no")
      .build();
    const error = thrown(() => updateSync(ns, refused));
    expect(error).toBeInstanceOf(ValidationError);
    expect(stateOf(ns, points)).toEqual(before);
    expect(ns.scopes.size).toBe(1);
  });

  test("a committed update adds its classes' scopes; its rollback removes exactly those", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const result = updateSync(
      ns,
      patch("adds")
        .addClass({ name: "Circle", fields: ["r"] })
        .addField("Point", "z")
        .build(),
    );
    expect(ns.scopes.size).toBe(2);
    const circle = ns.classNamed("Circle");
    expect(ns.scopes.get(circle)).toEqual({});
    result.rollback();
    expect(ns.scopes.size).toBe(1);
    expect(ns.scopes.has(circle)).toBe(false);
    expect({ ...stateOf(ns, points), snapshot: null }).toEqual({ ...before, snapshot: null });
    expect(ns.snapshot).toBe(before.snapshot);
  });
});

describe("typed errors where there were raw ones (issue 12, item 13)", () => {
  test("removeClass of a class that still has a subclass: a ValidationError naming the subclass, nothing changed", () => {
    const { ns, points } = world();
    const Point3 = ns.defineClass({ name: "Point3", superclass: "Point", fields: ["z"] });
    const p3 = new Point3();
    const objects = [...points, p3];
    const before = stateOf(ns, objects);
    const error = thrown(() => updateSync(ns, patch("drop Point").removeClass("Point").build()));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe("MM_VALIDATION_FAILED");
    const failures = (error as ValidationError).report.failures;
    expect(failures.map((f) => [f.rule, f.className])).toEqual([["unknown-superclass", "Point3"]]);
    expect(failures[0]!.message).toBe(
      "class Point3 extends Point, which is not a class of the namespace",
    );
    expect(stateOf(ns, objects)).toEqual(before);
  });

  test("renaming a class to __proto__: an InvalidPatchError however the patch is made, before any update", () => {
    const { ns, points } = world();
    const before = stateOf(ns, points);
    const made = [
      () => patch("p").renameClass("Point", "__proto__"),
      () => new Patch("p", [{ op: "renameClass", className: "Point", to: "__proto__" }]),
      () => Patch.fromJSON(jsonPatch([{ op: "renameClass", className: "Point", to: "__proto__" }])),
    ];
    for (const make of made) {
      const error = thrown(make);
      expect(error).toBeInstanceOf(InvalidPatchError);
      expect(error.details).toMatchObject({ className: "__proto__" });
    }
    expect(stateOf(ns, points)).toEqual(before);
  });
});

test("an ES5 constructor function handed to registerClass is refused naming the function, not the parser", () => {
  function XMLBuilder(this: { options: unknown }) {
    this.options = {};
  }
  expect(() => new Namespace("es5").registerClass(XMLBuilder as never)).toThrow(
    expect.objectContaining({
      code: "MM_INVALID_DEFINITION",
      message: expect.stringMatching(
        /^XMLBuilder cannot be read as a class: .*ES5-style constructor functions are not supported/,
      ),
    }),
  );
});

test("a minified class registered under a name of the program's is refused under that name, the source's name beside it", () => {
  // @preact/signals-core's minified build: `function v(){…}` exported as Signal.
  const v = new Function("return function v(value) { this.v = value; }")() as Function;
  const anonymous = new Function("return function (value) { this.v = value; }")() as Function;
  for (const [cls, written] of [
    [v, "v in its source"],
    [anonymous, "anonymous in its source"],
  ] as const) {
    expect(() =>
      new Namespace(`minified-${written.length}`).registerClass(cls as never, { name: "Signal" }),
    ).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_DEFINITION",
        details: expect.objectContaining({ className: "Signal" }),
        message: expect.stringMatching(
          new RegExp(
            `^Signal \\(${written}\\) cannot be read as a class: .*ES5-style constructor functions`,
          ),
        ),
      }),
    );
  }
});
