/**
 * A patch read from JSON (a bundle) that adds a class and moves a running
 * class under it: the implementations are compiled from text, and `class
 * User extends Person` could not see Person, which only the patch adds —
 * refused, "Person is not defined", and such a release took two bundles
 * (review advZ13). The implementation of a class the patch adds is now
 * bound, by its name, for the implementations after it; it is the added
 * class itself (what User extends is Person's handle's class).
 */
import { expect, test } from "vitest";
import { Namespace, Patch, patch, updateSync } from "../../src/index.js";

type User = { id: number; name: string; mail: string; greet(): string; label(): string };

function service() {
  const ns = new Namespace("app");
  const Model = ns.registerClass(
    class Model {
      id = 0;
    },
  );
  const User = ns.registerClass(
    class User extends Model {
      name = "ann";
      mail = "a@x";
      greet() {
        return `hello ${this.name}`;
      }
    },
  );
  return { ns, Model, User, users: [new User(), new User()] as unknown as User[] };
}

/** The release as a bundle carries it: JSON, its implementations as text naming classes by name. */
function bundle(withAddClass: boolean) {
  const { Model } = service();
  const Person = class Person extends Model {
    name = "";
    label() {
      return `person ${this.name}`;
    }
  };
  // A placeholder superclass: only the text travels.
  const UserV2 = class User extends Person {
    mail = "";
    greet() {
      return `hi ${this.name} <${this.mail}>`;
    }
  };
  let p = patch("insert Person");
  if (withAddClass)
    p = p.addClass({ name: "Person", superclass: "Model" }).replaceImplementation("Person", Person);
  return JSON.parse(
    JSON.stringify(
      p.changeSuperclass("User", "Person").replaceImplementation("User", UserV2).build(),
    ),
  ) as unknown;
}

test("one bundle adds Person and moves User under it: committed, every object keeps its state", () => {
  const { ns, Model, User, users } = service();
  const hydrated = Patch.fromJSON(bundle(true), { trust: "in-process" }).hydrate({ Model, User });
  const result = updateSync(ns, hydrated);
  expect(result.state()).toBe("committed");
  const Person = ns.classNamed("Person");
  expect(users.map((u) => [u instanceof Person, u.greet(), u.label(), Object.keys(u)])).toEqual([
    [true, "hi ann <a@x>", "person ann", ["id", "name", "mail"]],
    [true, "hi ann <a@x>", "person ann", ["id", "name", "mail"]],
  ]);
  // Built since, through the handle: the added class's implementation is its class.
  expect(new (ns.classNamed<User>("User"))().label()).toBe("person ");
  result.rollback();
  expect(users.map((u) => [u.greet(), "label" in u])).toEqual([
    ["hello ann", false],
    ["hello ann", false],
  ]);
});

test("a class the patch does not add is not bound: the text naming it is refused, nothing run", () => {
  const { Model, User } = service();
  expect(() =>
    Patch.fromJSON(bundle(false), { trust: "in-process" }).hydrate({ Model, User }),
  ).toThrow(/reads `Person`, which is bound nowhere/);
});
