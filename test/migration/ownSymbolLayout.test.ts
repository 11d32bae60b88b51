/**
 * A class's own symbol-keyed fields (`[kState] = …`) sit where its field
 * initialisers put them in V8's property order, but `Reflect.ownKeys` lists
 * them after every string key. A field migration rewrites string fields
 * alone and leaves them in place; its rollback rewrote the object from
 * complete states, deleting the symbols as if they came last, and left
 * every such object in dictionary mode with a hidden class it never had.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

const FIELDS = ["a", "b", "c"] as const;

/** A class with fields a, b, c and a symbol field at `at` (0: before a … 3: after c). */
function classWithSymbol(symbol: symbol, at: number): new () => object {
  const members = FIELDS.map((f, i) => `${f} = ${i + 1};`);
  members.splice(at, 0, "[s] = 'state';");
  return new Function("s", `return class Sym { ${members.join(" ")} }`)(symbol) as new () => object;
}

type Shape = "add" | "rename" | "remove";

function patchFor(shape: Shape, field: (typeof FIELDS)[number]) {
  const p = patch(`${shape}-${field}`);
  if (shape === "add") return p.addField("Sym", "d", { default: 4 });
  if (shape === "rename") return p.renameField("Sym", field, `${field}2`);
  return p.removeField("Sym", field);
}

describe("an object with its own symbol field, rolled back", () => {
  test("property: wherever its update left it fast, the rollback gives it back its hidden class, fast, its symbol's value kept", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: FIELDS.length }),
        fc.constantFrom<Shape>("add", "rename", "remove"),
        fc.constantFrom(...FIELDS),
        fc.constantFrom("eager", "lazy", "progressive"),
        fc.constantFrom("registry", "heap"),
        async (at, shape, field, policy, finder) => {
          const symbol = Symbol("state");
          const Original = classWithSymbol(symbol, at);
          const untouched = new Original();
          const ns = new Namespace("sym", { instanceFinder: finder });
          const Handle = ns.registerClass(Original);
          const objects = [new Handle(), new Handle(), new Handle()];
          expect(objects.every((o) => haveSameMap(o, untouched))).toBe(true);
          const result = updateSync(ns, patchFor(shape, field).policy(policy).build());
          result.completeMigration();
          const fastAfterUpdate = objects.every(hasFastProperties);
          // The update leaves the symbol in place: fast where it deleted no field after it.
          const firstRewritten = shape === "add" ? FIELDS.length : FIELDS.indexOf(field);
          if (at <= firstRewritten) expect(fastAfterUpdate).toBe(true);
          result.rollback();
          for (const o of objects) {
            expect((o as Record<symbol, unknown>)[symbol]).toBe("state");
            expect(Object.keys(o)).toEqual([...FIELDS]);
          }
          if (!fastAfterUpdate) return;
          checked++;
          expect(objects.map(hasFastProperties)).toEqual([true, true, true]);
          expect(objects.map((o) => haveSameMap(o, untouched))).toEqual([true, true, true]);
        },
      ),
      { seed: 3131, numRuns: 80 },
    );
    // Most draws keep the object fast: the property is not vacuous.
    expect(checked).toBeGreaterThan(40);
  });
});

describe("an object with a symbol added after construction (a framework's tag)", () => {
  test("property: fast after any field update and after its rollback, with its tag and the hidden class of an untouched twin", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Shape>("add", "rename", "remove"),
        fc.constantFrom(...FIELDS),
        fc.constantFrom("eager", "lazy", "progressive"),
        fc.constantFrom("registry", "heap"),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        async (shape, field, policy, finder, tags, ahead) => {
          const symbols = [Symbol.for("framework.tag"), Symbol("second")].slice(0, tags);
          const Original = new Function(
            "return class Sym { a = 1; b = 2; c = 3; }",
          )() as new () => object;
          const tag = (o: object) => {
            for (const s of symbols) (o as Record<symbol, unknown>)[s] = "seen";
            return o;
          };
          const twin = tag(new Original());
          const ns = new Namespace("expando", { instanceFinder: finder });
          const Handle = ns.registerClass(Original);
          const objects = [tag(new Handle()), tag(new Handle()), new Handle()];
          expect(haveSameMap(objects[0]!, twin)).toBe(true);
          const p = patchFor(shape, field).policy(policy).build();
          // update() looks at the objects before its pause (plainAhead.ts), updateSync in it.
          const result = ahead ? await update(ns, p) : updateSync(ns, p);
          result.completeMigration();
          expect(objects.map(hasFastProperties)).toEqual([true, true, true]);
          result.rollback();
          expect(objects.map(hasFastProperties)).toEqual([true, true, true]);
          expect([haveSameMap(objects[0]!, twin), haveSameMap(objects[1]!, twin)]).toEqual([
            true,
            true,
          ]);
          for (const s of symbols) expect((objects[0] as Record<symbol, unknown>)[s]).toBe("seen");
          expect(Object.keys(objects[0]!)).toEqual([...FIELDS]);
        },
      ),
      { seed: 4343, numRuns: 60 },
    );
  });
});

test("which classes' symbols move: not a symbol field the source writes (`[Symbol.for(…)] = …`, it keeps its place), but an expando where the source only has a symbol-keyed method", () => {
  const mid = Symbol.for("metamorph.test.mid");
  const kMethod = Symbol("method");
  const Declared = new Function(
    "return class Sym { a = 1; [Symbol.for('metamorph.test.mid')] = 'm'; b = 2; c = 3; }",
  )() as new () => object;
  const WithMethod = new Function(
    "k",
    "return class Sym { a = 1; b = 2; c = 3; [k]() { return 1; } static [k] = 2; }",
  )(kMethod) as new () => object;
  const tag = Symbol.for("framework.tag");
  for (const [Original, tagged] of [
    [Declared, false],
    [WithMethod, true],
  ] as const) {
    const ns = new Namespace("which-symbols", { instanceFinder: "registry" });
    const Handle = ns.registerClass(Original, { constructedOnlyThroughHandle: true });
    const o = new Handle() as Record<symbol, unknown>;
    if (tagged) o[tag] = "seen";
    const result = updateSync(ns, patch("c").renameField("Sym", "c", "c2").build());
    expect(hasFastProperties(o)).toBe(true);
    result.rollback();
    expect(hasFastProperties(o)).toBe(true);
    expect(tagged ? o[tag] : o[mid]).toBe(tagged ? "seen" : "m");
  }
});
