/**
 * `registerClass(cls, { name })`: a package may ship two classes of one
 * name (ajv's core `Ajv` and the draft-07 `Ajv` extending it); the second
 * was refused (MM_DUPLICATE_BINDING) with no way to register it.
 */
import { describe, expect, test } from "vitest";
import type { MetamorphError } from "../../src/index.js";
import { Namespace, patch, updateSync } from "../../src/index.js";

function release(tag: string) {
  const Core = new Function(
    "tag",
    `"use strict"; return class Ajv { constructor() { this.schemas = {}; } core() { return tag + ":core"; } };`,
  )(tag) as new () => { core(): string };
  const Draft7 = new Function(
    "Core",
    "tag",
    `"use strict"; return class Ajv extends Core { draft() { return tag + ":7"; } };`,
  )(Core, tag) as new () => { core(): string; draft(): string };
  return { Core, Draft7 };
}

test("a subclass named like its superclass is registered under the name given, and both move to the next release", () => {
  const [a, b] = [release("A"), release("B")];
  const ns = new Namespace("deps");
  ns.registerClass(a.Core);
  expect(() => ns.registerClass(a.Draft7)).toThrow(
    expect.objectContaining({ code: "MM_DUPLICATE_BINDING" }),
  );
  const Draft7 = ns.registerClass(a.Draft7, { name: "Ajv7" });
  expect(Draft7.name).toBe("Ajv7");
  expect(ns.classes().map((c) => c.name)).toEqual(["Ajv", "Ajv7"]);
  const old = new a.Draft7();
  const result = updateSync(
    ns,
    patch("upgrade")
      .replaceImplementation("Ajv", b.Core)
      .replaceImplementation("Ajv7", b.Draft7)
      .build(),
  );
  expect([old.core(), old.draft()]).toEqual(["B:core", "B:7"]);
  expect(old).toBeInstanceOf(b.Draft7);
  result.rollback();
  expect([old.core(), old.draft()]).toEqual(["A:core", "A:7"]);
});

test("a name that is no class name is refused before anything is registered", () => {
  const ns = new Namespace("deps-bad-name");
  expect(() => ns.registerClass(release("A").Core, { name: "not a name" })).toThrow(
    expect.objectContaining({ code: "MM_INVALID_OPTION" }),
  );
  expect(ns.classes()).toEqual([]);
});

describe("registerClass given something that is not a named class", () => {
  test("a bound class is refused as such, not as a class an update changed", () => {
    class Emitter {}
    class I18n extends Emitter {}
    const ns = new Namespace("register-bound");
    ns.registerClass(Emitter);
    const revoked = Proxy.revocable(class X {}, {});
    revoked.revoke();
    for (const value of [I18n.bind(null), () => 1, null, async function af() {}, revoked.proxy]) {
      let error: unknown;
      try {
        ns.registerClass(value as unknown as new () => object, { name: "I18n" });
      } catch (e) {
        error = e;
      }
      expect((error as MetamorphError).code).toBe("MM_INVALID_DEFINITION");
      expect((error as Error).message).toMatch(/not a class; register the class itself/);
    }
    expect(ns.has("I18n")).toBe(false);
  });

  test("an anonymous class (a mixin's) is refused with the option that names it", () => {
    class Inner {}
    const mixin = (Base: new () => object) => class extends Base {};
    const Pack = mixin(Inner);
    const ns = new Namespace("register-anonymous");
    ns.registerClass(Inner);
    expect(() => ns.registerClass(Pack)).toThrow(/registerClass\(cls, \{ name: "Pack" \}\)/);
    expect(ns.has("Pack")).toBe(false);
    expect(ns.registerClass(Pack, { name: "Pack" }).name).toBe("Pack");
  });
});
