import { describe, expect, test } from "vitest";
import {
  CommitError,
  InvalidPatchError,
  MigrationError,
  UnswappableObjectError,
  ValidationError,
} from "../../src/index.js";
import { patch } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

type Rec = Record<string, unknown>;

/** Values, keys and prototypes of objects, to prove that nothing changed. */
function snapshot(objects: readonly object[]) {
  return objects.map((o) => ({
    proto: Object.getPrototypeOf(o),
    entries: Object.entries(o),
  }));
}

function people(n = 5) {
  const ns = new Namespace("people");
  const Person = ns.defineClass<{ first: string; last: string; age: number; greet(): string }>({
    name: "Person",
    fields: [
      { name: "first", initializer: '""' },
      { name: "last", initializer: '""' },
      { name: "age", initializer: "0" },
    ],
    methods: {
      greet(this: Rec) {
        return `hi ${this.first}`;
      },
    },
  });
  const list = Array.from(
    { length: n },
    (_, i) => new Person({ first: `f${i}`, last: `l${i}`, age: i }),
  );
  return { ns, Person, list };
}

describe("field changes (acceptance 1, 2, 10)", () => {
  test("adding a field keeps every old value; the new field holds its default or the initialiser's value", () => {
    const { ns, Person, list } = people();
    const result = updateSync(
      ns,
      patch("add")
        .addField("Person", "nick", { default: "none" })
        .addField("Person", "initials", {
          initial: (old) => `${String(old.first)[0]}${String(old.last)[0]}`,
        })
        .build(),
    );
    expect(result.instancesMigrated).toBe(5);
    list.forEach((p, i) => {
      expect(p).toMatchObject({
        first: `f${i}`,
        last: `l${i}`,
        age: i,
        nick: "none",
        initials: "fl",
      });
      expect(Object.keys(p)).toEqual(["first", "last", "age", "nick", "initials"]);
    });
    const fresh = new Person() as unknown as Rec;
    expect(fresh.nick).toBe("none");
    expect(Object.keys(fresh)).toEqual(["first", "last", "age", "nick", "initials"]);
  });

  test("removing, renaming and reordering fields keep every remaining value", () => {
    const { ns, list } = people();
    updateSync(
      ns,
      patch("shape")
        .removeField("Person", "age")
        .renameField("Person", "first", "given")
        .reorderFields("Person", ["last", "given"])
        .build(),
    );
    list.forEach((p, i) => {
      expect(Object.keys(p)).toEqual(["last", "given"]);
      expect(p).toEqual(expect.objectContaining({ last: `l${i}`, given: `f${i}` }));
    });
  });

  test("a patch with no effective change migrates nothing and touches no object", () => {
    const { ns, list } = people();
    const before = snapshot(list);
    const result = updateSync(
      ns,
      patch("noop").reorderFields("Person", ["first", "last", "age"]).build(),
    );
    expect(result.instancesMigrated).toBe(0);
    expect(result.changes.filter((c) => c.migratesInstances)).toEqual([]);
    expect(snapshot(list)).toEqual(before);
  });
});

