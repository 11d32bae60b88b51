// The catalogue's tables name kinds of bad input one by one; these properties
// throw whole spaces of it at the same entry points (reproducible seeds): any
// value as a patch's JSON, any string as a class, field or binding name. Each
// input is either accepted or refused with a typed error — never an untyped
// throw — and a refusal leaves the world as the deep snapshot saw it.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MetamorphError, Patch, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "./snapshot.js";
import { shopWorld } from "./worlds.js";

/** Runs `run`; a throw must be a MetamorphError and leave `world` unchanged. */
function acceptedOrRefusedCleanly(
  world: Parameters<typeof deepSnapshot>[0],
  run: () => unknown,
): boolean {
  const before = deepSnapshot(world);
  try {
    run();
    return true;
  } catch (error) {
    if (!(error instanceof MetamorphError)) throw error;
    const difference = snapshotDifference(before, deepSnapshot(world));
    if (difference !== undefined)
      throw new Error(`${error.code} changed the world:\n${difference}`);
    return false;
  }
}

const operationKinds = [
  "addClass",
  "removeClass",
  "renameClass",
  "addField",
  "removeField",
  "renameField",
  "reorderFields",
  "pullUpField",
  "pushDownField",
  "changeSuperclass",
  "addMethod",
  "migrator",
  "policy",
  "validateNamespace",
];
const names = fc.oneof(
  fc.constantFrom(
    "Item",
    "Book",
    "price",
    "name",
    "isbn",
    "__proto__",
    "constructor",
    "toString",
    "",
    "undefined",
    "Object",
    "class",
    "#x",
  ),
  fc.string({ maxLength: 6 }),
);
/** Operations that look almost right: known kinds and keys, values from anywhere. */
const nearlyAnOperation = fc.record(
  {
    op: fc.oneof(fc.constantFrom(...operationKinds), fc.string()),
    className: names,
    field: names,
    to: names,
    superclass: fc.oneof(names, fc.constant(null)),
    order: fc.array(names, { maxLength: 3 }),
    policy: fc.constantFrom("eager", "lazy", "progressive", "turbo"),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ["op"] },
);

const className = fc.oneof(fc.constantFrom("Item", "Book", "Tag"), names);
const fieldName = fc.oneof(fc.constantFrom("name", "price", "isbn", "stock"), names);
/** Operations of the right shape, on names that mostly exist. */
const wellFormedOperation = fc.oneof(
  fc.record({ op: fc.constant("addField"), className, field: fieldName }),
  fc.record({ op: fc.constant("removeField"), className, field: fieldName }),
  fc.record({ op: fc.constant("renameField"), className, field: fieldName, to: fieldName }),
  fc.record({ op: fc.constant("removeClass"), className }),
  fc.record({ op: fc.constant("renameClass"), className, to: className }),
  fc.record({
    op: fc.constant("changeSuperclass"),
    className,
    superclass: fc.oneof(className, fc.constant(null)),
  }),
  fc.record({
    op: fc.constant("reorderFields"),
    className,
    order: fc.array(fieldName, { maxLength: 3 }),
  }),
  fc.record({ op: fc.constant("pullUpField"), className, field: fieldName }),
  fc.record({ op: fc.constant("pushDownField"), className, field: fieldName }),
  fc.record({ op: fc.constant("policy"), policy: fc.constantFrom("eager", "lazy", "progressive") }),
  fc.record({
    op: fc.constant("addClass"),
    shape: fc.record({
      name: className,
      superclass: fc.oneof(className, fc.constant(null)),
      fields: fc.array(fc.record({ name: fieldName }), { maxLength: 2 }),
    }),
  }),
);

describe("properties of refusals", () => {
  test("any value read as a patch's JSON is a patch or an InvalidPatchError, and nothing changes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            format: fc.constantFrom("metamorph.patch/1", "metamorph.patch/2"),
            name: fc.string(),
            operations: fc.array(nearlyAnOperation, { maxLength: 3 }),
          }),
        ),
        (json) => {
          const w = shopWorld();
          acceptedOrRefusedCleanly(w, () => Patch.fromJSON(json));
        },
      ),
      { seed: 2026, numRuns: 100 },
    );
  });

  test("well-formed operations on names near and far from the world are applied or refused cleanly", () => {
    const outcomes = { applied: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(wellFormedOperation, { minLength: 1, maxLength: 3 }), (operations) => {
        const w = shopWorld();
        let p: Patch;
        try {
          // The program vouches for these: the property is about applying them, not about trust.
          p = Patch.fromJSON(
            { format: "metamorph.patch/1", name: "fuzzed", operations },
            { trust: "in-process" },
          );
        } catch (error) {
          expect(error).toBeInstanceOf(MetamorphError);
          return;
        }
        const applied = acceptedOrRefusedCleanly(w, () => updateSync(w.ns, p));
        outcomes[applied ? "applied" : "refused"]++;
      }),
      { seed: 12, numRuns: 100 },
    );
    // Both sides of the property were exercised, not just the refusals.
    expect(outcomes.applied).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThan(5);
  });

  test("any string as a class, field or binding name is accepted or refused cleanly", () => {
    fc.assert(
      fc.property(names, names, (className, field) => {
        const w = shopWorld();
        acceptedOrRefusedCleanly(w, () => w.ns.defineClass({ name: className, fields: [field] }));
        const v = shopWorld();
        acceptedOrRefusedCleanly(v, () => v.ns.define(className, 1));
        const u = shopWorld();
        acceptedOrRefusedCleanly(u, () =>
          updateSync(u.ns, patch("f").addField("Item", field).build()),
        );
      }),
      { seed: 7, numRuns: 80 },
    );
  });
});
