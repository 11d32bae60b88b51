/**
 * Objects of a class that extends a platform class (Node's EventEmitter)
 * carry that class's symbols (`kCapture`, `kShapeMode`), put on by its
 * constructor before the subclass's fields; `Reflect.ownKeys` lists them
 * after every string key. A rewrite that took them for the last properties
 * deleted them out of V8's order and left every instance in dictionary mode,
 * after the update and after its rollback (review advW2).
 */
import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

/** A class of its own per test: a class is managed by one namespace. */
const emitterClass = () =>
  class Emitter extends EventEmitter {
    tag = "t";
    n = 0;
    label(): string {
      return `${this.tag}${this.n}`;
    }
  };

const PATCHES = {
  addField: () => patch("add").addField("Emitter", "extra", { default: 0 }),
  renameField: () => patch("rename").renameField("Emitter", "n", "count"),
  removeField: () => patch("remove").removeField("Emitter", "tag"),
} as const;

describe.each(["eager", "lazy", "progressive"] as const)(
  "an EventEmitter subclass (%s)",
  (policy) => {
    test.each(Object.keys(PATCHES) as (keyof typeof PATCHES)[])(
      "%s: every instance stays fast, shares a fresh object's hidden class, and is fast again after the rollback",
      async (shape) => {
        const ns = new Namespace(`emitter-${policy}-${shape}`);
        const Handle = ns.registerClass(emitterClass());
        const objects = [new Handle(), new Handle(), new Handle()];
        objects[1]!.on("ping", () => {});
        const before = objects.map((o) => Reflect.ownKeys(o));
        const result = updateSync(ns, PATCHES[shape]().policy(policy).build());
        for (const o of objects) o.label();
        result.completeMigration();
        const fresh = new Handle();
        expect(objects.map(hasFastProperties)).toEqual([true, true, true]);
        expect(objects.map((o) => haveSameMap(o, fresh))).toEqual([true, true, true]);
        expect(objects[1]!.listenerCount("ping")).toBe(1);
        result.rollback();
        expect(objects.map(hasFastProperties)).toEqual([true, true, true]);
        expect(objects.map((o) => Reflect.ownKeys(o))).toEqual(before);
      },
    );
  },
);
