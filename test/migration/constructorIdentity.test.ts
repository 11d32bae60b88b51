/**
 * `obj.constructor` of a class registered without
 * `constructedOnlyThroughHandle`, across updates. Libraries key data by the
 * class: class-transformer keeps `@Exclude()` metadata in a Map keyed by the
 * decorated class and walks `Object.getPrototypeOf(ctor.prototype).constructor`
 * for inherited metadata; superjson recognises objects by the class it was
 * given. After any patch `obj.constructor` was the version metamorph derived
 * (a new function), so that metadata stopped applying without a word:
 * `instanceToPlain(user)` leaked `password`. It stays the class the program
 * holds, and a rollback leaves it exactly as it was. Objects that class
 * builds itself after a patch changing its fields have the old ones: the
 * update says so (MM_CLASS_BUILDS_OLD_LAYOUT).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Patch } from "../../src/index.js";

/** A stand-in for class-transformer's metadata storage: excluded fields by class. */
function exclusions(): {
  exclude(cls: Function, field: string): void;
  toPlain(obj: object): Record<string, unknown>;
} {
  const excluded = new Map<Function, string[]>();
  const of = (ctor: Function): string[] => {
    const out: string[] = [];
    for (let c: Function | undefined = ctor; c !== undefined && c !== Object; ) {
      out.push(...(excluded.get(c) ?? []));
      const above = Object.getPrototypeOf(c.prototype) as { constructor?: Function } | null;
      c = above?.constructor;
    }
    return out;
  };
  return {
    exclude: (cls, field) => excluded.set(cls, [...(excluded.get(cls) ?? []), field]),
    toPlain(obj) {
      const hidden = of(obj.constructor);
      return Object.fromEntries(Object.entries(obj).filter(([k]) => !hidden.includes(k)));
    },
  };
}

function classes() {
  class User {
    name = "ann";
    password = "hunter2";
    greet(): string {
      return `hi ${this.name}`;
    }
  }
  class Admin extends User {
    level = 1;
  }
  return { User, Admin };
}

const greetLoudly = patch("loud")
  .replaceMethod("User", {
    key: "greet",
    kind: "method",
    static: false,
    source: "greet() { return `HI ${this.name}`; }",
  })
  .build();

test.each(["eager", "lazy"] as const)(
  "a methods patch (%s) leaves obj.constructor the class the metadata is keyed by, for a subclass too; a rollback too",
  (policy) => {
    const { User, Admin } = classes();
    const meta = exclusions();
    meta.exclude(User, "password");
    const ns = new Namespace(`identity-${policy}`);
    ns.registerClass(User);
    ns.registerClass(Admin);
    const user = new User();
    const admin = new Admin();
    const result = updateSync(ns, greetLoudly, { policy });
    expect(user.greet()).toBe("HI ann");
    expect([user.constructor, admin.constructor]).toEqual([User, Admin]);
    expect(user.constructor).toBe(User);
    expect(admin.constructor).toBe(Admin);
    expect(meta.toPlain(user)).toEqual({ name: "ann" });
    expect(meta.toPlain(admin)).toEqual({ name: "ann", level: 1 });
    result.rollback();
    expect(user.constructor).toBe(User);
    expect(meta.toPlain(admin)).toEqual({ name: "ann", level: 1 });
  },
);

test("the class's statics stay one: counted through obj.constructor, read through the handle, after a methods patch", () => {
  class Counted {
    static count = 0;
    constructor() {
      (this.constructor as typeof Counted).count++;
    }
    static make(): Counted {
      Counted.count += 10;
      return new Counted();
    }
  }
  const ns = new Namespace("counted");
  const Handle = ns.registerClass(Counted) as unknown as typeof Counted;
  updateSync(
    ns,
    patch("m")
      .addMethods("Counted", {
        m() {
          return 1;
        },
      })
      .build(),
  );
  new Handle();
  Counted.make();
  expect([Handle.count, Counted.count]).toEqual([12, 12]);
  Handle.count = 0;
  expect(Counted.count).toBe(0);
});

