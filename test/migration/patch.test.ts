import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, NotHydratedError, PatchConflictError } from "../../src/index.js";
import type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Operation,
  Policy,
  ValidationWorld,
} from "../../src/patch/operations.js";
import { Patch } from "../../src/index.js";
import { patch } from "../../src/index.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";
import { describeOperation } from "../../src/patch/summary.js";
import type { MethodDefinition } from "../../src/index.js";
import {
  DEFAULT_MODEL_WORLD,
  type ModelWorld,
  patchArbitrary,
  patchScenarioArbitrary,
  patchSequenceArbitrary,
} from "../../src/testing/index.js";

const PROPERTY = { seed: 42, numRuns: 200 } as const;

/** The operations as JSON carries them: every `fn` dropped. */
function withoutFunctions(operations: readonly Operation[]): unknown[] {
  return operations.map((op) => {
    const copy: Record<string, unknown> = { ...op };
    for (const key of ["initial", "migrator", "check"]) {
      const value = copy[key] as { source: string } | undefined;
      if (value !== undefined) copy[key] = { source: value.source };
    }
    return copy;
  });
}

/** The program's own patch through JSON and back: it vouches for it (see the trust tests). */
const roundTrip = (p: Patch): Patch =>
  Patch.fromJSON(JSON.parse(JSON.stringify(p)), { trust: "in-process" });

function only<T extends Operation["op"]>(p: Patch, kind: T): Extract<Operation, { op: T }> {
  expect(p.operations).toHaveLength(1);
  const op = p.operations[0]!;
  expect(op.op).toBe(kind);
  return op as Extract<Operation, { op: T }>;
}

/** Runs `f` and returns what it threw, failing the test when it does not throw. */
function thrown(f: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    f();
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error("expected a throw");
}

const noWorld: ValidationWorld = { lookup: () => undefined, instancesOf: () => [] };

// ---------------------------------------------------------------------------

