/**
 * The order of the refusals: one no change to the patch's migration code
 * can resolve comes before those asking the author to write something.
 * csv-stringify 6.0 -> 6.6 was refused first MM_INVALID_PATCH (its new
 * field `api` reads the module: add a migrator), and, with exactly that
 * migrator, MM_EXTERNAL_SUPERCLASS (6.0 extends a bundled ES5 Transform,
 * 6.6 Node's), which nothing could resolve: a dead end (review advZ22).
 * The superclass refusal now comes first, naming the others in
 * `details.alsoRefused`.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";

type Stringifier = { options: object; write(x: unknown): string };
type Migrator = (old: Record<string, unknown>, target: Record<string, unknown>) => void;

/** A bundled ES5-style Transform, as csv-stringify 6.0 carries its own. */
function es5Transform(): Function {
  return new Function(`"use strict";
    function Transform() { this.readable = true; }
    Transform.prototype.push = function (x) { return String(x); };
    return Transform;`)();
}

/** A release of the stringifier over `Transform`; `api` adds a field whose initial value calls a function of its module. */
function release(Transform: Function, api: boolean): new (o?: object) => Stringifier {
  return new Function(
    "Transform",
    `"use strict";
    const make = (options) => ({ options, line: (x) => "[" + x + "]" });
    return class Stringifier extends Transform {
      constructor(options = {}) {
        super();
        this.options = options;
        ${api ? "this.api = make(this.options);" : ""}
      }
      write(x) { return this.push(${api ? "this.api.line(x)" : "x"}); }
    };`,
  )(Transform);
}

test("csv-stringify 6.0 -> 6.6's shape: the superclass refusal comes first, naming the migrator one beside it", () => {
  const Transform = es5Transform();
  const ns = new Namespace("refusal-order-csv");
  const S = ns.registerClass(release(Transform, false), {
    name: "Stringifier",
    externalSuperclass: true,
  }) as new (
    o?: object,
  ) => Stringifier;
  const s = new S({ header: true });
  let error: MetamorphError | undefined;
  try {
    updateSync(
      ns,
      patch("6.6").replaceImplementation("Stringifier", release(es5Transform(), true)).build(),
    );
  } catch (e) {
    error = e as MetamorphError;
  }
  expect(error?.code).toBe("MM_EXTERNAL_SUPERCLASS");
  expect(error?.message).toMatch(/this Transform is an ES5-style constructor function/);
  expect(error?.details).toMatchObject({
    className: "Stringifier",
    alsoRefused: [{ code: "MM_INVALID_PATCH", message: expect.stringMatching(/new field "api"/) }],
  });
  expect(s.write(1)).toBe("1");
});

/**
 * Over whether the new release extends another Transform, whether it adds
 * a field reading its module, whether the patch has the migrator that
 * field asks for, and the policies: the superclass refusal comes whenever
 * it applies, with the migrator refusal in `alsoRefused` exactly where
 * that one applies too; otherwise the migrator refusal, or a commit.
 */
test("a refusal no migrator resolves comes first, the others named beside it", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom("eager", "lazy", "progressive") as fc.Arbitrary<
        "eager" | "lazy" | "progressive"
      >,
      (otherTransform, api, migrated, policy) => {
        const Transform = es5Transform();
        const ns = new Namespace("refusal-order");
        const S = ns.registerClass(release(Transform, false), {
          name: "Stringifier",
          externalSuperclass: true,
        }) as new (
          o?: object,
        ) => Stringifier;
        const s = new S({ header: true });
        const next = release(otherTransform ? es5Transform() : Transform, api);
        let p = patch("next").replaceImplementation("Stringifier", next);
        if (migrated) {
          const fresh = new next({}) as unknown as Record<string, unknown>;
          // The migrator the MM_INVALID_PATCH refusal asks for, where there is a field to set.
          p = p.migrate("Stringifier", ((old, target) => {
            if (api) target.api = fresh.api;
            else target.options = old.options;
          }) as Migrator as never);
        }
        let error: MetamorphError | undefined;
        try {
          updateSync(ns, p.build(), { policy });
        } catch (e) {
          error = e as MetamorphError;
        }
        const asked = api && !migrated;
        if (otherTransform) {
          expect(error?.code).toBe("MM_EXTERNAL_SUPERCLASS");
          expect(
            ((error?.details.alsoRefused ?? []) as { code: string }[]).map((r) => r.code),
          ).toEqual(asked ? ["MM_INVALID_PATCH"] : []);
          expect(s.write(1)).toBe("1");
        } else if (asked) {
          expect(error?.code).toBe("MM_INVALID_PATCH");
          expect(error?.details.alsoRefused).toBeUndefined();
        } else {
          expect(error).toBeUndefined();
          expect(s.write(1)).toBe(api ? "[1]" : "1");
        }
      },
    ),
    { seed: 22055, numRuns: 24 },
  );
});
