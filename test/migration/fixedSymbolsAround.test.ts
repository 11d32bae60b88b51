/**
 * A constructor that defines a symbol-keyed property non-configurable
 * (`Object.defineProperty(this, Symbol.for("yaml.map"), { value })`, yaml's
 * Schema) and a release that drops, adds or renames string fields around it:
 * `Reflect.ownKeys` lists symbols after strings whatever V8's insertion
 * order, so the strings are rewritten around the symbol, which stays where
 * it is. Was: refused (MM_UNSWAPPABLE_OBJECT, "the new layout moves merge").
 * A non-configurable STRING key that would have to move is still refused:
 * its place among the strings is observable.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

const MAP = Symbol.for("yaml.map");

/** Every own property, in `Reflect.ownKeys` order, with its descriptor. */
const layoutOf = (o: object) =>
  Reflect.ownKeys(o).map((k) => [k, Reflect.getOwnPropertyDescriptor(o, k)] as const);

test("yaml 2.2 -> 2.6 Schema: dropping `merge` in front of a non-configurable symbol commits, the symbol kept in place, and the rollback gives the old layout back exactly", () => {
  const release = (v: number) =>
    new Function(
      "MAP",
      `return class Schema { constructor({ merge = false } = {}) { this.name = "core";
      ${v === 1 ? "this.merge = !!merge;" : ""} this.tags = ["map"]; Object.defineProperty(this, MAP, { value: "m" }); this.sort = null; }
      version() { return ${v}; } };`,
    )(MAP) as new (o?: {
      merge?: boolean;
    }) => { version(): number; tags: string[] };
  const ns = new Namespace("y");
  const S = ns.registerClass(release(1), { name: "Schema" });
  const s = new S({ merge: true });
  const before = layoutOf(s);
  const tags = s.tags;
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Schema", release(2))
      .migrate("Schema", () => {})
      .build(),
  );
  expect(s.version()).toBe(2);
  expect(s.tags).toBe(tags);
  // The strings keep their order around the symbol, which is still last and as defined.
  expect(Reflect.ownKeys(s).slice(0, 3)).toEqual(["name", "tags", "sort"]);
  expect(Reflect.ownKeys(s).at(-1)).toBe(MAP);
  expect(Reflect.getOwnPropertyDescriptor(s, MAP)).toEqual({
    value: "m",
    writable: false,
    enumerable: false,
    configurable: false,
  });
  result.rollback();
  expect(s.version()).toBe(1);
  expect(layoutOf(s)).toEqual(before);
  expect(s.tags).toBe(tags);
});

type Op = "add" | "remove" | "rename";
const FIELDS = ["a", "b", "c", "d"];

/** Fields a..d, the symbol defined non-configurable after `symbolAt` of them, and `id` so after `fixedAt` (-1: none). */
function release(symbolAt: number, fixedAt: number): new () => object {
  const body = FIELDS.map((f, i) => `this.${f} = "${f}${i}";`);
  if (fixedAt >= 0)
    body.splice(fixedAt, 0, `Object.defineProperty(this, "id", { value: 7, enumerable: true });`);
  body.splice(
    symbolAt + (fixedAt >= 0 && fixedAt <= symbolAt ? 1 : 0),
    0,
    `Object.defineProperty(this, MAP, { value: "m" });`,
  );
  return new Function("MAP", `return class Node { constructor() { ${body.join(" ")} } };`)(
    MAP,
  ) as new () => object;
}

test("property: string fields dropped, added or renamed around a non-configurable symbol commit (eager, lazy) and roll back exactly; a non-configurable string that would move is still refused, nothing changed", () => {
  const seen = { refused: 0, committed: 0 };
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: FIELDS.length }),
      fc.integer({ min: -1, max: FIELDS.length }),
      fc.constantFrom<Op>("add", "remove", "rename"),
      fc.integer({ min: 0, max: FIELDS.length - 1 }),
      fc.constantFrom("eager", "lazy"),
      (symbolAt, fixedAt, op, field, policy) => {
        const ns = new Namespace("around");
        const Handle = ns.registerClass(release(symbolAt, fixedAt), { name: "Node" });
        const objects = [new Handle(), new Handle()];
        const before = objects.map(layoutOf);
        const snapshot = deepSnapshot({ ns, objects });
        const name = FIELDS[field]!;
        let p = patch(`${op}-${name}`);
        if (op === "add") p = p.addField("Node", "e", { default: 5 });
        else if (op === "remove") p = p.removeField("Node", name);
        else p = p.renameField("Node", name, `${name}2`);
        const build = p.policy(policy).build();
        // The string order is observable: `id` cannot move, nor can a field in front of it change.
        const refused = fixedAt >= 0 && op !== "add" && field < fixedAt;
        if (refused) {
          expect(() => updateSync(ns, build)).toThrow(
            expect.objectContaining({ code: "MM_UNSWAPPABLE_OBJECT" }),
          );
          expect(snapshotDifference(snapshot, deepSnapshot({ ns, objects }))).toBeUndefined();
          expect(objects.map(layoutOf)).toEqual(before);
          seen.refused++;
          return;
        }
        const result = updateSync(ns, build);
        result.completeMigration();
        const fresh = new (ns.classNamed("Node") as new () => object)();
        const strings = (o: object) => Reflect.ownKeys(o).filter((k) => typeof k === "string");
        for (const o of objects) {
          expect(strings(o)).toEqual(strings(fresh));
          expect(Reflect.ownKeys(o).at(-1)).toBe(MAP);
          expect(Reflect.getOwnPropertyDescriptor(o, MAP)).toEqual(
            Reflect.getOwnPropertyDescriptor(fresh, MAP),
          );
        }
        result.rollback();
        expect(objects.map(layoutOf)).toEqual(before);
        seen.committed++;
      },
    ),
    { seed: 2727, numRuns: 30 },
  );
  expect(seen.refused).toBeGreaterThan(2);
  expect(seen.committed).toBeGreaterThan(10);
}, 120_000);
