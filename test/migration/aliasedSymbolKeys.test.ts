/**
 * State under symbols of the module reached through a name holding the
 * object (`const self = this; self[kList]`): `this[kList]` was refused
 * (MM_PRIVATE_STATE) and the alias committed silently, after which every
 * method on the old objects threw (review advZ29).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { keyedThroughAlias } from "../../src/mop/source/aliasedKeys.js";

type Bag = { add(x: number): Bag; readonly size: number };

/** One evaluation of the module: `key` is what it keeps each object's list under. */
const release = (key: string) =>
  new Function(`"use strict"; const kList = ${key};
    return class Bag {
      constructor() { const self = this; self[kList] = []; }
      add(x) { const self = this; self[kList].push(x); return self; }
      get size() { var _this = this; return _this[kList].length; } };`)() as new () => Bag;

describe("members under computed keys through an alias of this", () => {
  test("a symbol of the module: refused from another module scope, and nothing changes", () => {
    const ns = new Namespace("aliased-symbol");
    const Bag = ns.registerClass(release(`Symbol("list")`), { name: "Bag" });
    const bag = new Bag().add(1).add(2);
    let error: unknown;
    try {
      updateSync(ns, patch("next").replaceImplementation("Bag", release(`Symbol("list")`)).build());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "MM_PRIVATE_STATE" });
    expect(String((error as Error).message)).toContain("Symbol(list)");
    expect(bag.add(3).size).toBe(3);
  });

  test("a string key both releases share: the update applies", () => {
    const ns = new Namespace("aliased-string");
    const Bag = ns.registerClass(release(`"list"`), { name: "Bag" });
    const bag = new Bag().add(1);
    const result = updateSync(
      ns,
      patch("next").replaceImplementation("Bag", release(`"list"`)).build(),
    );
    expect(result.outcome).toBe("committed");
    expect(bag.add(2).size).toBe(2);
  });

  test.each([
    ["const self = this; self[k]", true],
    ["var _this = this; return _this[kState]", true],
    ["that = this; Object.defineProperty(that, kTag, {})", true],
    ["const self = this; self.items[i]", false],
    ["if (a === this) b[k]", false],
    ["this.owner = this; owner[k]", false],
  ])("%s: %s", (source, keyed) => {
    expect(keyedThroughAlias(source)).toBe(keyed);
  });
});
