/**
 * MM_STALE_FUNCTION_FIELD for a function a constructor gets from a method
 * it calls (keyv 5: `this.iterator = this.generateIterator(…)`): each
 * object keeps the function the running version's method made, whichever
 * instance finder the namespace uses (the heap finder gives an update that
 * migrates nothing no object to look at: the running method's source says
 * it returns a function).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

test.each(["heap", "registry"] as const)(
  "a function field made by a method the constructor calls, whose body the release changes, is named (%s finder; package trials Z7: keyv)",
  (instanceFinder) => {
    const release = (tag: string) =>
      new Function(`"use strict";
        return class Store {
          constructor() { this.data = new Map(); this.iterator = this.generateIterator(); }
          generateIterator() { return (k) => "${tag}:" + k; }
        };`)() as new () => { iterator(k: string): string };
    const ns = new Namespace(`function-field-${instanceFinder}`, { instanceFinder });
    const Store = ns.registerClass(release("v1")) as unknown as new () => {
      iterator(k: string): string;
    };
    const live = new Store();
    const result = updateSync(ns, patch("5").replaceImplementation("Store", release("v2")).build());
    const said = result.warnings.filter((w) => w.field === "iterator");
    expect(said.map((w) => w.code)).toEqual(["MM_STALE_FUNCTION_FIELD"]);
    expect(said[0]!.note).toBe(
      "field `iterator` holds a function the running version's constructor made (`this.generateIterator()`)",
    );
    // What it warns of.
    expect(live.iterator("k")).toBe("v1:k");
    // A method that returns no function, or does not change, is not named.
    expect(result.warnings.filter((w) => w.field === "data")).toEqual([]);
  },
);

test("a function field with a fallback written in place (tinybench's `opts.setup ?? (() => {})`) whose body the release changes is named (package trials Z7)", () => {
  const release = (tag: string) =>
    new Function(`"use strict";
      return class Task {
        constructor(opts = {}) { this.name = "t"; this.setup = opts.setup ?? ((k) => "${tag}:" + k); }
      };`)() as new () => { setup(k: string): string };
  const ns = new Namespace("function-field-fallback");
  const Task = ns.registerClass(release("v1")) as unknown as new () => {
    setup(k: string): string;
  };
  const live = new Task();
  const result = updateSync(ns, patch("2.9").replaceImplementation("Task", release("v2")).build());
  expect(result.warnings.map((w) => [w.code, w.field])).toEqual([
    ["MM_STALE_FUNCTION_FIELD", "setup"],
  ]);
  expect(live.setup("k")).toBe("v1:k");
});
