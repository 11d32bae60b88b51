/**
 * The three instance finders answer `allInstances` alike, as docs/design.md
 * "Finding instances" says: an object on a per-object mixin is an instance,
 * one made with `Object.create(instance)` is none, whatever the query.
 * Review advZ17: the adaptive finder (the default) missed the mixin object —
 * it records a run's objects at the run's end, by which time the object sat
 * on its mixin, filed as an unregistered subclass's — and the heap reported
 * the child to `includeSubclasses`.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { allInstances, Namespace } from "../../src/index.js";

const FINDERS = ["registry", "heap", "adaptive"] as const;

type Shape =
  | "plain"
  | "subclass"
  | "mixin"
  | "subclassMixin"
  | "child"
  | "adopted"
  | "away"
  | "detached";
const SHAPES: readonly Shape[] = [
  "plain",
  "subclass",
  "mixin",
  "subclassMixin",
  "child",
  "adopted",
  "away",
  "detached",
];

/**
 * What each shape adds to the world, which of its objects each query finds,
 * and what the program does to them after construction (`reshape`).
 */
interface Made {
  readonly objects: readonly object[];
  readonly exact: readonly object[];
  readonly withSubclasses: readonly object[];
  readonly reshape?: () => void;
}

const mixinOver = (prototype: object): object =>
  Object.create(prototype, { audit: { value: () => "audited" } }) as object;

function make(shape: Shape, Acc: new () => object, Sub: new () => object): Made {
  const one = (o: object, exact: boolean, withSubclasses: boolean, reshape?: () => void): Made => ({
    objects: [o],
    exact: exact ? [o] : [],
    withSubclasses: withSubclasses ? [o] : [],
    ...(reshape ? { reshape } : {}),
  });
  const moved = (o: object, to: object | null) => () => Object.setPrototypeOf(o, to);
  switch (shape) {
    case "plain":
      return one(new Acc(), true, true);
    case "subclass":
      return one(new Sub(), false, true);
    case "mixin": {
      const o = new Acc();
      return one(o, true, true, moved(o, mixinOver(Acc.prototype as object)));
    }
    case "subclassMixin": {
      const o = new Sub();
      return one(o, false, true, moved(o, mixinOver(Sub.prototype as object)));
    }
    case "child": {
      // winston's child logger: the parent is an instance, the child reads its fields.
      const parent = new Acc();
      return {
        objects: [parent, Object.create(parent) as object],
        exact: [parent],
        withSubclasses: [parent],
      };
    }
    case "adopted": {
      // Made by the class, then made a child of another instance: none either.
      const parent = new Acc();
      const o = new Acc();
      return {
        objects: [parent, o],
        exact: [parent],
        withSubclasses: [parent],
        reshape: moved(o, parent),
      };
    }
    case "away": {
      const o = new Acc();
      return one(o, false, false, moved(o, class Other {}.prototype));
    }
    case "detached": {
      const o = new Acc();
      return one(o, false, false, moved(o, null));
    }
  }
}

let worlds = 0;

/**
 * Builds the shapes, reshapes them and asks. The adaptive finder records a
 * run's objects at the run's end: `recordedFirst` lets the run end between
 * construction and reshaping; without it, it records them reshaped.
 */
async function answers(
  instanceFinder: (typeof FINDERS)[number],
  shapes: readonly Shape[],
  recordedFirst: boolean,
) {
  const ns = new Namespace(`agreement-${instanceFinder}-${worlds++}`, { instanceFinder });
  const Acc = ns.defineClass({ name: "Acc", fields: [{ name: "a", initializer: "1" }] });
  class Sub extends Acc {}
  const made = shapes.map((shape) => make(shape, Acc, Sub));
  const objects = made.flatMap((m) => m.objects);
  if (recordedFirst) await new Promise((resolve) => setTimeout(resolve, 0));
  for (const m of made) m.reshape?.();
  const index = (found: readonly object[]) =>
    found.map((o) => objects.indexOf(o)).sort((x, y) => x - y);
  return {
    exact: index(allInstances(Acc)),
    withSubclasses: index(allInstances(Acc, { includeSubclasses: true })),
    expected: {
      exact: index(made.flatMap((m) => m.exact)),
      withSubclasses: index(made.flatMap((m) => m.withSubclasses)),
    },
  };
}

test("registry, heap and adaptive finders agree with design.md on plain, subclass, mixin, child, adopted and moved objects", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...SHAPES), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      async (shapes, recordedFirst) => {
        for (const finder of FINDERS) {
          const { exact, withSubclasses, expected } = await answers(finder, shapes, recordedFirst);
          expect({ finder, exact, withSubclasses }).toEqual({ finder, ...expected });
        }
      },
    ),
    { seed: 1717, numRuns: 20 },
  );
});

test("the adaptive finder finds an object given a mixin in the run that made it (the reviewer's case)", async () => {
  const { exact, withSubclasses } = await answers("adaptive", ["plain", "mixin", "child"], false);
  // plain 0, mixin 1, the child's parent 2 (its child 3 is none).
  expect(exact).toEqual([0, 1, 2]);
  expect(withSubclasses).toEqual([0, 1, 2]);
});
