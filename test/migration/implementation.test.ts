import { describe, expect, test } from "vitest";
import { InvalidPatchError } from "../../src/index.js";
import { Patch } from "../../src/index.js";
import { patch } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

describe("ordinary classes get new implementations (live reload)", () => {
  // A class of its own per test: an update a test leaves in force stays on the class.
  const noteClass = () =>
    class Note {
      title = "";
      body: string;
      constructor(body: string) {
        this.body = body;
      }
      show() {
        return `${this.title}: ${this.body}`;
      }
    };
  const Note = noteClass();

  test("values follow names and renames; methods and construction switch; identity kept", () => {
    const ns = new Namespace("notes");
    const NoteHandle = ns.registerClass(Note);
    const a = new NoteHandle("first");
    a.title = "A";
    class Note2 {
      heading = "";
      text: string;
      tags: string[] = [];
      constructor(text: string) {
        this.text = text;
      }
      show() {
        return `[${this.heading}] ${this.text} ${this.tags.length}`;
      }
    }
    const result = updateSync(
      ns,
      patch("reload")
        .replaceImplementation("Note", Note2, { renames: { heading: "title", text: "body" } })
        .build(),
    );
    expect(result.instancesMigrated).toBe(1);
    expect(a.show()).toBe("[A] first 0");
    expect(Object.keys(a)).toEqual(["heading", "text", "tags"]);
    expect(hasFastProperties(a)).toBe(true);
    const b = new NoteHandle("second");
    expect(b).toBeInstanceOf(NoteHandle);
    expect(b.show()).toBe("[] second 0");
    expect(Object.getPrototypeOf(b)).toBe(Object.getPrototypeOf(a));
  });

  test("an ordinary class cannot have fields moved to another class without an implementation; a bad rename hint is named", () => {
    const ns = new Namespace("notes2");
    ns.registerClass(noteClass());
    // Its own field changes get a version derived from the running one
    // (test/migration/ordinaryFieldChanges.test.ts); moving fields out does not.
    expect(() =>
      updateSync(
        ns,
        patch("x").splitClass("Note", ["body"], { into: "Body", via: "content" }).build(),
      ),
    ).toThrow(/needs a new implementation/);
    class Other {}
    expect(() =>
      updateSync(
        ns,
        patch("y")
          .replaceImplementation("Note", Other, { renames: { a: "missing" } })
          .build(),
      ),
    ).toThrow(InvalidPatchError);
    // Written the other way round (old → new), the refusal says which way the map goes.
    class Renamed {
      heading = "";
    }
    expect(() =>
      updateSync(
        ns,
        patch("z")
          .replaceImplementation("Note", Renamed, { renames: { title: "heading" } })
          .build(),
      ),
    ).toThrow(
      'Note has no field "heading" to rename to "title" (renames maps each new field to the old one it comes from: { "heading": "title" } renames "title" to "heading")',
    );
  });

  test("the operation is data: summarised, and carried through JSON as source", () => {
    class Note3 {
      x = 1;
    }
    const p = patch("json")
      .replaceImplementation("Note", Note3, { renames: { x: "title" } })
      .build();
    expect(p.summary()).toContain("Note: replace implementation with");
    expect(p.summary()).toContain("title → x");
    const back = Patch.fromJSON(JSON.parse(JSON.stringify(p)), { trust: "in-process" });
    expect(back.hydrated).toBe(false);
    const hydrated = back.hydrate();
    const op = hydrated.operations[0]!;
    expect(op.op === "replaceImplementation" && typeof op.implementation.fn).toBe("function");
  });
});
