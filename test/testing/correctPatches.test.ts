/**
 * Acceptance 2: correct patches pass 1,000 runs of every property — on a
 * hierarchy with subclass instances, shared references and cycles, with a
 * reverse, patches to compose with, validations and a postcondition.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/patch/builder.js";
import type { MethodDefinition } from "../../src/mop/classDefinition.js";
import type { MigrationReport } from "../../src/testing/index.js";
import { checkMigration, formatMigrationReport, PROPERTY_NAMES } from "../../src/testing/index.js";

const greet = (body: string): MethodDefinition => ({
  key: "greet",
  kind: "method",
  static: false,
  source: `greet() { return ${body}; }`,
});
const greetV1 = greet('"hi " + this.first');
const greetV2 = greet('"hello " + this.first + " " + this.last + " (" + this.years + ")"');

const Person = {
  name: "Person",
  fields: [
    { name: "first", initializer: '""' },
    { name: "last", initializer: '""' },
    { name: "age", initializer: "0" },
    "friend",
  ],
  methods: [greetV1],
};
const Employee = {
  name: "Employee",
  superclass: "Person",
  fields: [{ name: "salary", initializer: "0" }, "manager"],
};

const v2 = patch("v2")
  .renameField("Person", "age", "years")
  .addField("Person", "nameLength", {
    default: 0,
    initial: (old) => String(old.first).length + String(old.last).length,
  })
  .addField("Employee", "salaryCents", {
    default: 0,
    initial: (old) => (old.salary as number) * 100,
  })
  .removeField("Employee", "salary")
  .addField("Employee", "grade", { default: 1 })
  .migrate("Employee", (old, target) => {
    target.grade = (old.salary as number) > 100 ? 2 : 1;
  })
  .replaceMethod("Person", greetV2)
  .validateInstances(
    "years, when set, are numbers",
    "Person",
    (p) => !("years" in p) || typeof p.years === "number" || `years is ${typeof p.years}`,
  )
  .validate("Employee is still there", (world) => world.lookup("Employee") !== undefined)
  .build();

const v2Back = patch("v2-back")
  .renameField("Person", "years", "age")
  .removeField("Person", "nameLength")
  .addField("Employee", "salary", {
    default: 0,
    before: "manager",
    initial: (old) => (old.salaryCents as number) / 100,
  })
  .removeField("Employee", "salaryCents")
  .removeField("Employee", "grade")
  .replaceMethod("Person", greetV1)
  .build();

const email = patch("email").addField("Person", "email", { default: "" }).build();
const badge = patch("badge")
  .addField("Employee", "badge", { defaultSource: "null" })
  .addMethods("Employee", {
    hasBadge(this: { badge: unknown }) {
      return this.badge !== null;
    },
  })
  .build();

/** Every property passed, but the workload property, which needs a model of the program's calls (workload.test.ts). */
function expectEveryPropertyPassed(report: MigrationReport, runs: number): void {
  if (!report.ok) throw new Error(formatMigrationReport(report));
  expect(report.properties.map((p) => [p.name, p.status, p.runs])).toEqual(
    PROPERTY_NAMES.map((name) =>
      name === "workload" ? [name, "skipped", 0] : [name, "passed", runs],
    ),
  );
}

// 1,000 runs of every property take tens of seconds alone, minutes on a loaded machine.
const SLOW = 300_000;

describe("correct patches pass 1,000 runs of every property", () => {
  test(
    "a field rename, a derived field, a salary in cents and a new method, on Person and Employee",
    async () => {
      const report = await checkMigration(v2, {
        classes: [Person, Employee],
        reverse: v2Back,
        composeWith: [email, badge],
        postcondition: (old, now, { oldClass }) => {
          if (now.years !== old.age) return `years ${String(now.years)} ≠ age ${String(old.age)}`;
          if (now.first !== old.first || now.last !== old.last || now.friend !== old.friend) {
            return "a carried field changed";
          }
          if (now.nameLength !== String(old.first).length + String(old.last).length)
            return "nameLength";
          if (oldClass === "Employee" && now.salaryCents !== (old.salary as number) * 100) {
            return "salaryCents";
          }
          return true;
        },
        maxInstances: 4,
        numRuns: 1000,
        seed: 1000,
      });
      expectEveryPropertyPassed(report, 1000);
    },
    SLOW,
  );

  test(
    "a class rename, a new field in the base class, reordered fields and new methods, progressively",
    async () => {
      const Shape = {
        name: "Shape",
        fields: [{ name: "x", initializer: "0" }, { name: "y", initializer: "0" }, "tag"],
      };
      const Circle = {
        name: "Circle",
        superclass: "Shape",
        fields: [{ name: "r", initializer: "1" }],
      };
      const Square = {
        name: "Square",
        superclass: "Shape",
        fields: [{ name: "side", initializer: "1" }],
      };
      const area: MethodDefinition = {
        key: "area",
        kind: "method",
        static: false,
        source: "area() { return Math.PI * this.r * this.r; }",
      };
      const v3 = patch("v3")
        .renameClass("Circle", "Disc")
        .addField("Shape", "z", { default: 0 })
        .reorderFields("Shape", ["y", "x", "tag", "z"])
        .addMethod("Disc", area)
        .validateInstances("radius is a number", "Disc", (d) => typeof d.r === "number" || "r")
        .policy("progressive")
        .build();
      const v3Back = patch("v3-back")
        .renameClass("Disc", "Circle")
        .removeField("Shape", "z")
        .reorderFields("Shape", ["x", "y", "tag"])
        .removeMethod("Circle", "area")
        .policy("progressive")
        .build();
      const report = await checkMigration(v3, {
        classes: [Shape, Circle, Square],
        reverse: v3Back,
        composeWith: patch("scale")
          .addField("Disc", "scale", { default: 1 })
          .policy("progressive")
          .build(),
        postcondition: (old, now, { oldClass, newClass }) =>
          (now.x === old.x &&
            now.y === old.y &&
            now.z === 0 &&
            (oldClass !== "Circle" || newClass === "Disc")) ||
          "x, y, z or the class",
        maxInstances: 4,
        numRuns: 1000,
        seed: 1001,
      });
      expectEveryPropertyPassed(report, 1000);
    },
    SLOW,
  );
});
