/**
 * A patch that only gives methods new bodies skips the definitions rules
 * when the world it replaces is the one that last passed them
 * (building/bodiesOnly.ts). These tests pin what must still be refused:
 * a world that never passed, a world changed since, and any patch that
 * changes member keys, fields or classes.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync, ValidationError } from "../../src/index.js";

interface Person {
  first: string;
  age: number;
  greet(): string;
}

function people() {
  const ns = new Namespace("bodies-only");
  const Person = ns.defineClass<Person>({
    name: "Person",
    fields: [
      { name: "first", initializer: '""' },
      { name: "age", initializer: "0" },
    ],
    methods: {
      greet(this: Person) {
        return `hi ${this.first}`;
      },
    },
  });
  return { ns, Person };
}

const greeting = (name: string, word: string) =>
  patch(name)
    .replaceMethods(
      "Person",
      new Function(`return { greet() { return "${word} " + this.first; } }`)(),
    )
    .build();

function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).report.failures.map((f) => f.rule);
  }
  throw new Error("the update was not refused");
}

describe("a patch that only replaces method bodies", () => {
  test("is refused, every time, on a world that breaks the definitions rules since it was defined", () => {
    const { ns, Person } = people();
    ns.defineClass({ name: "Student", superclass: "Person", fields: ["age"] });
    const version = ns.version;
    expect(refusal(() => updateSync(ns, greeting("b1", "hello")))).toContain("duplicate-field");
    expect(refusal(() => updateSync(ns, greeting("b2", "hey")))).toContain("duplicate-field");
    expect(ns.version).toBe(version);
    expect(new Person({ first: "Ada" }).greet()).toBe("hi Ada");
  });

  test("is checked again when the world changed after the last check", () => {
    const { ns, Person } = people();
    updateSync(ns, greeting("b1", "hello"));
    ns.defineClass({ name: "Student", superclass: "Person", fields: ["age"] });
    expect(refusal(() => updateSync(ns, greeting("b2", "hey")))).toContain("duplicate-field");
    expect(new Person({ first: "Ada" }).greet()).toBe("hello Ada");
  });

  test("is checked again after a rollback, which brings back the definitions of before", () => {
    const { ns, Person } = people();
    updateSync(ns, greeting("b1", "hello"));
    const second = updateSync(ns, greeting("b2", "hey"));
    second.rollback();
    expect(new Person({ first: "Ada" }).greet()).toBe("hello Ada");
    updateSync(ns, greeting("b3", "bye"));
    expect(new Person({ first: "Ada" }).greet()).toBe("bye Ada");
  });

  test("after passing, does not let a later patch that adds a member through unchecked", () => {
    const { ns, Person } = people();
    updateSync(ns, greeting("b1", "hello"));
    const shadowing = patch("clash")
      .addMethods("Person", {
        age() {
          return 0;
        },
      })
      .build();
    expect(refusal(() => updateSync(ns, shadowing))).toEqual(["field-shadows-method"]);
    const accessor = patch("accessor")
      .addMethods("Person", {
        get first() {
          return "x";
        },
      })
      .build();
    expect(refusal(() => updateSync(ns, accessor))).toContain("duplicate-field");
    expect(new Person({ first: "Ada" }).greet()).toBe("hello Ada");
  });
});
