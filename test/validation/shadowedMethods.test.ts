import { describe, expect, test } from "vitest";
import { definitionFromSpec } from "../../src/mop/index.js";
import { validateShadowedMethods } from "../../src/validation/index.js";

const world = (...specs: Parameters<typeof definitionFromSpec>[0][]) =>
  new Map(specs.map((s) => [s.name, definitionFromSpec(s)]));

describe("field-shadows-method", () => {
  const methods = { comment() {}, size() {} };

  test("reports a field newly hiding a method of its chain, naming the class and the field", () => {
    const before = world({ name: "Base", methods }, { name: "Post", superclass: "Base" });
    const after = world(
      { name: "Base", methods },
      { name: "Post", superclass: "Base", fields: ["comment", "title"] },
    );
    const failures = validateShadowedMethods(before, after, [
      { name: "Base", oldName: "Base" },
      { name: "Post", oldName: "Post" },
    ]);
    expect(failures).toEqual([
      {
        rule: "field-shadows-method",
        className: "Post",
        field: "comment",
        message:
          'class Post would have both a field and a method named "comment": the field hides the method on every instance; rename one of them',
      },
    ]);
  });

  test("leaves alone shadowing that existed before the update (the bind idiom), across a rename", () => {
    const before = world({ name: "Button", fields: ["onClick"], methods: { onClick() {} } });
    const after = world({ name: "Widget", fields: ["onClick"], methods: { onClick() {} } });
    expect(validateShadowedMethods(before, after, [{ name: "Widget", oldName: "Button" }])).toEqual(
      [],
    );
  });

  test("a class whose own definition is untouched is still checked when a class of its chain changed", () => {
    // The very same definition object for Post before and after: only Base changed.
    const post = definitionFromSpec({ name: "Post", superclass: "Base", methods });
    const before = new Map([
      ["Base", definitionFromSpec({ name: "Base" })],
      ["Post", post],
    ]);
    const after = new Map([
      ["Base", definitionFromSpec({ name: "Base", fields: ["size"] })],
      ["Post", post],
    ]);
    const failures = validateShadowedMethods(before, after, [
      { name: "Base", oldName: "Base" },
      { name: "Post", oldName: "Post" },
    ]);
    expect(failures.map((f) => [f.className, f.field])).toEqual([["Post", "size"]]);
    // And a world of the very same definitions has nothing new to report.
    expect(
      validateShadowedMethods(after, new Map(after), [
        { name: "Base", oldName: "Base" },
        { name: "Post", oldName: "Post" },
      ]),
    ).toEqual([]);
  });

  test("a superclass missing from the world ends the chain instead of throwing (issue 12, item 13)", () => {
    const before = world({ name: "A", methods }, { name: "B", superclass: "A", fields: ["size"] });
    const after = world({ name: "B", superclass: "A", fields: ["size", "comment"] });
    expect(validateShadowedMethods(before, after, [{ name: "B", oldName: "B" }])).toEqual([]);
  });
});
