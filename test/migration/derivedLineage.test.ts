/**
 * Field and methods patches on a registered class, one after another. Each
 * derived version was built by the running one: after k updates every `new`
 * ran k nested constructors and k field changes (1,500× a plain `new` after
 * 100), and every version stayed alive after `makePermanent()` (review
 * advZ3). Now each builds with the class the program wrote and makes the
 * whole field change at once.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { currentVersion } from "../../src/mop/index.js";
import { derivedFrom } from "../../src/mop/derivedFrom.js";

type Step =
  | { readonly kind: "add"; readonly value: number }
  | { readonly kind: "remove" }
  | { readonly kind: "rename" }
  | { readonly kind: "methods"; readonly value: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), value: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant("remove" as const) }),
  fc.record({ kind: fc.constant("rename" as const) }),
  fc.record({ kind: fc.constant("methods" as const), value: fc.integer({ min: 0, max: 9 }) }),
);

test("property: after any sequence of field and methods patches, a fresh object is what the old ones migrated to, built by the written class through one derived version", () => {
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      (steps, permanent) => {
        const ns = new Namespace("derived-lineage");
        const Point = ns.registerClass(
          class Point {
            x: number;
            y: number;
            constructor(x: number, y: number) {
              this.x = x;
              if (y !== 0) this.y = y;
              else this.y = -1;
            }
            m() {
              return 0;
            }
          },
        );
        const old = new Point(3, 4);
        let fields = ["x", "y"];
        let fresh = 0;
        for (const [i, s] of steps.entries()) {
          const p = patch(`v${i}`);
          const last = fields[fields.length - 1];
          const built =
            s.kind === "add"
              ? p.addField("Point", `f${fresh++}`, { default: s.value })
              : s.kind === "remove" && last !== undefined
                ? p.removeField("Point", last)
                : s.kind === "rename" && fields[0] !== undefined
                  ? p.renameField("Point", fields[0], `r${fresh++}`)
                  : p.replaceMethods("Point", {
                      m: new Function(`return { m() { return ${i}; } }.m`)() as () => number,
                    });
          const result = updateSync(ns, built.build());
          if (permanent) result.makePermanent();
          fields = Object.keys(old);
          const made = new Point(3, 4);
          expect(Object.keys(made)).toEqual(fields);
          expect({ ...made }).toEqual({ ...old });
          expect(made).toBeInstanceOf(Point);
          const running = currentVersion(Point).ctor;
          const from = derivedFrom(running);
          expect(from === undefined || derivedFrom(from) === undefined).toBe(true);
        }
      },
    ),
    { seed: 1618, numRuns: 15 },
  );
});
