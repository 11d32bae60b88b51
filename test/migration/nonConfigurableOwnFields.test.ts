/**
 * three's classes give every object a read-only, non-configurable `id`
 * (`Object.defineProperty(this, "id", { value: _id++ })`). A rollback
 * after the program made an object with the new release threw half done
 * (`delete id was refused`): the object stripped, the old object back on
 * the old layout under the new methods, the update neither committed nor
 * rolled back; a failing lazy first touch then left every later call
 * overflowing the stack. The object made since keeps `id` where it is.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

function release(tag: string, indirect: boolean) {
  return new Function(`"use strict";
    let nextId = 0;
    return class Geometry {
      constructor() {
        this.isGeometry = true;
        Object.defineProperty(this, "id", { value: nextId++ });
        this.name = "";
        this.index = null;
        ${indirect ? "this.indirect = null;" : ""}
        this.attributes = {};
      }
      clone() { return new this.constructor().copy(this); }
      copy(src) { this.name = src.name; this.index = src.index; return this; }
      tag() { return "${tag}"; }
    };`)() as new () => { name: string; id: number; clone(): object; tag(): string };
}

test.each([
  ["eager", "handle"],
  ["eager", "release"],
  ["lazy", "handle"],
  ["progressive", "release"],
] as const)(
  "%s: an object made since the commit (%s) is rolled back, its id kept in place",
  async (policy, how) => {
    const ns = new Namespace(`non-configurable-${policy}-${how}`, {
      instanceFinder: how === "handle" ? "registry" : "adaptive",
    });
    const G = ns.registerClass(release("v1", false), { name: "Geometry" });
    const a = new G();
    a.name = "a";
    const before = deepSnapshot({ objects: [a] });
    const v2 = release("v2", true);
    const result = updateSync(ns, patch("v2").replaceImplementation("Geometry", v2).build(), {
      policy,
    });
    result.completeMigration();
    await result.completion;
    const made = how === "handle" ? new G() : a.clone();
    (made as { name: string }).name = "made";
    result.rollback();
    expect(result.state()).toBe("rolled-back");
    expect(snapshotDifference(before, deepSnapshot({ objects: [a] }))).toBeUndefined();
    expect(a.tag()).toBe("v1");
    expect(Object.keys(made)).toEqual(["isGeometry", "name", "index", "attributes"]);
    expect(Object.getOwnPropertyDescriptor(made, "id")).toMatchObject({
      writable: false,
      configurable: false,
    });
    expect((made as { name: string }).name).toBe("made");
  },
);

test("a lazy first touch failing under new code on a class with a read-only id rolls back, and later calls work", () => {
  const ns = new Namespace("non-configurable-lazy-fail", { instanceFinder: "registry" });
  const G = ns.registerClass(release("v1", false), { name: "Geometry" });
  const objects = [new G(), new G(), new G()];
  objects.forEach((g, i) => {
    g.name = `g${i}`;
  });
  const before = deepSnapshot({ objects });
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Geometry", release("v2", true))
      .migrate("Geometry", (old) => {
        if (old.name === "g1") throw new Error("cannot migrate g1");
      })
      .build(),
    { policy: "lazy" },
  );
  const fresh = new G();
  let thrown: unknown;
  try {
    (fresh as unknown as { copy(g: object): void }).copy(objects[1]!);
    objects[1]!.clone();
  } catch (error) {
    thrown = error;
  }
  expect(result.state()).toBe("rolled-back");
  expect(thrown === undefined || (thrown as { code?: string }).code === "MM_MIGRATION_FAILED").toBe(
    true,
  );
  expect(snapshotDifference(before, deepSnapshot({ objects }))).toBeUndefined();
  expect(objects.map((g) => g.tag())).toEqual(["v1", "v1", "v1"]);
});
