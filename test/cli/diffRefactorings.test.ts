/**
 * `metamorph diff` on refactorings across classes (review advZ13): a class
 * renamed, a superclass inserted with a field pulled up into it, fields
 * pulled up into an existing superclass; and the TODOs such releases need
 * or do not (review advZ10: what the engine refuses, said before packing).
 * In process: the derivation and the module's text. The same releases
 * applied to a running service: diffRefactoringsApplied.test.ts.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { derivePatch, type MigrationsModule } from "../../src/cli/diff/derive.js";
import type { ModuleSource } from "../../src/cli/diff/inventory.js";
import { renderPatchModule } from "../../src/cli/diff/render.js";
import { withRunningNames } from "../../src/cli/diff/runningNames.js";
import { ORM_V1, ORM_V2, SHAPES_V1, SHAPES_V2, SHAPES_V3 } from "./fixtures/refactorings.js";

const mod = (file: string, js: string): ModuleSource => ({ file, js });
const derive = (
  old: readonly ModuleSource[],
  next: readonly ModuleSource[],
  migrations: readonly MigrationsModule[] = [],
) => derivePatch({ old, new: next, migrations });
const render = (derived: ReturnType<typeof derive>) =>
  renderPatchModule(derived, {
    oldDir: "/r/1",
    newDir: "/r/2",
    date: new Date(0),
    name: "p",
    importFrom: "metamorph",
    outFile: "/r/p.mjs",
    language: "javascript",
  });
const shapes = (js: string) => [mod("shapes.js", js)];
const todosOf = (derived: ReturnType<typeof derive>) => [
  ...derived.classes.flatMap((c) => c.todos),
  ...(derived.todos ?? []),
];

describe("a class renamed (Circle → Round)", () => {
  const derived = derive(shapes(SHAPES_V1), shapes(SHAPES_V2));
  const text = render(derived);

  test("is renamed first, and no step names a class the running release does not have", () => {
    const round = derived.classes.find((c) => c.name === "Round")!;
    expect(round).toMatchObject({ reason: "changed", renamedFrom: { name: "Circle" } });
    expect(round.movedUp).toEqual(["color"]);
    expect(text).toContain('export default patch("p")\n  .renameClass("Circle", "Round")\n');
    expect(text).not.toContain("unchanged; given its implementation again");
    expect(derived.notes.join("\n")).not.toMatch(/class Round is new|class Circle was removed/);
    expect(todosOf(derived)).toEqual([]);
  });

  test("implementations name it Circle, the class the service has under that name", () => {
    const round = derived.classes.find((c) => c.name === "Round")!;
    expect(round.implementation).toContain("kind = Circle;");
    expect(round.implementation).not.toContain("Round");
    // Canvas differs from the running release only by `instanceof Round`: unchanged.
    expect(derived.classes.map((c) => c.name)).toEqual(["Shape", "Round", "Rect", "Square"]);
  });

  test("a class that also changed its methods is renamed only when a classRenames hint says so", () => {
    const edited = SHAPES_V2.replace(
      "area() { return 3 * this.r",
      "perimeter() { return 0; }\n  area() { return 3 * this.r",
    );
    const plain = derive(shapes(SHAPES_V1), shapes(edited));
    expect(plain.classes.some((c) => c.renamedFrom)).toBe(false);
    expect(plain.todos).toEqual([
      'shapes.js: class Round is new and class Circle is gone, and diff cannot tell whether one is the other renamed (it recognises a rename by the same superclass, methods and fields). If Round is Circle renamed, say so in shapes.migrations.ts: export const classRenames = { Round: "Circle" }, and derive again: the patch then renames the class and its objects keep their state. Otherwise Circle\'s objects keep the running version, and Round exists after a restart',
    ]);
    const hint: MigrationsModule = {
      file: "shapes.migrations.js",
      value: {},
      isDefault: false,
      classRenames: { Round: "Circle", Nothing: "Gone" },
    };
    const hinted = derive(shapes(SHAPES_V1), shapes(edited), [hint]);
    const round = hinted.classes.find((c) => c.name === "Round")!;
    expect(round.renamedFrom).toEqual({ name: "Circle", hint: "shapes.migrations.js" });
    expect(round.summary.methodsAdded).toEqual(["perimeter()"]);
    expect(hinted.todos).toBeUndefined();
    expect(render(hinted)).toContain("(classRenames of shapes.migrations.js)");
  });

  test("two classes that could each be the other's rename are no rename; nor are empty ones", () => {
    const twins = (a: string, b: string) =>
      shapes(`export class ${a} { x = 1; }\nexport class ${b} { x = 1; }\n`);
    const derived = derive(twins("A", "B"), twins("C", "D"));
    expect(derived.classes).toEqual([]);
    const empty = derive(shapes("export class Gone {}\n"), shapes("export class Fresh {}\n"));
    expect(empty.classes).toEqual([]);
    expect(empty.notes).toContain(
      "shapes.js:1: class Fresh is new: no code of the running service refers to it; restart to use it",
    );
  });

  const ident = fc.constantFrom("alpha", "beta", "gamma", "count");
  const classSource = fc.record({
    fields: fc.uniqueArray(ident, { minLength: 1, maxLength: 3 }),
    methods: fc.uniqueArray(fc.constantFrom("run", "show"), { maxLength: 2 }),
    selfReference: fc.boolean(),
  });

  test("property: renaming a class and every reference to it is exactly a rename", () => {
    fc.assert(
      fc.property(
        fc.array(classSource, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (classes, pick) => {
          const names = classes.map((_, i) => `K${i}`);
          const source = (rename: (n: string) => string) =>
            classes
              .map(({ fields, methods, selfReference }, i) => {
                const name = rename(names[i]!);
                const parent = i > 0 ? ` extends ${rename(names[i - 1]!)}` : "";
                const body = [
                  ...fields.map((f) => `  ${f}${i} = ${selfReference ? name : i};`),
                  ...methods.map((m) => `  ${m}${i}() { return this instanceof ${name}; }`),
                ];
                return `export class ${name}${parent} {\n${body.join("\n")}\n}\n`;
              })
              .join("");
          const target = names[pick % names.length]!;
          const renamed = (n: string) => (n === target ? `${n}Renamed` : n);
          const derived = derive(shapes(source((n) => n)), shapes(source(renamed)));
          expect(derived.classes.map((c) => [c.name, c.reason, c.renamedFrom?.name])).toEqual([
            [`${target}Renamed`, "renamed", target],
          ]);
          expect(todosOf(derived)).toEqual([]);
          expect(render(derived)).toContain(`.renameClass("${target}", "${target}Renamed")`);
        },
      ),
      { seed: 4242, numRuns: 100 },
    );
  });

  test("a reference the method binds itself is left alone", () => {
    const renames = new Map([["Round", "Circle"]]);
    expect(
      withRunningNames(
        "class { a = Round; b = { Round }; m(Round) { return Round; } n() { return () => Round.x; } }",
        renames,
      ),
    ).toBe(
      "class { a = Circle; b = { Round: Circle }; m(Round) { return Round; } n() { return () => Circle.x; } }",
    );
  });
});

describe("a superclass inserted (Model → Person → User), name pulled up into it", () => {
  const hints: MigrationsModule = {
    file: "models.migrations.js",
    value: { renames: { User: { mail: "email" } }, migrate: { Post: () => {} } },
    isDefault: false,
  };
  const derived = derive([mod("models.js", ORM_V1)], [mod("models.js", ORM_V2)], [hints]);
  const byName = new Map(derived.classes.map((c) => [c.name, c]));
  const text = render(derived);

  test("the patch adds Person before User moves under it", () => {
    expect(derived.classes.map((c) => [c.name, c.reason])).toEqual([
      ["Person", "added"],
      ["User", "changed"],
      ["Post", "changed"],
      ["Admin", "subclass"],
    ]);
    expect(byName.get("Person")!.added).toEqual({ superclass: "Model", extendedBy: ["User"] });
    expect(text).toContain(
      '  .addClass({ name: "Person", superclass: "Model" })\n  .replaceImplementation("Person", Person)\n  .changeSuperclass("User", "Person")\n',
    );
    expect(text.indexOf("const Person = implementation(")).toBeLessThan(
      text.indexOf("const User = implementation("),
    );
    expect(text).not.toContain("const Person = class {};");
    expect(derived.notes.join("\n")).not.toContain("class Person is new");
  });

  test("name moved up is kept, not removed; the rename hint applies", () => {
    const user = byName.get("User")!;
    expect(user.movedUp).toEqual(["name"]);
    expect(user.summary).toMatchObject({ removed: [], renamed: [["email", "mail"]] });
    expect(user.todos.join("\n")).not.toMatch(/dropped from every live object|mail: "name"/);
    expect(text).toContain(
      "//   fields moved up: name, now inherited from Person; every object keeps its value",
    );
    // Without the hint, the rename it proposes is email's, not name's.
    const bare = derive([mod("models.js", ORM_V1)], [mod("models.js", ORM_V2)]);
    const todos = bare.classes.find((c) => c.name === "User")!.todos.join("\n");
    expect(todos).toContain('e.g. { mail: "email" }');
    expect(todos).not.toContain('"name"');
  });

  // The service compiles the implementations of the classes a bundle adds
  // first, in order (patch.ts hydrate): User extending the new Person needs
  // no TODO, nor a second bundle.
  test("a class extending the superclass this patch adds has no TODO", () => {
    expect(byName.get("User")!.todos).toEqual([]);
    expect(byName.get("Person")!.todos).toEqual([]);
    expect(byName.get("Admin")!.todos).toEqual([]);
  });

  test("a class new in the release is never migrated as a subclass", () => {
    const before = "export class Shape { x = 0; }\n";
    const after =
      "export class Shape { x = 0; y = 0; }\nexport class Fresh extends Shape { z = 1; }\n";
    const derived = derive(shapes(before), shapes(after));
    expect(derived.classes.map((c) => c.name)).toEqual(["Shape"]);
    expect(render(derived)).not.toContain('"Fresh"');
  });
});

describe("fields pulled up into an existing superclass (shapes v1 → v3)", () => {
  const derived = derive(shapes(SHAPES_V1), shapes(SHAPES_V3));

  test("no TODO: colours move up and stay, the classes resolve in the service", () => {
    expect(derived.classes.map((c) => [c.name, c.movedUp])).toEqual([
      ["Shape", []],
      ["Circle", ["color"]],
      ["Rect", ["color"]],
      ["Square", []],
    ]);
    expect(todosOf(derived)).toEqual([]);
    expect(render(derived)).toContain(" * Nothing here needs a decision (no TODO).");
  });

  test("a field holding a managed class is said to follow the class, not to be decided", () => {
    const circle = derived.classes.find((c) => c.name === "Circle")!;
    expect(circle.facts).toEqual([
      "field kind = Circle holds the class Circle itself, as the service manages it (an update changes the class in place): existing objects' kind is the current version after this patch too. metamorph apply may warn MM_STALE_FUNCTION_FIELD for it; nothing to do",
    ]);
  });

  test("a name the service does not manage is still a TODO", () => {
    const withHelper = SHAPES_V3.replace(
      "area() { return 0; }",
      "area() { return helper(); }",
    ).replace("export class Shape", "function helper() { return 0; }\nexport class Shape");
    const todos = derive(shapes(SHAPES_V1), shapes(withHelper)).classes[0]!.todos;
    expect(todos).toEqual([
      expect.stringMatching(
        /^the implementation of Shape refers to helper, declared or imported in shapes\.js/,
      ),
    ]);
  });
});

describe("what the engine refuses is a TODO, what it accepts is not (tapable 1 → 2)", () => {
  const hook = (body: string) =>
    mod(
      "hook.js",
      `export class Hook {\n  constructor(tap) {\n${body}\n  }\n  tap(f) { return f; }\n}\n`,
    );
  const derivedFrom = (body: string, migrations: readonly MigrationsModule[] = []) =>
    derive([hook("    this.taps = [];")], [hook(body)], migrations).classes[0]!.todos;

  test("a field named like a method is refused unless it is the method, copied or bound", () => {
    expect(derivedFrom("    this.taps = [];\n    this.tap = tap;")).toEqual([
      "Hook would have both a field and a method named tap: the field hides the method on every object, so the engine refuses the update (validation rule field-shadows-method). Rename one of them, or restart",
    ]);
    expect(derivedFrom("    this.taps = [];\n    this.tap = this.tap;")).toEqual([]);
    expect(derivedFrom("    this.taps = [];\n    this.tap = this.tap.bind(this);")).toEqual([]);
  });

  test("a new field whose value reads the module needs a migrator", () => {
    const ctorBody = "    this.taps = [];\n    this._call = CALL_DELEGATE;";
    const todos = derivedFrom(ctorBody);
    expect(todos[0]).toBe(
      "new field _call = CALL_DELEGATE starts from a value of the module, which the engine cannot compute for the existing objects outside that module: it refuses the update unless a migrator sets it. Add to hook.migrations.ts: export const migrate = { Hook(old, object) { object._call = … } }",
    );
    const migrator = {
      file: "hook.migrations.js",
      value: { migrate: { Hook: () => {} } },
      isDefault: false,
    };
    expect(derivedFrom(ctorBody, [migrator]).join("\n")).not.toContain("starts from a value");
  });

  test("an initialiser changed to a module value cannot be reset: the TODO says what can", () => {
    const before = [hook("    this.call = this._call;")];
    const after = [hook("    this.call = CALL_DELEGATE;")];
    const expected =
      "Hook.call: initialiser changed (this._call → CALL_DELEGATE); existing objects keep their values. Its new value reads the module, which a bundle's code cannot reach, so a reset cannot give it: set what the service can reach in hook.migrations.ts: export const migrate = { Hook(old, object) { object.call = … } }, or restart";
    expect(derive(before, after).classes[0]!.todos[0]).toBe(expected);
    const reset = {
      file: "hook.migrations.ts",
      value: { reset: { Hook: ["call"] } },
      isDefault: false,
    };
    // A reset is a migrator the service compiles: one reading the module could not run there.
    const withReset = derive(before, after, [reset]).classes[0]!;
    expect(withReset.resets).toEqual([]);
    expect(withReset.todos[0]).toBe(expected);
    const plain = derive([hook("    this.step = 1;")], [hook("    this.step = 2;")], [reset]);
    expect(plain.classes[0]!.todos).toEqual([
      'Hook.step: initialiser changed (1 → 2); existing objects keep their values. To give them the new value, list it in hook.migrations.ts: export const reset = { Hook: ["step"] }',
    ]);
  });
});
