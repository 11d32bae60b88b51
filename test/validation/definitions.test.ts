import { describe, expect, test } from "vitest";
import type { ClassDefinition, MethodDefinition } from "../../src/index.js";
import { makeDefinition } from "../../src/testing/arbitraries/classDefinitions.js";
import {
  type CyclicSuperclassFailure,
  type DuplicateFieldFailure,
  type ValidationFailure,
  validateDefinitions,
} from "../../src/validation/index.js";

const def = (name: string, superclass: string | null, fields: string[] = []): ClassDefinition =>
  makeDefinition(name, superclass, fields);

const withMethods = (
  definition: ClassDefinition,
  methods: MethodDefinition[],
): ClassDefinition => ({
  ...definition,
  methods,
});

const accessor = (key: string, kind: "get" | "set", isStatic = false): MethodDefinition => ({
  key,
  kind,
  static: isStatic,
  source: kind === "get" ? `get ${key}() { return 1; }` : `set ${key}(v) {}`,
});

const method = (key: string): MethodDefinition => ({
  key,
  kind: "method",
  static: false,
  source: `${key}() {}`,
});

const byRule = (failures: readonly ValidationFailure[], rule: string) =>
  failures.filter((f) => f.rule === rule);

describe("a valid world", () => {
  test("yields no failures, as an array or as a map", () => {
    const world = [
      def("Shape", null, ["id"]),
      def("Rect", "Shape", ["w", "h"]),
      def("Square", "Rect", ["label"]),
      // Siblings may share field names: they are on different chains.
      def("Circle", "Shape", ["w"]),
    ];
    expect(validateDefinitions(world)).toEqual([]);
    expect(validateDefinitions(new Map(world.map((d) => [d.name, d])))).toEqual([]);
  });

  test("a field may shadow a plain method (bound-method idiom) and a static accessor", () => {
    const world = [
      withMethods(def("Base", null, ["x"]), [method("onClick"), accessor("size", "get", true)]),
      def("Button", "Base", ["onClick", "size"]),
    ];
    expect(validateDefinitions(world)).toEqual([]);
  });
});

describe("class-name", () => {
  test.each(["class", "1Up", "", "has-dash", "enum"])("rejects the class name %j", (name) => {
    const failures = validateDefinitions([def(name, null)]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ rule: "class-name", className: name });
    expect(failures[0]!.message).toContain(JSON.stringify(name));
  });

  test("rejects an invalid superclass name, naming the class that uses it", () => {
    const failures = validateDefinitions([def("A", "no-good")]);
    const names = byRule(failures, "class-name");
    expect(names).toHaveLength(1);
    expect(names[0]).toMatchObject({ className: "A" });
    expect(names[0]!.message).toContain('"no-good"');
  });

  test("rejects a map entry whose key is not the definition's name", () => {
    const failures = validateDefinitions(new Map([["Alias", def("Real", null)]]));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ rule: "class-name", className: "Real" });
    expect(failures[0]!.message).toContain('"Alias"');
  });

  test("rejects a class defined twice", () => {
    const failures = validateDefinitions([def("A", null, ["x"]), def("A", null, ["y"])]);
    expect(failures).toEqual([expect.objectContaining({ rule: "class-name", className: "A" })]);
    expect(failures[0]!.message).toMatch(/twice/);
  });

  test("rejects a non-string name without crashing (definitions may come from JSON)", () => {
    const bad = { ...def("X", null), name: 42 } as unknown as ClassDefinition;
    const failures = validateDefinitions([bad]);
    expect(byRule(failures, "class-name")).toHaveLength(1);
  });
});

describe("unknown-superclass", () => {
  test("a superclass outside the world is reported on the class that names it", () => {
    const failures = validateDefinitions([def("A", null), def("B", "Ghost")]);
    expect(failures).toEqual([
      expect.objectContaining({ rule: "unknown-superclass", className: "B" }),
    ]);
    expect(failures[0]!.message).toContain("Ghost");
  });

  test("duplicate checks still follow the known part of the chain", () => {
    const failures = validateDefinitions([def("A", "Ghost", ["x"]), def("B", "A", ["x"])]);
    expect(byRule(failures, "unknown-superclass")).toHaveLength(1);
    expect(byRule(failures, "duplicate-field")).toEqual([
      expect.objectContaining({ className: "B", ancestor: "A", field: "x" }),
    ]);
  });
});

describe("cyclic-superclass", () => {
  test("a self-cycle reports the class once, showing A → A", () => {
    const failures = validateDefinitions([def("A", "A", ["x"])]);
    expect(failures).toHaveLength(1);
    const failure = failures[0] as CyclicSuperclassFailure;
    expect(failure).toMatchObject({ rule: "cyclic-superclass", className: "A", cycle: ["A", "A"] });
    expect(failure.message).toContain("A → A");
  });

  test("a 3-cycle reports each class on it exactly once, each message showing the loop", () => {
    const failures = validateDefinitions([
      def("A", "B"),
      def("B", "C"),
      def("C", "A"),
      // Below the cycle, not on it: not reported as cyclic.
      def("D", "A"),
      def("Free", null),
    ]);
    const cyclic = byRule(failures, "cyclic-superclass") as CyclicSuperclassFailure[];
    expect(cyclic.map((f) => f.className).sort()).toEqual(["A", "B", "C"]);
    const a = cyclic.find((f) => f.className === "A")!;
    expect(a.message).toContain("A → B → C → A");
    expect(cyclic.find((f) => f.className === "C")!.message).toContain("C → A → B → C");
    expect(failures).toHaveLength(3);
  });

  test("terminates on a cycle whose members declare the same field, and reports only the cycle", () => {
    const failures = validateDefinitions([
      def("A", "B", ["x"]),
      def("B", "A", ["x"]),
      def("C", "A", ["x"]),
    ]);
    expect(failures.map((f) => f.rule)).toEqual(["cyclic-superclass", "cyclic-superclass"]);
  });

  test("two separate cycles are both found", () => {
    const failures = validateDefinitions([def("A", "B"), def("B", "A"), def("C", "C")]);
    expect(
      byRule(failures, "cyclic-superclass")
        .map((f) => f.className)
        .sort(),
    ).toEqual(["A", "B", "C"]);
  });
});