test("a patch changing the fields says that the class itself, as its static factory builds, builds the old layout", () => {
  class Item {
    qty = 3;
    name = "x";
    static make(): Item {
      return new Item();
    }
    describe(): string {
      return `${this.qty} x ${this.name}`;
    }
  }
  const ns = new Namespace("factory");
  ns.registerClass(Item);
  const old = new Item();
  const result = updateSync(
    ns,
    patch("rename")
      .renameField("Item", "name", "label")
      .replaceMethod("Item", {
        key: "describe",
        kind: "method",
        static: false,
        source: "describe() { return `${this.qty} x ${this.label}`; }",
      })
      .build(),
  );
  expect(old.describe()).toBe("3 x x");
  expect(old.constructor).toBe(Item);
  const said = result.warnings.filter((w) => w.code === "MM_CLASS_BUILDS_OLD_LAYOUT");
  expect(said.map((w) => w.className)).toEqual(["Item"]);
  expect(said[0]!.message).toContain("`name`");
  expect(said[0]!.message).toContain("`label`");
  // What it warns of: the program's class runs its own constructor.
  expect(Item.make().describe()).toBe("3 x undefined");
});

test("a methods patch, or a class built only through its handle, says nothing of the sort", () => {
  const { User } = classes();
  const ns = new Namespace("quiet");
  ns.registerClass(User);
  const methods = updateSync(ns, greetLoudly);
  const ns2 = new Namespace("quiet-handle");
  ns2.registerClass(classes().User, { constructedOnlyThroughHandle: true });
  const fields = updateSync(ns2, patch("f").addField("User", "age", { default: 0 }).build());
  const codes = [...methods.warnings, ...fields.warnings].map((w) => w.code);
  expect(codes).not.toContain("MM_CLASS_BUILDS_OLD_LAYOUT");
});

type Shape = "methods" | "reorder" | "add" | "rename" | "remove";
const SHAPES: readonly Shape[] = ["methods", "reorder", "add", "rename", "remove"];

function patchOf(shape: Shape, n: number): Patch {
  const p = patch(`p${n}-${shape}`);
  switch (shape) {
    case "methods":
      return p
        .addMethod("User", {
          key: `m${n}`,
          kind: "method",
          static: false,
          source: `m${n}() { return ${n}; }`,
        })
        .build();
    case "reorder":
      return p.reorderFields("User", ["password", "name"]).build();
    case "add":
      return p.addField("User", "age", { default: n }).build();
    case "rename":
      return p.renameField("User", "name", "nick").build();
    case "remove":
      return p.removeField("User", "password").build();
  }
}

test("property: whatever the patch shape, policy and outcome, obj.constructor is the program's class, and a rollback leaves its descriptor exactly (seed 17)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SHAPES),
      fc.constantFrom("eager", "lazy" as const),
      fc.boolean(),
      fc.nat(50),
      (shape, policy, rollBack, n) => {
        const { User, Admin } = classes();
        // The registry, and objects made through the handles, for speed: the
        // heap query costs each run a search of the whole heap.
        const ns = new Namespace("identity-property", { instanceFinder: "registry" });
        const objects = [new (ns.registerClass(User))(), new (ns.registerClass(Admin))()];
        const descriptors = [User, Admin].map((c) =>
          Object.getOwnPropertyDescriptor(c.prototype, "constructor"),
        );
        const result = updateSync(ns, patchOf(shape, n), { policy });
        if (policy === "lazy") result.completeMigration();
        expect(objects.map((o) => o.constructor)).toEqual([User, Admin]);
        expect(objects[0]!.constructor).toBe(User);
        expect(objects[1]!.constructor).toBe(Admin);
        expect(Object.getPrototypeOf(Admin.prototype).constructor).toBe(User);
        if (!rollBack) return;
        result.rollback();
        expect(
          [User, Admin].map((c) => Object.getOwnPropertyDescriptor(c.prototype, "constructor")),
        ).toEqual(descriptors);
        expect(objects[0]!.constructor).toBe(User);
        expect(objects[1]!.constructor).toBe(Admin);
      },
    ),
    { seed: 17, numRuns: 30 },
  );
}, 120_000);