describe("the builder records one operation per call", () => {
  test("addClass turns a spec into a shape: field definitions, methods from an object literal, statics", () => {
    const op = only(
      patch("p")
        .addClass({
          name: "Picture",
          superclass: "Shape",
          fields: ["path", { name: "size", initializer: "0" }],
          methods: {
            describe() {
              return "picture";
            },
            get big() {
              return true;
            },
          },
          statics: {
            create() {
              return null;
            },
          },
          staticFields: ["count"],
        })
        .build(),
      "addClass",
    );
    expect(op.shape).toEqual({
      name: "Picture",
      superclass: "Shape",
      fields: [{ name: "path" }, { name: "size", initializer: "0" }],
      methods: [
        {
          key: "describe",
          kind: "method",
          static: false,
          source: expect.stringMatching(/^describe\(\) \{/),
        },
        {
          key: "big",
          kind: "get",
          static: false,
          source: expect.stringMatching(/^get big\(\) \{/),
        },
        {
          key: "create",
          kind: "method",
          static: true,
          source: expect.stringMatching(/^create\(\) \{/),
        },
      ],
      staticFields: [{ name: "count" }],
    });
  });

  test("addClass takes method definitions as they are, and leaves the superclass out when the spec does", () => {
    const method: MethodDefinition = {
      key: "area",
      kind: "method",
      static: false,
      source: "area() { return 1; }",
    };
    const op = only(
      patch("p")
        .addClass({ name: "Shape", methods: [method] })
        .build(),
      "addClass",
    );
    expect(op.shape).toEqual({ name: "Shape", fields: [], methods: [method], staticFields: [] });
    expect("superclass" in op.shape).toBe(false);
  });

  test("removeClass and renameClass", () => {
    expect(only(patch("p").removeClass("Picture").build(), "removeClass")).toEqual({
      op: "removeClass",
      className: "Picture",
    });
    expect(only(patch("p").renameClass("Picture", "Image").build(), "renameClass")).toEqual({
      op: "renameClass",
      className: "Picture",
      to: "Image",
    });
  });

  test("addField stores a JSON default as expression source, so each object gets its own copy", () => {
    const op = only(
      patch("p")
        .addField("Picture", "tags", { default: { list: ["a"] } })
        .build(),
      "addField",
    );
    expect(op).toEqual({
      op: "addField",
      className: "Picture",
      field: "tags",
      defaultSource: '{"list":["a"]}',
    });
    const make = new Function(`return (${op.defaultSource});`) as () => { list: string[] };
    const [first, second] = [make(), make()];
    expect(first).toEqual({ list: ["a"] });
    expect(first).not.toBe(second);
    expect(first.list).not.toBe(second.list);
  });

  test("addField defaults: strings, null, -0, no default at all", () => {
    const source = (options: object) =>
      only(patch("p").addField("C", "f", options).build(), "addField").defaultSource;
    expect(source({ default: "" })).toBe('""');
    expect(source({ default: null })).toBe("null");
    expect(Object.is(new Function(`return ${source({ default: -0 })}`)(), -0)).toBe(true);
    expect(source({})).toBeUndefined();
    expect(source({ default: undefined })).toBeUndefined();
    expect("defaultSource" in only(patch("p").addField("C", "f").build(), "addField")).toBe(false);
  });

  test("addField with defaultSource, initial and before", () => {
    const initial: FieldInitialiser = (old) => String(old.path).length;
    const op = only(
      patch("p")
        .addField("Picture", "length", { defaultSource: "0", initial, before: "path" })
        .build(),
      "addField",
    );
    expect(op).toEqual({
      op: "addField",
      className: "Picture",
      field: "length",
      defaultSource: "0",
      initial: { source: initial.toString(), fn: initial },
      before: "path",
    });
    expect(op.initial?.fn?.({ path: "abc" })).toBe(3);
  });

  test("field operations: remove, rename, reorder, pull up, push down", () => {
    const p = patch("p")
      .removeField("Picture", "cache")
      .renameField("Picture", "path", "basepath")
      .reorderFields("Picture", ["size", "basepath"])
      .pullUpField("Picture", "size")
      .pushDownField("Shape", "colour")
      .build();
    expect(p.operations).toEqual([
      { op: "removeField", className: "Picture", field: "cache" },
      { op: "renameField", className: "Picture", field: "path", to: "basepath" },
      { op: "reorderFields", className: "Picture", order: ["size", "basepath"] },
      { op: "pullUpField", className: "Picture", field: "size" },
      { op: "pushDownField", className: "Shape", field: "colour" },
    ]);
  });

  test("changeSuperclass (to a class or to none) and insertSuperclass", () => {
    const p = patch("p")
      .changeSuperclass("Picture", "Shape")
      .changeSuperclass("Shape", null)
      .insertSuperclass("Picture", { name: "Graphic", fields: ["z"] })
      .build();
    expect(p.operations).toEqual([
      { op: "changeSuperclass", className: "Picture", superclass: "Shape" },
      { op: "changeSuperclass", className: "Shape", superclass: null },
      {
        op: "insertSuperclass",
        className: "Picture",
        shape: { name: "Graphic", fields: [{ name: "z" }], methods: [], staticFields: [] },
      },
    ]);
  });

  test("addMethods records one addMethod per member; accessors by kind; symbol keys", () => {
    const p = patch("p")
      .addMethods("Picture", {
        describe() {
          return String(this.path);
        },
        get size() {
          return 1;
        },
        set size(_value: unknown) {},
        *[Symbol.iterator]() {
          yield 1;
        },
        [Symbol.for("app.id")]() {
          return "id";
        },
      })
      .build();
    expect(
      p.operations.map((op) => (op.op === "addMethod" ? [op.method.key, op.method.kind] : op.op)),
    ).toEqual([
      ["describe", "method"],
      ["size", "get"],
      ["size", "set"],
      [{ symbol: "Symbol.iterator" }, "method"],
      [{ symbol: "app.id" }, "method"],
    ]);
    const first = p.operations[0] as Extract<Operation, { op: "addMethod" }>;
    expect(first.className).toBe("Picture");
    expect(first.method.static).toBe(false);
    expect(first.method.source).toMatch(/^describe\(\) \{/);
  });

  test("every form of method syntax is accepted: async, generator, accessors, computed and quoted keys", () => {
    const p = patch("p")
      .addMethods("A", {
        async load() {
          return 1;
        },
        *items() {
          yield 1;
        },
        async *stream() {
          yield 1;
        },
        async() {
          return "a method named async";
        },
        get(): number {
          return 0;
        },
        "with space"() {
          return 2;
        },
        [Symbol.toPrimitive]() {
          return 3;
        },
      })
      .build();
    expect(p.operations.map((op) => op.op === "addMethod" && op.method.kind)).toEqual([
      "method",
      "method",
      "method",
      "method",
      "method",
      "method",
      "method",
    ]);
  });

  test("replaceMethods, addStaticMethods, addMethod and replaceMethod", () => {
    const method: MethodDefinition = {
      key: "area",
      kind: "method",
      static: false,
      source: "area() { return 2; }",
    };
    const p = patch("p")
      .replaceMethods("Picture", {
        describe() {
          return "new";
        },
      })
      .addStaticMethods("Picture", {
        create() {
          return null;
        },
      })
      .addMethod("Shape", method)
      .replaceMethod("Shape", { ...method, source: "area() { return 3; }" })
      .build();
    expect(p.operations.map((op) => op.op)).toEqual([
      "replaceMethod",
      "addMethod",
      "addMethod",
      "replaceMethod",
    ]);
    const [replaced, statics, added, replacedOne] = p.operations as Extract<
      Operation,
      { method: unknown }
    >[];
    expect(replaced!.method).toMatchObject({ key: "describe", static: false });
    expect(statics!.method).toMatchObject({ key: "create", kind: "method", static: true });
    expect(added!.method).toEqual(method);
    expect(replacedOne!.method.source).toBe("area() { return 3; }");
  });

  test("removeMethod: every kind by default, or one kind, static or not; symbols as keys", () => {
    const p = patch("p")
      .removeMethod("Picture", "describe")
      .removeMethod("Picture", "size", { kind: "get" })
      .removeMethod("Picture", "create", { static: true })
      .removeMethod("Picture", Symbol.iterator)
      .build();
    expect(p.operations).toEqual([
      { op: "removeMethod", className: "Picture", key: "describe", static: false },
      { op: "removeMethod", className: "Picture", key: "size", static: false, kind: "get" },
      { op: "removeMethod", className: "Picture", key: "create", static: true },
      {
        op: "removeMethod",
        className: "Picture",
        key: { symbol: "Symbol.iterator" },
        static: false,
      },
    ]);
  });

  test("splitClass, migrate, validate, validateInstances, policy", () => {
    const migrator: Migrator = (old, target) => {
      target.area = Number(old.w) * Number(old.h);
    };
    const check: NamespaceValidation = (world) => world.lookup("Picture") !== undefined;
    const each: InstanceValidation = (instance) => instance.area !== 0 || "area is zero";
    const p = patch("p")
      .splitClass("Picture", ["w", "h"], { into: "Size", via: "size" })
      .migrate("Picture", migrator)
      .validate("picture-exists", check)
      .validateInstances("area-set", "Picture", each)
      .policy("lazy")
      .build();
    expect(p.operations).toEqual([
      { op: "splitClass", className: "Picture", fields: ["w", "h"], into: "Size", via: "size" },
      {
        op: "migrator",
        className: "Picture",
        migrator: { source: migrator.toString(), fn: migrator },
      },
      {
        op: "validateNamespace",
        name: "picture-exists",
        check: { source: check.toString(), fn: check },
      },
      {
        op: "validateInstances",
        name: "area-set",
        className: "Picture",
        check: { source: each.toString(), fn: each },
      },
      { op: "policy", policy: "lazy" },
    ]);
  });

  test("builders are immutable: a shared partial builder extends in two directions", () => {
    const base = patch("p").renameField("Picture", "path", "basepath");
    const left = base.addField("Picture", "comment", { default: "" }).build();
    const right = base.removeField("Picture", "size").build();
    expect(base.operations).toHaveLength(1);
    expect(base.build().operations).toHaveLength(1);
    expect(left.operations.map((op) => op.op)).toEqual(["renameField", "addField"]);
    expect(right.operations.map((op) => op.op)).toEqual(["renameField", "removeField"]);
  });

  test("a built patch is deeply frozen, but the functions it carries are not", () => {
    const initial: FieldInitialiser = () => 1;
    const p = patch("p").reorderFields("C", ["a", "b"]).addField("C", "x", { initial }).build();
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.operations)).toBe(true);
    expect(
      Object.isFrozen((p.operations[0] as Extract<Operation, { op: "reorderFields" }>).order),
    ).toBe(true);
    expect(() => (p.operations as Operation[]).push({ op: "policy", policy: "lazy" })).toThrow(
      TypeError,
    );
    expect(Object.isFrozen(initial)).toBe(false);
  });

  test("the typed builder checks class and field names, and follows renames", () => {
    type World = { Person: { first: string; last: string }; Address: { street: string } };
    const p = patch<World>("typed")
      .renameField("Person", "first", "given")
      .addField("Person", "age", { default: 0 })
      .removeField("Person", "age")
      .renameClass("Address", "Place")
      .splitClass("Person", ["last"], { into: "Family", via: "family" })
      .addField("Family", "origin", { before: "last" })
      .reorderFields("Person", ["family", "given"])
      .build();
    expect(p.operations).toHaveLength(7);

    const typed = patch<World>("typed");
    // @ts-expect-error: Persn is not a class of World
    typed.removeClass("Persn");
    // @ts-expect-error: Person has no field "middle"
    typed.renameField("Person", "middle", "m");
    // @ts-expect-error: after the rename, "first" is known as "given"
    typed.renameField("Person", "first", "given").removeField("Person", "first");
    // @ts-expect-error: after renameClass, Address is known as Place
    typed.renameClass("Address", "Place").addField("Address", "zip");
    // @ts-expect-error: `before` must name a field of the class
    typed.addField("Person", "middle", { before: "street" });
    // A class added with literal fields is known with them.
    typed
      .addClass({ name: "Size", fields: ["w", { name: "h" }] })
      .renameField("Size", "h", "height");
    // @ts-expect-error: Size has no field "depth"
    typed.addClass({ name: "Size", fields: ["w", { name: "h" }] }).removeField("Size", "depth");
    // Untyped builders accept any names.
    expect(patch("loose").renameField("Anything", "at", "all").build().operations).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------

describe("obviously bad arguments are refused at once (InvalidPatchError)", () => {
  const bad: [string, () => unknown, RegExp][] = [
    ["an empty patch name", () => patch(""), /patch needs a non-empty name/],
    [
      "an empty class name",
      () => patch("p").removeClass(""),
      /removeClass: the class name is empty/,
    ],
    [
      "a class name that is not an identifier",
      () => patch("p").renameClass("A", "my class"),
      /"my class" is not a valid new class name/,
    ],
    [
      "a reserved word as class name",
      () => patch("p").addClass({ name: "class" }),
      /"class" is not a valid class name/,
    ],
    [
      "renaming a class to itself",
      () => patch("p").renameClass("A", "A"),
      /renameClass: class A cannot be renamed to its own name/,
    ],
    [
      "renaming a field to itself",
      () => patch("p").renameField("A", "x", "x"),
      /field A.x cannot be renamed to its own name/,
    ],
    [
      "an empty field name",
      () => patch("p").addField("A", ""),
      /addField: the field name is empty/,
    ],
    ["a private field", () => patch("p").removeField("A", "#secret"), /private # fields/],
    [
      "__proto__ as a field",
      () => patch("p").addField("A", "__proto__"),
      /"__proto__" cannot be a field name/,
    ],
    [
      "default and defaultSource together",
      () => patch("p").addField("A", "x", { default: 1, defaultSource: "1" }),
      /either default or defaultSource, not both/,
    ],
    [
      "a function as default",
      () => patch("p").addField("A", "x", { default: () => 1 }),
      /the default is a function, which JSON cannot carry/,
    ],
    [
      "NaN as default",
      () => patch("p").addField("A", "x", { default: Number.NaN }),
      /the default is NaN/,
    ],
    [
      "a Date as default",
      () => patch("p").addField("A", "x", { default: new Date(0) }),
      /the default is a Date object/,
    ],
    [
      "a bigint inside a default",
      () => patch("p").addField("A", "x", { default: { n: 1n } }),
      /the default.n is a bigint/,
    ],
    [
      "a cyclic default",
      () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return patch("p").addField("A", "x", { default: o });
      },
      /the default.self refers back to itself/,
    ],
    [
      "an empty defaultSource",
      () => patch("p").addField("A", "x", { defaultSource: "  " }),
      /the default is an empty expression/,
    ],
    [
      "a field inserted before itself",
      () => patch("p").addField("A", "x", { before: "x" }),
      /field x cannot be inserted before itself/,
    ],
    [
      "a reorder with duplicates",
      () => patch("p").reorderFields("A", ["a", "b", "a"]),
      /lists a more than once/,
    ],
    [
      "an empty reorder",
      () => patch("p").reorderFields("A", []),
      /new order of A's fields is empty/,
    ],
    [
      "a split field both moved and kept",
      () => patch("p").splitClass("A", ["x", "y"], { into: "B", via: "y" }),
      /field y would be both moved into B and kept in A/,
    ],
    [
      "a split into the class itself",
      () => patch("p").splitClass("A", ["x"], { into: "A", via: "b" }),
      /cannot be split into itself/,
    ],
    [
      "a split with a repeated field",
      () => patch("p").splitClass("A", ["x", "x"], { into: "B", via: "b" }),
      /field x is listed more than once/,
    ],
    [
      "a split moving nothing",
      () => patch("p").splitClass("A", [], { into: "B", via: "b" }),
      /needs at least one field to move/,
    ],
    [
      "an arrow function as method",
      () => patch("p").addMethods("A", { f: () => 1 }),
      /addMethods: class A: member f is an arrow function/,
    ],
    [
      "an async arrow as method",
      () => patch("p").addMethods("A", { f: async (x: number) => x }),
      /member f is an arrow function/,
    ],
    [
      "a function expression as method",
      () =>
        patch("p").addMethods("A", {
          f: function named() {
            return 1;
          },
        }),
      /member f is a function expression/,
    ],
    [
      "a non-function member",
      () => patch("p").addMethods("A", { size: 3 }),
      /member size is not a function \(a number\); fields are added with addField/,
    ],
    [
      "a local symbol as method key",
      () =>
        patch("p").addMethods("A", {
          [Symbol("local")]() {
            return 1;
          },
        }),
      /keyed by a local Symbol\(\)/,
    ],
    [
      "an object with no methods",
      () => patch("p").addMethods("A", {}),
      /the object has no methods/,
    ],
    [
      "a method definition that is an arrow",
      () =>
        patch("p").addMethod("A", { key: "f", kind: "method", static: false, source: "(x) => x" }),
      /addMethod: class A: member f is an arrow function/,
    ],
    [
      "a getter whose source is a method",
      () =>
        patch("p").addMethod("A", {
          key: "f",
          kind: "get",
          static: false,
          source: "f() { return 1; }",
        }),
      /declared as a getter but its source is not one/,
    ],
    [
      "a method whose source is a getter",
      () =>
        patch("p").replaceMethod("A", {
          key: "f",
          kind: "method",
          static: false,
          source: "get f() { return 1; }",
        }),
      /declared as a method but its source is an accessor/,
    ],
    [
      "a class extending itself",
      () => patch("p").changeSuperclass("A", "A"),
      /class A cannot extend itself/,
    ],
    [
      "an inserted superclass with its own superclass",
      () => patch("p").insertSuperclass("A", { name: "B", superclass: "C" }),
      /leave its superclass out/,
    ],
    [
      "a migrator that is not a function",
      () => patch("p").migrate("A", "x => x" as unknown as Migrator),
      /the migrator must be a function, got string/,
    ],
    [
      "a native function as migrator",
      () => patch("p").migrate("A", Math.max as unknown as Migrator),
      /native or bound function/,
    ],
    [
      "a bound function as check",
      () => patch("p").validate("v", (() => true).bind(null)),
      /native or bound function/,
    ],
    [
      "an unnamed validation",
      () => patch("p").validate(" ", () => true),
      /the validation has no name/,
    ],
    [
      "an unknown policy",
      () => patch("p").policy("sometimes" as Policy),
      /unknown policy "sometimes"/,
    ],
  ];

  test.each(bad)("%s", (_what, build, message) => {
    const error = thrown(build);
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.code).toBe("MM_INVALID_PATCH");
    expect(error.message).toMatch(message);
  });

  test("the error names the patch and the call, and where the operation would have gone", () => {
    const error = thrown(() => patch("comments").removeField("A", "x").renameClass("A", "A"));
    expect(error.message).toMatch(/^patch "comments", renameClass: /);
    expect(error.details).toMatchObject({
      patch: "comments",
      operation: "renameClass",
      index: 1,
      className: "A",
    });
  });

  test("a shorthand method named `function` is method syntax, not a function expression", () => {
    const p = patch("p")
      .addMethods("A", {
        function() {
          return 1;
        },
      })
      .build();
    expect(only(p, "addMethod").method.key).toBe("function");
  });
});

// ---------------------------------------------------------------------------

describe("a patch", () => {
  test("policy: eager by default, otherwise the last policy operation", () => {
    expect(patch("p").removeClass("A").build().policy).toBe("eager");
    expect(patch("p").policy("lazy").removeClass("A").policy("progressive").build().policy).toBe(
      "progressive",
    );
  });

  test("hydrated: true when every function is live, including a patch with none", () => {
    expect(patch("p").removeClass("A").build().hydrated).toBe(true);
    const p = patch("p")
      .migrate("A", () => {})
      .build();
    expect(p.hydrated).toBe(true);
    expect(roundTrip(p).hydrated).toBe(false);
  });

  test("Patch.empty has no operations; its name defaults to 'empty'", () => {
    expect(Patch.empty().operations).toEqual([]);
    expect(Patch.empty().name).toBe("empty");
    expect(Patch.empty("nothing").name).toBe("nothing");
  });

  test("the constructor checks operations as fromJSON does, with in-process functions allowed", () => {
    const error = thrown(
      () => new Patch("x", [{ op: "renameClass", className: "A" } as unknown as Operation]),
    );
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.details?.path).toBe("operations[0].to");
    expect(() => new Patch("", [])).toThrow(InvalidPatchError);
    const fn: Migrator = () => {};
    const p = new Patch("x", [
      { op: "migrator", className: "A", migrator: { source: "() => {}", fn } },
    ]);
    expect(only(p, "migrator").migrator.fn).toBe(fn);
  });

  test("a patch is not a thenable: it can be awaited and returned from async functions", async () => {
    const p = patch("p").removeClass("A").build();
    const load = async () => p;
    expect(await load()).toBe(p);
    expect(await Promise.resolve(p)).toBe(p);
  });

  test("summary: one readable line per operation", () => {
    const p = patch("everything")
      .addClass({ name: "Shape", fields: ["x", { name: "y", initializer: "0" }] })
      .removeClass("Old")
      .renameClass("Picture", "Image")
      .renameField("Image", "path", "basepath")
      .addField("Image", "comment", { default: "" })
      .addField("Image", "w", { defaultSource: "1", before: "basepath" })
      .removeField("Image", "cache")
      .reorderFields("Image", ["w", "basepath"])
      .pullUpField("Image", "w")
      .pushDownField("Shape", "y")
      .changeSuperclass("Image", "Shape")
      .changeSuperclass("Shape", null)
      .insertSuperclass("Image", { name: "Graphic", fields: ["z"] })
      .addMethod("Image", { key: "comment", kind: "method", static: false, source: "comment() {}" })
      .addMethod("Image", {
        key: "size",
        kind: "get",
        static: false,
        source: "get size() { return 1; }",
      })
      .replaceMethod("Image", {
        key: "create",
        kind: "method",
        static: true,
        source: "create() {}",
      })
      .removeMethod("Image", "describe")
      .removeMethod("Image", Symbol.iterator, { kind: "method" })
      .splitClass("Image", ["w", "h"], { into: "Size", via: "size" })
      .policy("lazy")
      .build();
    expect(p.summary().split("\n")).toEqual([
      "add class Shape { fields x, y = 0 }",
      "remove class Old",
      "rename class Picture → Image",
      "Image: rename field path → basepath",
      'Image: add field comment = ""',
      "Image: add field w = 1 before basepath",
      "Image: remove field cache",
      "Image: reorder fields w, basepath",
      "Image: pull field w up into the superclass",
      "Shape: push field y down into the subclasses",
      "Image: change superclass to Shape",
      "Shape: remove superclass (becomes a root class)",
      "Image: insert superclass Graphic { fields z }",
      "Image: add method comment()",
      "Image: add getter size",
      "Image: replace static method create()",
      "Image: remove member describe",
      "Image: remove method [Symbol.iterator]()",
      "Image: split fields w, h into new class Size (via field size)",
      "policy lazy",
    ]);
  });

  test("summary lines for functions show their source, folded onto one line and cut short", () => {
    const p = patch("p")
      .addField("Picture", "area", {
        initial: (old) => {
          return Number(old.w) * Number(old.h) + Number(old.extraWidthForTheBorderOfThePicture);
        },
      })
      .migrate("Picture", (_old, target) => {
        target.x = 1;
      })
      .validate("sizes", () => true)
      .validateInstances("positive", "Picture", (i) => Number(i.w) > 0)
      .build();
    const lines = p.summary().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^Picture: add field area \(migrated from old: \(old\) => \{ return Number\(old\.w\).*…\)$/,
    );
    expect(lines[1]).toMatch(
      /^Picture: migrate instances with \(_old, target\) => \{ target\.x = 1; \}$/,
    );
    expect(lines[2]).toBe("validate sizes: () => true");
    expect(lines[3]).toMatch(
      /^validate every Picture instance, positive: \(i\) => Number\(i\.w\) > 0$/,
    );
  });

  test("summary quotes names that are not identifiers, so every line stays one line", () => {
    const p = patch("p").addField("Picture", "multi\nline").removeMethod("Picture", "a b").build();
    expect(p.summary().split("\n")).toEqual([
      'Picture: add field "multi\\nline"',
      'Picture: remove member "a b"',
    ]);
  });
});

// ---------------------------------------------------------------------------

describe("JSON", () => {
  const initial: FieldInitialiser = (old) => `${String(old.first)} ${String(old.last)}`;
  const migrator: Migrator = (old, target) => {
    target.initials = `${String(old.first)[0]}${String(old.last)[0]}`;
  };
  const check: NamespaceValidation = (world) =>
    world.lookup("Person") !== undefined || "Person is missing";
  const each: InstanceValidation = (instance) =>
    typeof instance.name === "string" || "name is not a string";
  const full = patch("people")
    .addClass({
      name: "Person",
      fields: ["first", { name: "last", initializer: '""' }],
      methods: {
        greet() {
          return "hi";
        },
        *[Symbol.iterator]() {
          yield 1;
        },
      },
    })
    .addField("Person", "name", { initial, default: "" })
    .migrate("Person", migrator)
    .validate("person-exists", check)
    .validateInstances("names", "Person", each)
    .removeMethod("Person", Symbol.for("app.id"), { kind: "get" })
    .policy("progressive")
    .build();

  test("toJSON writes the format tag, the name and the operations with sources only", () => {
    const json = full.toJSON();
    expect(json.format).toBe(PATCH_FORMAT);
    expect(json.format).toBe("metamorph.patch/1");
    expect(json.name).toBe("people");
    expect(json.operations).toEqual(withoutFunctions(full.operations));
    expect(JSON.stringify(json)).not.toContain('"fn"');
  });

  test("a round trip gives back the operations minus their functions", () => {
    const back = roundTrip(full);
    expect(back.name).toBe("people");
    expect(back.operations).toEqual(withoutFunctions(full.operations));
    const migrate = back.operations[2] as Extract<Operation, { op: "migrator" }>;
    expect("fn" in migrate.migrator).toBe(false);
    expect(back.hydrated).toBe(false);
    expect(back.policy).toBe("progressive");
  });

  test("requireHydrated names the first operation whose function is source only", () => {
    expect(() => full.requireHydrated()).not.toThrow();
    const error = thrown(() => roundTrip(full).requireHydrated());
    expect(error).toBeInstanceOf(NotHydratedError);
    expect(error.code).toBe("MM_NOT_HYDRATED");
    expect(error.message).toMatch(
      /patch "people": operations\[1\] \(Person: add field name = "" .*\) carries its initial function as source only; call patch.hydrate/,
    );
    expect(error.details).toMatchObject({
      patch: "people",
      index: 1,
      operation: "addField",
      function: "initial",
    });
  });

  test("hydrate compiles every source back into working functions", () => {
    const hydrated = roundTrip(full).hydrate();
    expect(hydrated.hydrated).toBe(true);
    expect(() => hydrated.requireHydrated()).not.toThrow();
    const [, addField, migrate, validate, validateEach] = hydrated.operations as [
      Operation,
      Extract<Operation, { op: "addField" }>,
      Extract<Operation, { op: "migrator" }>,
      Extract<Operation, { op: "validateNamespace" }>,
      Extract<Operation, { op: "validateInstances" }>,
    ];
    expect(addField.initial?.fn?.({ first: "Ada", last: "Lovelace" })).toBe("Ada Lovelace");
    const target: Record<string, unknown> = {};
    migrate.migrator.fn?.({ first: "Ada", last: "Lovelace" }, target);
    expect(target).toEqual({ initials: "AL" });
    expect(validate.check.fn?.(noWorld)).toBe("Person is missing");
    expect(validate.check.fn?.({ ...noWorld, lookup: () => class {} })).toBe(true);
    expect(validateEach.check.fn?.({ name: 3 })).toBe("name is not a string");
    // Sources are kept; the functions are new (compiled from the source, not the originals).
    expect(migrate.migrator.source).toBe(migrator.toString());
    expect(migrate.migrator.fn).not.toBe(migrator);
  });

  test("hydrate makes scope names visible to sources, and nothing of the closures they were written in", () => {
    const limit = 10;
    const p = roundTrip(
      patch("p")
        .validateInstances("small", "Box", (box) => Number(box.size) < limit)
        .build(),
    );
    const inScope = p.hydrate({ limit: 3 }).operations[0] as Extract<
      Operation,
      { op: "validateInstances" }
    >;
    expect(inScope.check.fn?.({ size: 5 })).toBe(false);
    expect(inScope.check.fn?.({ size: 2 })).toBe(true);
    // Without it the source reads a name bound nowhere: refused before it is compiled.
    expect(() => p.hydrate()).toThrow(/its check function reads `limit`/);
  });

  test("hydrate accepts functions written in method shorthand", () => {
    const holder = {
      migrate(old: Readonly<Record<string, unknown>>, target: Record<string, unknown>) {
        target.copy = old.value;
      },
    };
    const p = roundTrip(patch("p").migrate("A", holder.migrate).build()).hydrate();
    const target: Record<string, unknown> = {};
    only(p, "migrator").migrator.fn?.({ value: 7 }, target);
    expect(target).toEqual({ copy: 7 });
  });

  test("hydrate refuses a source that does not compile, naming the operation", () => {
    const json = {
      format: PATCH_FORMAT,
      name: "broken",
      operations: [
        { op: "policy", policy: "lazy" },
        {
          op: "migrator",
          className: "Picture",
          migrator: { source: "(old, target) => { target.x = ; }" },
        },
      ],
    };
    const p = Patch.fromJSON(json, { trust: "in-process" });
    const error = thrown(() => p.hydrate());
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.message).toMatch(
      /patch "broken": operations\[1\] \(Picture: migrate instances with .*\): its migrator function does not compile/,
    );
    expect(error.details).toMatchObject({ index: 1, operation: "migrator", function: "migrator" });
    const notAFunction = Patch.fromJSON(
      { ...json, operations: [{ op: "validateNamespace", name: "v", check: { source: "42" } }] },
      { trust: "in-process" },
    );
    expect(() => notAFunction.hydrate()).toThrow(/its check source is not a function/);
  });

  test("hydrate refuses scope names that are not identifiers", () => {
    const error = thrown(() => full.hydrate({ "not-a-name": 1 }));
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.message).toMatch(/scope name "not-a-name" is not an identifier/);
  });

  const valid = { format: PATCH_FORMAT, name: "p", operations: [] as unknown[] };
  const withOps = (...operations: unknown[]) => ({ ...valid, operations });
  const invalid: [string, unknown, string, RegExp][] = [
    ["not an object", 42, "(root)", /expected a patch object, got number 42/],
    [
      "no format",
      { name: "p", operations: [] },
      "format",
      /missing; a metamorph patch has format "metamorph.patch\/1"/,
    ],
    [
      "another format",
      { ...valid, format: "metamorph.patch/2" },
      "format",
      /unsupported format string "metamorph.patch\/2"/,
    ],
    ["an unknown top-level key", { ...valid, extra: 1 }, "extra", /unknown property of a patch/],
    ["an empty name", { ...valid, name: "" }, "name", /a patch needs a name/],
    [
      "operations not an array",
      { ...valid, operations: {} },
      "operations",
      /expected an array, got an object/,
    ],
    [
      "an unknown operation",
      withOps({ op: "explode" }),
      "operations[0].op",
      /unknown operation string "explode"/,
    ],
    [
      "a missing key",
      withOps({ op: "removeField", className: "A" }),
      "operations[0].field",
      /missing \(a removeField operation needs field\)/,
    ],
    [
      "a misspelt key",
      withOps({ op: "addField", className: "A", field: "x", defualtSource: "1" }),
      "operations[0].defualtSource",
      /unknown property of an addField operation \(it has className, field, defaultSource, initial, before\)/,
    ],
    [
      "a wrong type deep inside",
      withOps(
        { op: "policy", policy: "lazy" },
        { op: "addClass", shape: { name: "A", fields: [{ name: 3 }] } },
      ),
      "operations[1].shape.fields[0].name",
      /expected a string, got number 3/,
    ],
    [
      "a bad method kind",
      withOps({
        op: "addMethod",
        className: "A",
        method: { key: "f", kind: "getter", static: false, source: "get f() {}" },
      }),
      "operations[0].method.kind",
      /expected one of "method", "get", "set"/,
    ],
    [
      "a bad symbol key",
      withOps({ op: "removeMethod", className: "A", key: { sym: "x" }, static: false }),
      "operations[0].key.sym",
      /unknown property of a symbol key/,
    ],
    [
      "a function with a live part",
      withOps({ op: "migrator", className: "A", migrator: { source: "() => {}", fn: "x" } }),
      "operations[0].migrator.fn",
      /JSON carries function sources only/,
    ],
    [
      "a bad policy",
      withOps({ op: "policy", policy: "now" }),
      "operations[0].policy",
      /expected one of "eager", "lazy", "progressive"/,
    ],
    [
      "a semantically bad operation",
      withOps({ op: "renameClass", className: "A", to: "A" }),
      "operations[0]",
      /renameClass \(rename class A → A\): class A cannot be renamed to its own name/,
    ],
    [
      "an arrow function as method",
      withOps({
        op: "addMethod",
        className: "A",
        method: { key: "f", kind: "method", static: false, source: "() => 1" },
      }),
      "operations[0]",
      /member f is an arrow function/,
    ],
  ];

  test.each(invalid)("fromJSON refuses %s, naming the path", (_what, json, path, message) => {
    const error = thrown(() => Patch.fromJSON(json));
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(error.code).toBe("MM_INVALID_PATCH");
    expect(error.details?.path).toBe(path);
    expect(error.message).toContain(`invalid patch: ${path}: `);
    expect(error.message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------

describe("composition", () => {
  const rename = patch("rename").renameField("Picture", "path", "basepath").build();
  const comment = patch("comment").addField("Picture", "comment", { default: "" }).build();

  function conflict(a: Patch, b: Patch) {
    const error = thrown(() => a.andThen(b));
    expect(error).toBeInstanceOf(PatchConflictError);
    expect(error.code).toBe("MM_PATCH_CONFLICT");
    return error as PatchConflictError;
  }

  test("concatenates the operations; the name says both", () => {
    const both = rename.andThen(comment);
    expect(both.operations).toEqual([...rename.operations, ...comment.operations]);
    expect(both.name).toBe("rename + comment");
    expect(Patch.compose([rename, comment]).operations).toEqual(both.operations);
    expect(Patch.compose([]).operations).toEqual([]);
  });

  test("the empty patch is the identity on both sides", () => {
    expect(rename.andThen(Patch.empty())).toBe(rename);
    expect(Patch.empty().andThen(rename)).toBe(rename);
  });

  test("a step that refers to a field the first patch renamed away is refused, naming both steps", () => {
    const error = conflict(
      patch("a").addClass({ name: "Unrelated" }).renameField("Picture", "path", "basepath").build(),
      patch("b").policy("eager").removeField("Picture", "path").build(),
    );
    expect(error.message).toBe(
      'cannot compose "a" then "b": "b" operations[1] (Picture: remove field path) refers to field Picture.path, ' +
        'which "a" operations[1] (Picture: rename field path → basepath) renamed to basepath; refer to it as basepath',
    );
    expect(error.details).toEqual({
      rule: "field-renamed",
      first: { patch: "a", index: 1, step: "Picture: rename field path → basepath" },
      second: { patch: "b", index: 1, step: "Picture: remove field path" },
      className: "Picture",
      field: "path",
    });
  });

  const conflicts: [string, () => Patch, () => Patch, string, RegExp][] = [
    [
      "referring to a removed class",
      () => patch("a").removeClass("Old").build(),
      () => patch("b").addField("Old", "x").build(),
      "class-removed",
      /refers to class Old, which "a" operations\[0\] \(remove class Old\) removed/,
    ],
    [
      "referring to a renamed class by its old name",
      () => patch("a").renameClass("Picture", "Image").build(),
      () =>
        patch("b")
          .migrate("Picture", () => {})
          .build(),
      "class-renamed",
      /refers to class Picture, which .* renamed to Image; refer to it as Image/,
    ],
    [
      "extending a removed class",
      () => patch("a").removeClass("Shape").build(),
      () => patch("b").addClass({ name: "Circle", superclass: "Shape" }).build(),
      "class-removed",
      /refers to class Shape/,
    ],
    [
      "changing the superclass to a removed class",
      () => patch("a").removeClass("Shape").build(),
      () => patch("b").changeSuperclass("Picture", "Shape").build(),
      "class-removed",
      /refers to class Shape/,
    ],
    [
      "validating instances of a removed class",
      () => patch("a").removeClass("Shape").build(),
      () =>
        patch("b")
          .validateInstances("v", "Shape", () => true)
          .build(),
      "class-removed",
      /refers to class Shape/,
    ],
    [
      "removing a class twice",
      () => patch("a").removeClass("Old").build(),
      () => patch("b").removeClass("Old").build(),
      "class-removed-twice",
      /both remove class Old: "a" operations\[0\] \(remove class Old\) and "b" operations\[0\] \(remove class Old\)/,
    ],
    [
      "renaming a class differently",
      () => patch("a").renameClass("Picture", "Image").build(),
      () => patch("b").renameClass("Picture", "Photo").build(),
      "class-renamed-twice",
      /both rename class Picture: .* to Image, and .* to Photo/,
    ],
    [
      "renaming a class the same way twice",
      () => patch("a").renameClass("Picture", "Image").build(),
      () => patch("b").renameClass("Picture", "Image").build(),
      "class-renamed-twice",
      /both rename class Picture/,
    ],
    [
      "adding the same class",
      () => patch("a").addClass({ name: "Size" }).build(),
      () => patch("b").addClass({ name: "Size" }).build(),
      "class-created-twice",
      /both create a class named Size/,
    ],
    [
      "renaming onto a class the first patch added",
      () => patch("a").addClass({ name: "Size" }).build(),
      () => patch("b").renameClass("Dimension", "Size").build(),
      "class-created-twice",
      /both create a class named Size/,
    ],
    [
      "splitting into a class the first patch renamed to",
      () => patch("a").renameClass("A", "Size").build(),
      () => patch("b").splitClass("Picture", ["w"], { into: "Size", via: "size" }).build(),
      "class-created-twice",
      /both create a class named Size/,
    ],
    [
      "inserting a superclass the first patch added",
      () => patch("a").addClass({ name: "Graphic" }).build(),
      () => patch("b").insertSuperclass("Picture", { name: "Graphic" }).build(),
      "class-created-twice",
      /Graphic/,
    ],
    [
      "referring to a removed field",
      () => patch("a").removeField("Picture", "cache").build(),
      () => patch("b").renameField("Picture", "cache", "store").build(),
      "field-removed",
      /refers to field Picture.cache, which .* removed$/,
    ],
    [
      "inserting before a removed field",
      () => patch("a").removeField("Picture", "cache").build(),
      () => patch("b").addField("Picture", "x", { before: "cache" }).build(),
      "field-removed",
      /refers to field Picture.cache/,
    ],
    [
      "reordering a renamed field",
      () => rename,
      () => patch("b").reorderFields("Picture", ["size", "path"]).build(),
      "field-renamed",
      /refers to field Picture.path/,
    ],
    [
      "referring to a field pulled up",
      () => patch("a").pullUpField("Picture", "size").build(),
      () => patch("b").removeField("Picture", "size").build(),
      "field-moved",
      /which .* moved up into the superclass/,
    ],
    [
      "referring to a field pushed down",
      () => patch("a").pushDownField("Shape", "colour").build(),
      () => patch("b").pullUpField("Shape", "colour").build(),
      "field-moved",
      /moved down into the subclasses/,
    ],
    [
      "referring to a field split away",
      () => patch("a").splitClass("Picture", ["w", "h"], { into: "Size", via: "size" }).build(),
      () => patch("b").removeField("Picture", "h").build(),
      "field-moved",
      /moved into the new class Size/,
    ],
    [
      "a removed field, through a class rename",
      () => patch("a").removeField("Picture", "cache").renameClass("Picture", "Image").build(),
      () => patch("b").removeField("Image", "cache").build(),
      "field-removed-twice",
      /both remove field Image.cache/,
    ],
    [
      "removing a field twice",
      () => patch("a").removeField("Picture", "cache").build(),
      () => patch("b").removeField("Picture", "cache").build(),
      "field-removed-twice",
      /both remove field Picture.cache: .* and/,
    ],
    [
      "renaming a field differently",
      () => rename,
      () => patch("b").renameField("Picture", "path", "url").build(),
      "field-renamed-twice",
      /both rename field Picture.path: .* to basepath, and .* to url/,
    ],
    [
      "adding the same field",
      () => comment,
      () => patch("b").addField("Picture", "comment").build(),
      "field-added-twice",
      /both give class Picture a field comment/,
    ],
    [
      "renaming onto a field the first patch added",
      () => comment,
      () => patch("b").renameField("Picture", "note", "comment").build(),
      "field-added-twice",
      /field comment/,
    ],
    [
      "adding a field the first patch's new class declares",
      () =>
        patch("a")
          .addClass({ name: "Size", fields: ["w"] })
          .build(),
      () => patch("b").addField("Size", "w").build(),
      "field-added-twice",
      /Size a field w/,
    ],
    [
      "different policies",
      () => patch("a").policy("lazy").build(),
      () => patch("b").policy("eager").build(),
      "policy",
      /different migration policies: .* wants lazy, .* wants eager/,
    ],
    [
      "reusing a validation name",
      () =>
        patch("a")
          .validate("sizes", () => true)
          .build(),
      () =>
        patch("b")
          .validateInstances("sizes", "Picture", () => true)
          .build(),
      "validation-name",
      /both declare a validation named "sizes"/,
    ],
    [
      "a migrator reading fields the first patch changed",
      () => rename,
      () =>
        patch("b")
          .migrate("Picture", (old, t) => {
            t.x = old.basepath;
          })
          .build(),
      "stale-old-view",
      /derives values from the old state of Picture instances, but in one combined update the old state is the one before "rename"/,
    ],
    [
      "an initialiser reading fields the first patch changed",
      () => comment,
      () =>
        patch("b")
          .addField("Picture", "length", { initial: (old) => String(old.comment).length })
          .build(),
      "stale-old-view",
      /Picture/,
    ],
  ];

  test.each(conflicts)("refuses %s", (_what, first, second, rule, message) => {
    const a = first();
    const b = second();
    const error = conflict(a, b);
    expect(error.details.rule).toBe(rule);
    expect(error.message).toMatch(message);
    const { first: stepA, second: stepB } = error.details as {
      first: { patch: string; index: number; step: string };
      second: { patch: string; index: number; step: string };
    };
    expect(stepA.step).toBe(describeOperation(a.operations[stepA.index]!));
    expect(stepB.step).toBe(describeOperation(b.operations[stepB.index]!));
  });

  const allowed: [string, () => Patch, () => Patch][] = [
    [
      "using the new name of a renamed class",
      () => patch("a").renameClass("Picture", "Image").build(),
      () => patch("b").addField("Image", "x").build(),
    ],
    [
      "using a renamed field by its new name",
      () => rename,
      () => patch("b").renameField("Picture", "basepath", "url").build(),
    ],
    [
      "re-creating a removed class, then using it",
      () => patch("a").removeClass("Old").build(),
      () => patch("b").addClass({ name: "Old" }).addField("Old", "x").build(),
    ],
    [
      "re-adding a removed field",
      () => patch("a").removeField("Picture", "cache").build(),
      () => patch("b").addField("Picture", "cache").build(),
    ],
    [
      "a second patch that removes, then re-adds, a name the first created",
      () => comment,
      () => patch("b").removeField("Picture", "comment").addField("Picture", "comment").build(),
    ],
    [
      "the same policy twice",
      () => patch("a").policy("lazy").build(),
      () => patch("b").policy("lazy").build(),
    ],
    [
      "a migrator after a patch that only changed methods",
      () =>
        patch("a")
          .addMethods("Picture", {
            f() {
              return 1;
            },
          })
          .build(),
      () =>
        patch("b")
          .migrate("Picture", () => {})
          .build(),
    ],
    [
      "a class created by the first patch, changed by the second",
      () =>
        patch("a")
          .addClass({ name: "Size", fields: ["w"] })
          .build(),
      () => patch("b").renameField("Size", "w", "width").build(),
    ],
  ];

  test.each(allowed)("allows %s", (_what, first, second) => {
    const a = first();
    const b = second();
    expect(a.andThen(b).operations).toEqual([...a.operations, ...b.operations]);
  });

  test("refuses a migrator for another class after a layout change: the hierarchy is not known, it may be a subclass", () => {
    const b = patch("b")
      .migrate("Shape", () => {})
      .build();
    let error: unknown;
    try {
      rename.andThen(b);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatchConflictError);
    expect((error as PatchConflictError).details.rule).toBe("stale-old-view");
    expect((error as Error).message).toContain("it may be a superclass of Shape");
  });

  test("refuses removing a class whose instances the first patch migrates", () => {
    const b = patch("b").removeClass("Picture").build();
    let error: unknown;
    try {
      rename.andThen(b);
    } catch (e) {
      error = e;
    }
    expect((error as PatchConflictError).details.rule).toBe("removed-migrated-class");
  });

  // Issue 12, item 20: the two compositions the engine fuzz found at seed 2026 once its skip list was gone.
  test("a class renamed by the first patch and removed by the second: refused (the combined update would remove it unrenamed)", () => {
    const first = patch("p1").removeClass("B").renameClass("Shape0", "Person").build();
    const second = patch("p2").removeClass("Person").build();
    const error = thrown(() => first.andThen(second)) as PatchConflictError;
    expect(error).toBeInstanceOf(PatchConflictError);
    expect(error.details).toMatchObject({
      rule: "removed-renamed-class",
      className: "Person",
      first: { patch: "p1", index: 1, step: "rename class Shape0 → Person" },
      second: { patch: "p2", index: 0, step: "remove class Person" },
    });
    expect(error.message).toMatch(
      /removes class Person, which "p1" operations\[1\] \(rename class Shape0 → Person\) renamed from Shape0/,
    );
    // Renamed twice, it is still the class's first name that the combined update would remove.
    const twice = patch("p0")
      .renameClass("A", "B")
      .build()
      .andThen(patch("p1").renameClass("B", "C").build());
    expect(
      (thrown(() => twice.andThen(patch("p2").removeClass("C").build())) as PatchConflictError)
        .message,
    ).toMatch(/renamed from A/);
    // A class the first patch added and the second removes is not a rename: no objects of it can differ.
    expect(() =>
      patch("a").addClass({ name: "T" }).build().andThen(patch("b").removeClass("T").build()),
    ).not.toThrow();
  });

  test("a class whose fields the first patch reorders, removed by the second: refused like any migrated class", () => {
    const first = patch("p1").reorderFields("Base", ["b", "a"]).build();
    const second = patch("p2").removeClass("Sub").build();
    const error = thrown(() => first.andThen(second)) as PatchConflictError;
    expect(error.details).toMatchObject({
      rule: "removed-migrated-class",
      className: "Sub",
      first: { index: 0 },
      second: { index: 0 },
    });
    // A reorder does not change what an old view reads: a derived field after it still composes.
    const derived = patch("p3")
      .addField("Base", "c", { initial: (old) => old.a })
      .build();
    expect(first.andThen(derived).operations).toHaveLength(2);
  });

  test("andThen refuses anything but a patch", () => {
    expect(() => rename.andThen({ operations: [] } as unknown as Patch)).toThrow(InvalidPatchError);
  });
});

// ---------------------------------------------------------------------------

describe("properties of random patches", () => {
  const anyPatch = patchArbitrary({ maxOperations: 10 });
  const smallPatch = patchArbitrary({ maxOperations: 5 });

  const attempt = (compose: () => Patch): Patch | PatchConflictError => {
    try {
      return compose();
    } catch (error) {
      if (error instanceof PatchConflictError) return error;
      throw error;
    }
  };

  test("JSON round trip is the identity on the data", () => {
    fc.assert(
      fc.property(anyPatch, (p) => {
        const back = roundTrip(p);
        expect(back.name).toBe(p.name);
        expect(back.operations).toEqual(withoutFunctions(p.operations));
        expect(JSON.stringify(back)).toBe(JSON.stringify(p));
        expect(back.summary()).toBe(p.summary());
        expect(back.policy).toBe(p.policy);
      }),
      PROPERTY,
    );
  });

  test("hydrating a round-tripped patch gives functions that behave like the originals", () => {
    const old = { a: 1, size: 4, name: "n", path: "/x" };
    fc.assert(
      fc.property(anyPatch, (p) => {
        const hydrated = roundTrip(p).hydrate();
        expect(hydrated.hydrated).toBe(true);
        hydrated.operations.forEach((op, i) => {
          const original = p.operations[i]!;
          if (op.op === "addField" && original.op === "addField" && op.initial) {
            expect(op.initial.fn!(old)).toEqual(original.initial!.fn!(old));
          }
          if (op.op === "migrator" && original.op === "migrator") {
            const [t1, t2] = [{ size: 1 }, { size: 1 }];
            op.migrator.fn!(old, t1);
            original.migrator.fn!(old, t2);
            expect(t1).toEqual(t2);
          }
          if (op.op === "validateInstances" && original.op === "validateInstances") {
            expect(op.check.fn!(old)).toEqual(original.check.fn!(old));
          }
        });
      }),
      PROPERTY,
    );
  });

  test("composition is associative: both groupings succeed or fail together, with the same operations", () => {
    fc.assert(
      fc.property(smallPatch, smallPatch, smallPatch, (a, b, c) => {
        const left = attempt(() => a.andThen(b).andThen(c));
        const right = attempt(() => a.andThen(b.andThen(c)));
        expect(left instanceof Patch).toBe(right instanceof Patch);
        if (left instanceof Patch && right instanceof Patch) {
          expect(left.operations).toEqual(right.operations);
          expect(left.name).toBe(right.name);
        }
      }),
      PROPERTY,
    );
  });

  test("the empty patch is the identity of composition", () => {
    fc.assert(
      fc.property(anyPatch, (a) => {
        expect(a.andThen(Patch.empty()).operations).toEqual(a.operations);
        expect(Patch.empty().andThen(a).operations).toEqual(a.operations);
        expect(a.andThen(Patch.empty()).name).toBe(a.name);
      }),
      PROPERTY,
    );
  });

  test("summary has one single-line entry per operation", () => {
    fc.assert(
      fc.property(anyPatch, (p) => {
        const summary = p.summary();
        const lines = summary === "" ? [] : summary.split("\n");
        expect(lines).toHaveLength(p.operations.length);
        expect(lines).toEqual(p.operations.map(describeOperation));
        for (const line of lines) expect(line.trim()).not.toBe("");
      }),
      PROPERTY,
    );
  });

  test("a refused composition names two real steps, and a concatenation that does succeed", () => {
    fc.assert(
      fc.property(smallPatch, smallPatch, (a, b) => {
        const result = attempt(() => a.andThen(b));
        if (result instanceof Patch) {
          expect(result.operations).toEqual([...a.operations, ...b.operations]);
          return;
        }
        const { first, second } = result.details as {
          first: { index: number; step: string };
          second: { index: number; step: string };
        };
        expect(first.step).toBe(describeOperation(a.operations[first.index]!));
        expect(second.step).toBe(describeOperation(b.operations[second.index]!));
        expect(result.message).toContain(`operations[${second.index}] (${second.step})`);
      }),
      PROPERTY,
    );
  });

  test("patches written one after another never conflict by name: only policy or old-state reads can", () => {
    fc.assert(
      fc.property(patchSequenceArbitrary(3, { maxOperations: 6 }), ({ patches }) => {
        const result = attempt(() => Patch.compose(patches));
        if (result instanceof PatchConflictError) {
          expect([
            "policy",
            "stale-old-view",
            "removed-migrated-class",
            "removed-renamed-class",
            "split-changed",
            // A field pulled up after one was pushed down (or the reverse): the moves may cancel.
            "field-moved-back",
          ]).toContain(result.details.rule);
        }
      }),
      PROPERTY,
    );
  });

  test("the arbitrary's model worlds stay well formed (no cycles, no field twice in a hierarchy)", () => {
    const wellFormed = (world: ModelWorld) => {
      const byName = new Map(world.classes.map((c) => [c.name, c]));
      expect(byName.size).toBe(world.classes.length);
      for (const c of world.classes) {
        const seenClasses = new Set<string>();
        const seenFields = new Set<string>();
        for (let k: string | null = c.name; k !== null; k = byName.get(k)!.superclass) {
          expect(byName.has(k)).toBe(true);
          expect(seenClasses.has(k)).toBe(false);
          seenClasses.add(k);
          for (const f of byName.get(k)!.fields) {
            expect(seenFields.has(f.name)).toBe(false);
            seenFields.add(f.name);
          }
        }
      }
    };
    wellFormed(DEFAULT_MODEL_WORLD);
    fc.assert(
      fc.property(patchScenarioArbitrary({ maxOperations: 15 }), ({ after }) => wellFormed(after)),
      PROPERTY,
    );
  });
});
