/**
 * Sharing in a spec is sharing in the world: two instances given one
 * address object hold one address object, and generated worlds sometimes
 * share a sub-object between instances — so a migrator that breaks the
 * sharing (`p.address = { ...old.address }`) is caught.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { WorldSpec } from "../../src/testing/index.js";
import {
  buildWorld,
  checkMigration,
  formatWorldSpec,
  worldArbitrary,
  worldModel,
} from "../../src/testing/index.js";

class Person {
  name = "";
  address = { city: "" };
}

interface Shaped {
  address: { city: string };
}

const shared = { city: "Paris" };
const spec: WorldSpec = {
  instances: [
    { className: "Person", fields: { name: { value: "a" }, address: { value: shared } } },
    { className: "Person", fields: { name: { value: "b" }, address: { value: shared } } },
  ],
};

// Copies the address: a move of one person no longer moves the other.
const copiesAddress = patch("copy-address")
  .addField("Person", "city", { default: "" })
  .migrate("Person", (old, p) => {
    p.address = { ...(old.address as object) };
    p.city = (old.address as { city: string }).city;
  })
  .build();
const back = patch("back").removeField("Person", "city").build();

describe("sharing in a spec", () => {
  test("two instances given one object hold one object, a copy of the spec's", () => {
    const world = buildWorld(worldModel({ classes: [Person] }), spec);
    const [a, b] = world.instances as Shaped[];
    expect(a!.address).toBe(b!.address);
    expect(a!.address).not.toBe(shared);
    expect(formatWorldSpec(spec)).toContain("address: same as #0.address");
  });

  test("a migrator that breaks the sharing fails the round trip on that spec", async () => {
    const report = await checkMigration(copiesAddress, {
      classes: [Person],
      world: fc.constant(spec),
      reverse: back,
      seed: 1,
      numRuns: 5,
      properties: ["round-trip"],
    });
    expect(report.properties[0]!.status).toBe("failed");
  });
});

describe("generated sharing", () => {
  test("some generated worlds share a sub-object between two instances, most do not (seeded)", () => {
    const worlds = fc.sample(
      worldArbitrary({ classes: [Person] }, { minInstances: 2, maxInstances: 4 }),
      { seed: 4, numRuns: 300 },
    );
    const sharing = worlds.filter((w) => {
      const addresses = (w.instances as Shaped[]).map((p) => p.address);
      return new Set(addresses).size < addresses.length;
    }).length;
    expect(sharing).toBeGreaterThan(20);
    expect(sharing).toBeLessThan(150);
  });

  test("the migrator that breaks the sharing fails the round trip on generated worlds, whose counterexample shows the sharing", async () => {
    const report = await checkMigration(copiesAddress, {
      classes: [Person],
      reverse: back,
      seed: 1,
      properties: ["round-trip"],
    });
    const result = report.properties[0]!;
    expect(result.status).toBe("failed");
    expect(result.failure!.counterexampleText).toMatch(/address: same as #\d\.address/);
  });
});
