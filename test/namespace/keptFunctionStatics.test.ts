/**
 * keepStatics over statics that hold functions, and the class handed in.
 *
 * superjson 2.2.1 -> 2.2.6: the static API (`SuperJSON.parse`, `stringify`,
 * `registerClass`) is functions bound to the static `defaultInstance`.
 * With keepStatics naming all nine statics the update was accepted, but the
 * functions were not kept (no error, no warning): the static API ran on the
 * new release's empty instance, and the program's registrations were gone.
 * And keepStatics wrote the running values onto the class handed in, which
 * a rollback left so (2.2.6's own `defaultInstance` was 2.2.1's after it).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Json = {
  new (): object;
  defaultInstance: object;
  registerClass(cls: Function, id: string): void;
  stringify(value: unknown): string;
  parse(text: string): unknown;
};

const STATICS = ["defaultInstance", "registerClass", "stringify", "parse"] as const;

/** One release of a serialiser in superjson's pattern: its static API is bound to a static default instance. */
function superjson(): Json {
  return new Function(
    `"use strict";
    class Registry { constructor() { this.byId = new Map(); } }
    class SuperJSON {
      constructor() { this.classRegistry = new Registry(); }
      registerClass(cls, id) { this.classRegistry.byId.set(id, cls); }
      stringify(value) {
        for (const [id, cls] of this.classRegistry.byId)
          if (value instanceof cls) return JSON.stringify({ id, json: { ...value } });
        return JSON.stringify({ json: value });
      }
      parse(text) {
        const { id, json } = JSON.parse(text);
        const cls = id === undefined ? undefined : this.classRegistry.byId.get(id);
        return cls === undefined ? json : Object.assign(new cls(), json);
      }
    }
    SuperJSON.defaultInstance = new SuperJSON();
    SuperJSON.registerClass = SuperJSON.defaultInstance.registerClass.bind(SuperJSON.defaultInstance);
    SuperJSON.stringify = SuperJSON.defaultInstance.stringify.bind(SuperJSON.defaultInstance);
    SuperJSON.parse = SuperJSON.defaultInstance.parse.bind(SuperJSON.defaultInstance);
    return SuperJSON;`,
  )() as Json;
}

class Money {
  cents = 5;
}

const own = (cls: object) =>
  Object.fromEntries(STATICS.map((s) => [s, Reflect.getOwnPropertyDescriptor(cls, s)]));

test("every static keepStatics names keeps its running value, functions included, and the registrations with them", () => {
  const [A, B] = [superjson(), superjson()];
  const ns = new Namespace("kept-function-statics");
  const SuperJSON = ns.registerClass(A, { name: "SuperJSON" }) as unknown as Json;
  SuperJSON.registerClass(Money, "Money");
  updateSync(
    ns,
    patch("2.2.6")
      .replaceImplementation("SuperJSON", B, { keepStatics: [...STATICS] })
      .build(),
  );
  expect(STATICS.filter((s) => SuperJSON[s] !== A[s])).toEqual([]);
  expect(SuperJSON.parse(SuperJSON.stringify(new Money()))).toBeInstanceOf(Money);
});

/**
 * Over which statics the patch keeps: after the commit each kept one is the
 * running value and every other the new class's own; the registrations
 * survive exactly where both functions that read them are kept; after the
 * rollback the class handed in has its own statics exactly as before, and
 * the handle the running ones.
 */
test("the kept statics are the running ones, the others the new class's; a rollback gives the class handed in back as it was", () => {
  fc.assert(
    fc.property(fc.subarray([...STATICS]), (kept) => {
      const [A, B] = [superjson(), superjson()];
      const before = own(B);
      const ns = new Namespace("kept-function-statics-property");
      const SuperJSON = ns.registerClass(A, { name: "SuperJSON" }) as unknown as Json;
      SuperJSON.registerClass(Money, "Money");
      const result = updateSync(
        ns,
        patch("2.2.6").replaceImplementation("SuperJSON", B, { keepStatics: kept }).build(),
      );
      for (const s of STATICS)
        expect([s, SuperJSON[s]]).toEqual([s, kept.includes(s) ? A[s] : before[s]!.value]);
      expect(SuperJSON.parse(SuperJSON.stringify(new Money())) instanceof Money).toBe(
        kept.includes("stringify") && kept.includes("parse"),
      );
      result.rollback();
      expect(own(B)).toEqual(before);
      expect(STATICS.filter((s) => SuperJSON[s] !== A[s])).toEqual([]);
      expect(SuperJSON.parse(SuperJSON.stringify(new Money()))).toBeInstanceOf(Money);
    }),
    { seed: 2026, numRuns: 16 },
  );
});