describe("duplicate-field", () => {
  test("up: a subclass re-declares an inherited field — names the class and the ancestor", () => {
    const before = [def("Shape", null, ["id", "color"]), def("Rect", "Shape", ["w"])];
    expect(validateDefinitions(before)).toEqual([]);
    const after = [before[0]!, def("Rect", "Shape", ["w", "color"])];
    const failures = validateDefinitions(after) as DuplicateFieldFailure[];
    expect(failures).toEqual([
      expect.objectContaining({
        rule: "duplicate-field",
        className: "Rect",
        ancestor: "Shape",
        field: "color",
      }),
    ]);
    expect(failures[0]!.message).toContain("Rect");
    expect(failures[0]!.message).toContain("Shape");
  });

  test("down: a superclass gains a field a subclass (two levels down) already has", () => {
    const before = [def("A", null, ["id"]), def("B", "A", []), def("C", "B", ["tag"])];
    expect(validateDefinitions(before)).toEqual([]);
    const after = [def("A", null, ["id", "tag"]), before[1]!, before[2]!];
    const failures = validateDefinitions(after);
    expect(failures).toEqual([
      expect.objectContaining({
        rule: "duplicate-field",
        className: "C",
        ancestor: "A",
        field: "tag",
      }),
    ]);
  });

  test("each (class, ancestor) pair once: three declarations on one chain give three pairs", () => {
    const failures = validateDefinitions([
      def("A", null, ["x"]),
      def("B", "A", ["x"]),
      def("C", "B", ["x"]),
    ]) as DuplicateFieldFailure[];
    expect(failures.map((f) => `${f.className}<${f.ancestor}`).sort()).toEqual([
      "B<A",
      "C<A",
      "C<B",
    ]);
  });

  test("a field declared twice in one class is reported once", () => {
    const failures = validateDefinitions([def("A", null, ["x", "y", "x", "x"])]);
    expect(failures).toEqual([
      expect.objectContaining({ rule: "duplicate-field", className: "A", field: "x" }),
    ]);
    expect((failures[0] as DuplicateFieldFailure).ancestor).toBeUndefined();
  });

  test("a field colliding with an accessor of its own class", () => {
    const failures = validateDefinitions([
      withMethods(def("A", null, ["size"]), [accessor("size", "get")]),
    ]);
    expect(failures).toEqual([
      expect.objectContaining({ rule: "duplicate-field", className: "A", field: "size" }),
    ]);
    expect(failures[0]!.message).toMatch(/getter/);
  });

  test("a field colliding with an ancestor's setter, and an accessor over an ancestor's field", () => {
    const failures = validateDefinitions([
      withMethods(def("A", null, ["x"]), [accessor("size", "set")]),
      withMethods(def("B", "A", ["size"]), [accessor("x", "get")]),
    ]) as DuplicateFieldFailure[];
    expect(failures).toHaveLength(2);
    expect(failures).toContainEqual(
      expect.objectContaining({ className: "B", ancestor: "A", field: "size" }),
    );
    expect(failures).toContainEqual(
      expect.objectContaining({ className: "B", ancestor: "A", field: "x" }),
    );
    expect(failures.find((f) => f.field === "size")!.message).toMatch(/setter/);
    expect(failures.find((f) => f.field === "x")!.message).toMatch(/getter/);
  });
});

describe("field-name", () => {
  // "constructor": class syntax forbids it, and an own `constructor` hides the class (issue 12, item 14).
  test.each(["", "#secret", "__proto__", "constructor"])("rejects the field name %j", (name) => {
    const failures = validateDefinitions([def("A", null, ["ok", name])]);
    expect(failures).toEqual([
      expect.objectContaining({ rule: "field-name", className: "A", field: name }),
    ]);
  });

  test("rejects a non-string field name and a malformed field entry", () => {
    const bad = {
      ...def("A", null),
      fields: [{ name: 7 }, null],
    } as unknown as ClassDefinition;
    const failures = validateDefinitions([bad]);
    expect(failures).toHaveLength(2);
    expect(failures.every((f) => f.rule === "field-name" && f.className === "A")).toBe(true);
  });

  test("accepts names that are not identifiers but are fine property keys", () => {
    expect(validateDefinitions([def("A", null, ["data-x", "0", "if", "toString"])])).toEqual([]);
  });
});

test("every failure of a broken world is collected in one pass", () => {
  const failures = validateDefinitions([
    def("class", null),
    def("B", "Ghost", ["", "y", "y"]),
    def("C", "C"),
  ]);
  expect(new Set(failures.map((f) => f.rule))).toEqual(
    new Set([
      "class-name",
      "unknown-superclass",
      "field-name",
      "duplicate-field",
      "cyclic-superclass",
    ]),
  );
});
