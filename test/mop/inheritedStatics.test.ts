// A subclass handle inherits its superclass handle's static forwarders. They
// answered for the superclass whatever the receiver: `User.table = "users"`
// overwrote Model's table (and Admin's and every other subclass's view of
// it), and a static the subclass's class gained since
// (`this.constructor.count++`) could not be read through the handle
// (review advZ13). Statics through handles now behave as plain JavaScript's.
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Statics = Record<string, unknown>;
const KEYS = ["table", "count", "extra"] as const;
type Step =
  | {
      readonly kind: "set";
      readonly at: number;
      readonly key: (typeof KEYS)[number];
      readonly value: number;
    }
  | { readonly kind: "count"; readonly at: number }
  | { readonly kind: "update"; readonly at: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(2),
    key: fc.constantFrom(...KEYS),
    value: fc.integer({ min: -5, max: 5 }),
  }),
  fc.record({ kind: fc.constant("count" as const), at: fc.nat(2) }),
  fc.record({ kind: fc.constant("update" as const), at: fc.nat(2) }),
);

/** Model > User > Admin, plain; each constructor counts on its own class, as ORMs do. */
function plainHierarchy(): Function[] {
  class Model {
    static table = "models";
    static count = 0;
    constructor() {
      (this.constructor as unknown as Statics).count =
        ((this.constructor as unknown as Statics).count as number) + 1;
    }
  }
  class User extends Model {}
  class Admin extends User {}
  return [Model, User, Admin];
}

function registeredHierarchy(ns: Namespace): Function[] {
  const [Model, ,] = plainHierarchy();
  const M = ns.registerClass(Model as new () => object);
  const U = ns.registerClass(class User extends (M as new () => object) {});
  const A = ns.registerClass(class Admin extends (U as new () => object) {});
  return [M, U, A];
}

function view(classes: readonly Function[]): unknown[] {
  return classes.map((c) => KEYS.map((k) => (c as unknown as Statics)[k]));
}

test("property: statics set and counted through subclass handles read as plain JavaScript's, across updates (seed 23)", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const plain = plainHierarchy();
      const ns = new Namespace("orm");
      const managed = registeredHierarchy(ns);
      const names = ["Model", "User", "Admin"];
      let version = 0;
      for (const s of steps) {
        if (s.kind === "set") {
          (plain[s.at] as unknown as Statics)[s.key] = s.value;
          (managed[s.at] as unknown as Statics)[s.key] = s.value;
        } else if (s.kind === "count") {
          Reflect.construct(plain[s.at]!, []);
          Reflect.construct(managed[s.at]!, []);
        } else {
          // A methods-only update of one class: its statics are the program's, kept.
          const name = names[s.at]!;
          updateSync(
            ns,
            patch(`v${++version}`)
              .addMethods(name, {
                [`m${version}`]() {
                  return 1;
                },
              })
              .build(),
          );
        }
        expect(view(managed)).toEqual(view(plain));
      }
    }),
    { seed: 23, numRuns: 150 },
  );
});

test("defineClass handles: a subclass's static is its own; the superclass's stays", () => {
  const ns = new Namespace("shapes");
  const Model = ns.defineClass({
    name: "Model",
    staticFields: [{ name: "table", initializer: '"models"' }],
  }) as unknown as Statics;
  const User = ns.defineClass({ name: "User", superclass: "Model" }) as unknown as Statics;
  const Admin = ns.defineClass({ name: "Admin", superclass: "User" }) as unknown as Statics;
  expect([Model.table, User.table, Admin.table]).toEqual(["models", "models", "models"]);
  User.table = "users";
  expect([Model.table, User.table, Admin.table]).toEqual(["models", "users", "users"]);
  Admin.table = "admins";
  Model.table = "base";
  expect([Model.table, User.table, Admin.table]).toEqual(["base", "users", "admins"]);
});

test("a static getter inherited through handles runs with the subclass handle as this", () => {
  const ns = new Namespace("labels");
  const M = ns.registerClass(
    // biome-ignore lint/complexity/noStaticOnlyClass: statics are what the test registers
    class Model {
      static table = "models";
      static get label(): string {
        // biome-ignore lint/complexity/noThisInStatic: the receiver (a subclass handle) is the point
        return `[${this.table}]`;
      }
    },
  );
  const U = ns.registerClass(class User extends M {}) as unknown as Statics;
  U.table = "users";
  expect([M.label, U.label]).toEqual(["[models]", "[users]"]);
  expect(M.table).toBe("models");
});
