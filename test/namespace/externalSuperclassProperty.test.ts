// Issue 12, item 22, as a property: whatever a Map or Set subclass holds
// (entries, members) and whatever its own fields are, a new implementation
// that keeps the native superclass migrates the own fields and leaves the
// internal slots intact, and a rollback restores the own fields exactly —
// keys in order and values — with the slots still intact.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

const value = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null));
const key = fc.string({ maxLength: 4 });

type Holder = { a: unknown; b: unknown };

function world(kind: "Map" | "Set") {
  const ns = new Namespace(`property-${kind}`);
  const V1 =
    kind === "Map"
      ? class Holder extends Map<unknown, unknown> {
          a: unknown = 0;
          b: unknown = 0;
        }
      : class Holder extends Set<unknown> {
          a: unknown = 0;
          b: unknown = 0;
        };
  const V2 =
    kind === "Map"
      ? class Holder extends Map<unknown, unknown> {
          a: unknown = 0;
          c = "new";
          describe() {
            return `${this.size}:${String(this.a)}`;
          }
        }
      : class Holder extends Set<unknown> {
          a: unknown = 0;
          c = "new";
          describe() {
            return `${this.size}:${String(this.a)}`;
          }
        };
  const H = ns.registerClass(V1) as unknown as new () => (Map<unknown, unknown> | Set<unknown>) &
    Holder;
  return { ns, H, V2 };
}

const contents = (o: Map<unknown, unknown> | Set<unknown>) => [...o.entries()];

describe("native superclasses across replaceImplementation and rollback (property)", () => {
  for (const kind of ["Map", "Set"] as const) {
    const native: object = kind === "Map" ? Map.prototype : Set.prototype;
    test(`${kind} subclasses keep their contents; own fields migrate and roll back exactly, whatever the policy`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              entries: fc.array(fc.tuple(key, value), { maxLength: 6 }),
              a: value,
              b: value,
            }),
            { minLength: 1, maxLength: 5 },
          ),
          fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
          (specs, policy) => {
            const { ns, H, V2 } = world(kind);
            const objects = specs.map((spec) => {
              const o = new H();
              for (const [k, v] of spec.entries) {
                if (o instanceof Map) o.set(k, v);
                else o.add(k);
              }
              o.a = spec.a;
              o.b = spec.b;
              return o;
            });
            const before = objects.map((o) => ({ contents: contents(o), own: Object.entries(o) }));
            const intrinsics = Object.getOwnPropertyNames(native).map((k) =>
              Object.getOwnPropertyDescriptor(native, k),
            );
            const result = updateSync(ns, patch("v2").replaceImplementation("Holder", V2).build(), {
              policy,
            });
            objects.forEach((o, i) => {
              expect(o).toBeInstanceOf(kind === "Map" ? Map : Set);
              expect(contents(o)).toEqual(before[i]!.contents);
              expect(Object.entries(o)).toEqual([
                ["a", specs[i]!.a],
                ["c", "new"],
              ]);
              expect((o as unknown as { describe(): string }).describe()).toBe(
                `${o.size}:${String(specs[i]!.a)}`,
              );
              expect(hasFastProperties(o)).toBe(true);
            });
            result.rollback();
            // Lazy guards never wrap the native class's own methods.
            expect(
              Object.getOwnPropertyNames(native).map((k) =>
                Object.getOwnPropertyDescriptor(native, k),
              ),
            ).toEqual(intrinsics);
            objects.forEach((o, i) => {
              expect(contents(o)).toEqual(before[i]!.contents);
              expect(Object.entries(o)).toEqual(before[i]!.own);
              expect("describe" in o).toBe(false);
            });
          },
        ),
        { seed: 2212, numRuns: 60 },
      );
      // ~25 s alone; twice that on a loaded machine beside another test file.
    }, 240_000);
  }
});
