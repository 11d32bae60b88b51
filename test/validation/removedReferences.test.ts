import { describe, expect, test } from "vitest";
import {
  type RemovedClass,
  type RemovedClassReferenceFailure,
  validateRemovedClassReferences,
} from "../../src/validation/index.js";

class User {
  name = "ann";
}
// An older version of User whose instances have not all been rewritten.
class UserV0 {
  name = "old";
}
class Admin extends User {}
class Session {
  owner: unknown = null;
  guests: unknown[] = [];
}

const removed = new Map<string, RemovedClass>([
  ["User", { prototypes: [User.prototype, UserV0.prototype], handle: User }],
]);

const check = (bindings: Map<string, unknown>, instances: object[] = []) =>
  validateRemovedClassReferences({ removed, bindings, instances });

describe("validateRemovedClassReferences", () => {
  test("nothing referenced: no failures", () => {
    const s = new Session();
    s.owner = { name: "plain" };
    expect(check(new Map([["Session", Session]]), [s])).toEqual([]);
  });

  test("a binding still holding the removed class is named", () => {
    const failures = check(
      new Map<string, unknown>([
        ["User", User],
        ["Session", Session],
      ]),
    );
    expect(failures).toEqual([
      expect.objectContaining({
        rule: "removed-class-reference",
        className: "User",
        removedClass: "User",
        binding: "User",
      }),
    ]);
    expect(failures[0]!.message).toContain('binding "User"');
  });

  test("a binding holding an instance (of any version) or a subclass is named", () => {
    const failures = check(
      new Map<string, unknown>([
        ["current", new User()],
        ["old", new UserV0()],
        ["admin", new Admin()],
        ["AdminClass", Admin],
        ["proto", User.prototype],
      ]),
    );
    expect(failures.map((f) => f.binding)).toEqual([
      "current",
      "old",
      "admin",
      "AdminClass",
      "proto",
    ]);
    expect(failures.find((f) => f.binding === "AdminClass")!.message).toMatch(/subclass of User/);
    expect(failures.find((f) => f.binding === "old")!.message).toMatch(/instance of User/);
  });

  test("a field of a surviving instance is named, with the holder's class and the object", () => {
    const s = new Session();
    s.owner = new User();
    const failures = check(new Map(), [s]);
    expect(failures).toEqual([
      expect.objectContaining({
        rule: "removed-class-reference",
        className: "Session",
        field: "owner",
        removedClass: "User",
        object: s,
      }),
    ]);
    expect(failures[0]!.message).toContain('field "owner" of a Session');
  });

  test("array elements one level deep are found, each with its index", () => {
    const s = new Session();
    s.guests = [{ name: "x" }, new UserV0(), 3, new User()];
    const failures = check(new Map(), [s]);
    expect(failures.map((f) => f.field)).toEqual(["guests[1]", "guests[3]"]);
    expect(failures.every((f) => f.object === s)).toBe(true);
  });

  test("a field holding the class itself is a reference too", () => {
    const s = Object.assign(new Session(), { factory: User });
    expect(check(new Map(), [s])).toEqual([expect.objectContaining({ field: "factory" })]);
  });

  test("nested plain objects and arrays are searched; symbol keys, non-enumerable and accessor properties are not", () => {
    const s = new Session();
    s.owner = { inner: new User() };
    s.guests = [[new User()]];
    expect(check(new Map(), [s]).map((f) => f.field)).toEqual(["owner.inner", "guests[0][0]"]);
    s.owner = null;
    s.guests = [];
    Object.defineProperty(s, "hidden", { value: new User(), enumerable: false });
    (s as unknown as Record<symbol, unknown>)[Symbol("meta")] = new User();
    Object.defineProperty(s, "lazy", { get: () => new User(), enumerable: true });
    expect(check(new Map(), [s])).toEqual([]);
  });

  test("a surviving instance whose own chain still contains a removed prototype", () => {
    const stale = new Admin();
    const failures = check(new Map(), [stale]);
    expect(failures).toEqual([
      expect.objectContaining({ className: "Admin", removedClass: "User", object: stale }),
    ]);
    expect(failures[0]!.message).toMatch(/inherits from removed class User/);
  });

  test("several references are all reported", () => {
    const a = new Session();
    a.owner = new User();
    const b = new Session();
    b.guests = [new User()];
    const failures: RemovedClassReferenceFailure[] = check(new Map([["u", new User()]]), [a, b]);
    expect(failures).toHaveLength(3);
  });

  test("an instance that cannot be inspected is reported, never thrown", () => {
    const hostile = new Proxy(new Session(), {
      ownKeys() {
        throw new Error("trap");
      },
    });
    const failures = check(new Map(), [hostile]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain("trap");
    expect(failures[0]!.removedClass).toBeUndefined();
  });

  test("no removed classes: nothing is inspected", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect(
      validateRemovedClassReferences({
        removed: new Map(),
        bindings: new Map(),
        instances: [hostile],
      }),
    ).toEqual([]);
  });
});
