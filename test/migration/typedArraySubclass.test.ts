/**
 * A class extending a typed array keeps its elements in its buffer, but
 * `Reflect.ownKeys` lists them as own properties ("0", "1", …) that can be
 * neither deleted nor defined. A rewrite tried to delete them: an eager
 * update threw after its commit had begun and its undo threw too, leaving
 * the namespace on the new version and the field gone; a lazy one threw at
 * every call (review advX4). Elements are state no rewrite touches.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

const KINDS = {
  Float64Array: () =>
    class Vec extends Float64Array {
      label = "velocity";
      unit = "m/s";
    },
  Uint8Array: () =>
    class Vec extends Uint8Array {
      label = "velocity";
      unit = "m/s";
    },
} as const;

const SHAPES = {
  add: () => patch("add").addField("Vec", "scale", { default: 2 }),
  rename: () => patch("rename").renameField("Vec", "label", "title"),
  remove: () => patch("remove").removeField("Vec", "label"),
} as const;

type Vec = Float64Array & Record<string, unknown>;

const view = (v: Vec) => ({
  elements: Array.from(v),
  fields: Object.keys(v).filter((k) => !/^\d+$/.test(k)),
  values: Object.keys(v)
    .filter((k) => !/^\d+$/.test(k))
    .map((k) => v[k]),
});

describe("a subclass of a typed array", () => {
  test("property: its fields migrate and roll back exactly, its elements untouched, whatever the policy", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(KINDS) as (keyof typeof KINDS)[])),
        fc.constantFrom(...(Object.keys(SHAPES) as (keyof typeof SHAPES)[])),
        fc.constantFrom("eager", "lazy", "progressive"),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 6 }),
        async (kind, shape, policy, elements) => {
          const ns = new Namespace(`typed-${kind}-${shape}-${policy}`, {
            instanceFinder: "registry",
          });
          const Handle = ns.registerClass(KINDS[kind](), {
            constructedOnlyThroughHandle: true,
          }) as unknown as new (
            e: number[],
          ) => Vec;
          const v = new Handle(elements);
          const before = view(v);
          const result = await update(ns, SHAPES[shape]().policy(policy).build());
          result.completeMigration();
          expect(result.state()).toBe("committed");
          const after = view(v);
          expect(after.elements).toEqual(elements);
          const expected = {
            add: ["label", "unit", "scale"],
            rename: ["title", "unit"],
            remove: ["unit"],
          }[shape];
          expect(after.fields).toEqual(expected);
          if (shape === "rename") expect(v.title).toBe("velocity");
          expect(hasFastProperties(v)).toBe(hasFastProperties(new Handle(elements)));
          result.rollback();
          expect(view(v)).toEqual(before);
          expect(ns.version).toBe(1);
        },
      ),
      { seed: 4242, numRuns: 30 },
    );
  });
});