describe("hierarchies (acceptance 3, 4, 5)", () => {
  test("changing the superclass to a class with fields: instances gain its fields and keep their own", () => {
    const ns = new Namespace("h");
    ns.defineClass({ name: "Named", fields: [{ name: "label", initializer: '"?"' }] });
    const Point = ns.defineClass<Rec>({ name: "Point", fields: ["x", "y"] });
    const p = new Point({ x: 1, y: 2 });
    updateSync(ns, patch("super").changeSuperclass("Point", "Named").build());
    expect(Object.keys(p)).toEqual(["label", "x", "y"]);
    expect(p).toEqual(expect.objectContaining({ label: "?", x: 1, y: 2 }));
    expect(p).toBeInstanceOf(ns.classNamed("Named"));
  });

  test("a field added to the root of a 4-level hierarchy reaches instances of every level", () => {
    const ns = new Namespace("deep");
    ns.defineClass({ name: "A", fields: ["a"] });
    ns.defineClass({ name: "B", superclass: "A", fields: ["b"] });
    ns.defineClass({ name: "C", superclass: "B", fields: ["c"] });
    ns.defineClass({ name: "D", superclass: "C", fields: ["d"] });
    const objs = ["A", "B", "C", "D"].map((n, i) => {
      const cls = ns.classNamed(n) as unknown as new (init: Rec) => Rec;
      return new cls({ a: i, b: i, c: i, d: i });
    });
    const result = updateSync(ns, patch("root").addField("A", "id", { default: 42 }).build());
    expect(result.instancesMigrated).toBe(4);
    expect(objs.map((o) => o.id)).toEqual([42, 42, 42, 42]);
    expect(objs.map((o) => Object.keys(o))).toEqual([
      ["a", "id"],
      ["a", "id", "b"],
      ["a", "id", "b", "c"],
      ["a", "id", "b", "c", "d"],
    ]);
    expect(objs[3]!.a).toBe(3);
    expect(objs[3]).toBeInstanceOf(ns.classNamed("A"));
  });

  test("pull-up and push-down keep every value", () => {
    const ns = new Namespace("pull");
    const Shape = ns.defineClass<Rec>({ name: "Shape", fields: ["id"] });
    const Circle = ns.defineClass<Rec>({
      name: "Circle",
      superclass: "Shape",
      fields: ["color", "r"],
    });
    const Square = ns.defineClass<Rec>({
      name: "Square",
      superclass: "Shape",
      fields: ["color", "side"],
    });
    const c = new Circle({ id: 1, color: "red", r: 2 });
    const s = new Square({ id: 2, color: "blue", side: 3 });
    const plain = new Shape({ id: 3 });
    updateSync(ns, patch("up").pullUpField("Circle", "color").build());
    expect(Object.keys(c)).toEqual(["id", "color", "r"]);
    expect(c).toEqual(expect.objectContaining({ id: 1, color: "red", r: 2 }));
    expect(s).toEqual(expect.objectContaining({ id: 2, color: "blue", side: 3 }));
    expect(Object.keys(plain)).toEqual(["id", "color"]);
    updateSync(ns, patch("down").pushDownField("Shape", "color").build());
    expect(c).toEqual(expect.objectContaining({ id: 1, color: "red", r: 2 }));
    expect(s).toEqual(expect.objectContaining({ id: 2, color: "blue", side: 3 }));
    expect(Object.keys(plain)).toEqual(["id"]);
    expect(Object.keys(s)).toEqual(["id", "side", "color"]);
  });

  test("split class gives each instance its own new child object holding the moved values", () => {
    const ns = new Namespace("split");
    const Customer = ns.defineClass<Rec>({ name: "Customer", fields: ["name", "street", "city"] });
    const a = new Customer({ name: "a", street: "s1", city: "c1" });
    const b = new Customer({ name: "b", street: "s2", city: "c2" });
    updateSync(
      ns,
      patch("split")
        .splitClass("Customer", ["street", "city"], { into: "Address", via: "address" })
        .build(),
    );
    const Address = ns.classNamed("Address");
    expect(Object.keys(a)).toEqual(["name", "address"]);
    expect(a.address).toBeInstanceOf(Address);
    expect(a.address).toEqual(expect.objectContaining({ street: "s1", city: "c1" }));
    expect(b.address).toEqual(expect.objectContaining({ street: "s2", city: "c2" }));
    expect(a.address).not.toBe(b.address);
    expect(ns.allInstances(Address)).toHaveLength(2);
  });
});

describe("migrators, refusals and failures (acceptance 6, 7, 8)", () => {
  test("an application migrator derives a field", () => {
    const { ns, list } = people(3);
    updateSync(
      ns,
      patch("full")
        .addField("Person", "fullName")
        .migrate("Person", (old, target) => {
          target.fullName = `${old.first} ${old.last}`;
        })
        .removeField("Person", "first")
        .removeField("Person", "last")
        .build(),
    );
    expect(list.map((p) => (p as unknown as Rec).fullName)).toEqual(["f0 l0", "f1 l1", "f2 l2"]);
    expect(Object.keys(list[0]!)).toEqual(["age", "fullName"]);
  });

  test.each([
    [
      "a subclass re-declares an inherited field",
      (ns: Namespace) => {
        ns.defineClass({ name: "Sub", superclass: "Person", fields: ["x"] });
        return patch("dup-down").addField("Sub", "age").build();
      },
      "duplicate-field",
    ],
    [
      "a superclass gains a field a subclass already has",
      (ns: Namespace) => {
        ns.defineClass({ name: "Sub", superclass: "Person", fields: ["x"] });
        return patch("dup-up").addField("Person", "x").build();
      },
      "duplicate-field",
    ],
    [
      "a cyclic superclass chain",
      (ns: Namespace) => {
        ns.defineClass({ name: "Sub", superclass: "Person", fields: ["x"] });
        return patch("cycle").changeSuperclass("Person", "Sub").build();
      },
      "cyclic-superclass",
    ],
  ])("refused with a typed error, nothing changed: %s", (_what, make, rule) => {
    const { ns, Person, list } = people(3);
    const p = make(ns);
    const before = snapshot(list);
    const version = ns.version;
    let error: unknown;
    try {
      updateSync(ns, p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("MM_VALIDATION_FAILED");
    expect((error as ValidationError).report.failures.map((f) => f.rule)).toContain(rule);
    expect(snapshot(list)).toEqual(before);
    expect(ns.version).toBe(version);
    expect(Object.keys(new Person())).toEqual(["first", "last", "age"]);
  });

  test("a field that would hide a method of the same name is refused, naming both", () => {
    const { ns, list } = people(2);
    const before = snapshot(list);
    let error: unknown;
    try {
      updateSync(
        ns,
        patch("shadow")
          .addField("Person", "comment", { default: "" })
          .addMethods("Person", {
            comment(this: Rec) {
              return this.comment;
            },
          })
          .build(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).report.failures).toEqual([
      expect.objectContaining({
        rule: "field-shadows-method",
        className: "Person",
        field: "comment",
      }),
    ]);
    expect(snapshot(list)).toEqual(before);
  });

  test("an invalid class name is refused before anything changes", () => {
    const { ns, list } = people(2);
    const before = snapshot(list);
    expect(() => updateSync(ns, patch("bad").renameClass("Person", "Per son").build())).toThrow();
    expect(snapshot(list)).toEqual(before);
    expect(ns.has("Person")).toBe(true);
  });

  test("a migrator that throws on the k-th of N instances: everything as before, the error names the object", () => {
    const { ns, Person, list } = people(10);
    const before = snapshot(list);
    let error: unknown;
    try {
      updateSync(
        ns,
        patch("throws")
          .addField("Person", "score")
          .migrate("Person", (old, target) => {
            if (old.age === 6) throw new Error("boom");
            target.score = 1;
          })
          .build(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).details.object).toBe(list[6]);
    expect((error as MigrationError).message).toContain("boom");
    expect(snapshot(list)).toEqual(before);
    expect(Object.keys(new Person())).toEqual(["first", "last", "age"]);
  });

  test("a failing instance validation: everything as before, the report names every failing object", () => {
    const { ns, list } = people(6);
    const before = snapshot(list);
    let error: unknown;
    try {
      updateSync(
        ns,
        patch("validate")
          .addField("Person", "adult", { initial: (old) => Number(old.age) >= 3 })
          .validateInstances(
            "all adults",
            "Person",
            (p) => p.adult === true || `${p.first} is a minor`,
          )
          .build(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const failures = (error as ValidationError).report.failures;
    expect(failures.map((f) => f.object)).toEqual(list.slice(0, 3));
    expect(failures.map((f) => f.message)).toEqual(
      ["f0 is a minor", "f1 is a minor", "f2 is a minor"].map(
        (m, i) => `Person instance #${i}: ${m}`,
      ),
    );
    expect(failures.every((f) => f.rule === "all adults")).toBe(true);
    expect(snapshot(list)).toEqual(before);
  });

  test("an exception in the middle of the commit restores every object, class and binding", () => {
    const { ns, Person, list } = people(8);
    const before = snapshot(list);
    const version = ns.version;
    expect(() =>
      updateSync(
        ns,
        patch("mid-commit")
          .addField("Person", "z", { default: 1 })
          .renameField("Person", "age", "years")
          .build(),
        {
          onCommitStep: (step) => {
            if (step === 5) throw new Error("injected");
          },
        },
      ),
    ).toThrow(CommitError);
    expect(snapshot(list)).toEqual(before);
    expect(ns.version).toBe(version);
    expect(Object.keys(new Person())).toEqual(["first", "last", "age"]);
    expect(list.every((p) => hasFastProperties(p))).toBe(true);
    expect(list[0]!.greet()).toBe("hi f0");
  });

  test("a frozen instance is refused before anything changes, naming the object", () => {
    const { ns, list } = people(4);
    Object.freeze(list[2]);
    const before = snapshot(list);
    let error: unknown;
    try {
      updateSync(ns, patch("frozen").addField("Person", "z", { default: 1 }).build());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnswappableObjectError);
    expect((error as UnswappableObjectError).code).toBe("MM_UNSWAPPABLE_OBJECT");
    expect((error as UnswappableObjectError).details.object).toBe(list[2]);
    expect((error as Error).message).toContain("instance handle");
    expect(snapshot(list)).toEqual(before);
  });

  test("a reference to an unknown class or field is an InvalidPatchError naming it", () => {
    const { ns } = people(1);
    expect(() => updateSync(ns, patch("x").removeField("Person", "nope").build())).toThrow(
      InvalidPatchError,
    );
    expect(() => updateSync(ns, patch("x").removeField("Nobody", "x").build())).toThrow(
      /no class "Nobody"/,
    );
  });
});

describe("identity, visibility, speed (acceptance 9, 11, 15)", () => {
  test("objects in Maps, Sets, WeakMaps and closures are the same objects, with the new shape and behaviour", () => {
    const { ns, list } = people(3);
    const map = new Map([[list[0]!, "m"]]);
    const set = new Set([list[1]!]);
    const weak = new WeakMap([[list[2]!, "w"]]);
    const captured = list[0]!;
    const closure = () => captured;
    updateSync(
      ns,
      patch("behave")
        .addField("Person", "title", { default: "dr" })
        .replaceMethods("Person", {
          greet(this: Rec) {
            return `hello ${this.title} ${this.first}`;
          },
        })
        .build(),
    );
    expect(map.get(list[0]!)).toBe("m");
    expect(set.has(list[1]!)).toBe(true);
    expect(weak.get(list[2]!)).toBe("w");
    expect(closure()).toBe(list[0]);
    expect(closure().greet()).toBe("hello dr f0");
    expect((list[1] as unknown as Rec).title).toBe("dr");
  });

  test("a new class is invisible before commit and visible after; a removed class is gone", () => {
    const { ns } = people(1);
    ns.defineClass({ name: "Legacy", fields: ["x"] });
    let seenDuringValidation = false;
    updateSync(
      ns,
      patch("classes")
        .addClass({ name: "Audit", fields: [{ name: "entries", initializer: "[]" }] })
        .removeClass("Legacy")
        .validate("audit visible in the shadow only", (world) => {
          seenDuringValidation = typeof world.lookup("Audit") === "function" && !ns.has("Audit");
          return true;
        })
        .build(),
    );
    expect(seenDuringValidation).toBe(true);
    expect(ns.has("Audit")).toBe(true);
    expect(ns.has("Legacy")).toBe(false);
    const Audit = ns.classNamed<{ entries: unknown[] }>("Audit") as unknown as new () => {
      entries: unknown[];
    };
    expect(new Audit().entries).toEqual([]);
  });

  test("removing a class still referenced by a surviving instance's field is refused", () => {
    const ns = new Namespace("refs");
    const Tag = ns.defineClass<Rec>({ name: "Tag", fields: ["label"] });
    const Post = ns.defineClass<Rec>({ name: "Post", fields: ["tag"] });
    const post = new Post({ tag: new Tag({ label: "x" }) });
    expect(() => updateSync(ns, patch("rm").removeClass("Tag").build())).toThrow(ValidationError);
    expect(ns.has("Tag")).toBe(true);
    expect(post.tag).toBeInstanceOf(Tag);
  });

  test("migrated objects are in fast mode and share one hidden class per class", () => {
    const { ns, Person, list } = people(20);
    updateSync(
      ns,
      patch("fast")
        .renameField("Person", "last", "family")
        .addField("Person", "n", { default: 0 })
        .build(),
    );
    expect(list.every((p) => hasFastProperties(p))).toBe(true);
    expect(list.every((p) => haveSameMap(p, list[0]!))).toBe(true);
    const fresh = [new Person(), new Person(), new Person()];
    expect(fresh.every((p) => hasFastProperties(p))).toBe(true);
    // The class handle allocates every object, so fresh and migrated objects
    // with the same fields share ONE hidden class: a call site stays monomorphic.
    const maps: object[] = [];
    for (const o of [...list, ...fresh]) if (!maps.some((m) => haveSameMap(m, o))) maps.push(o);
    expect(maps.length).toBe(1);
  });
});
