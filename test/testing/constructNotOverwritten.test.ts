/**
 * An instance `construct` made is never written into afterwards: the kit
 * assigned generated references after `construct` returned, so a Stack
 * built by push() got `head: →#0` with `size: 0`, a state construct never
 * makes, and a correct postcondition (nodes === size) failed on run 1.
 * `construct` is given the instances built before it instead.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import {
  buildWorld,
  checkMigration,
  worldModel,
  worldSpecArbitrary,
} from "../../src/testing/index.js";

class Stack {
  head: { v: number; next: unknown } | null = null;
  size = 0;
  push(v: number) {
    this.head = { v, next: this.head };
    this.size++;
    return this;
  }
}
const construct = {
  Stack: (values: Record<string, unknown>, Class: new () => object) => {
    const s = new Class() as Stack;
    for (let i = 0; i < ((values.size as number | undefined) ?? 0); i++) s.push(i);
    return s;
  },
};
const nodes = (s: { head: unknown }) => {
  let n = 0;
  for (let x = s.head as { next: unknown } | null; x; x = x.next as typeof x) if (++n > 99) break;
  return n;
};

describe("instances made by construct", () => {
  test("keep what construct made: nodes and size agree in every generated world", () => {
    const model = worldModel({ classes: [Stack] });
    const options = { construct, values: { Stack: { size: fc.integer({ min: 0, max: 3 }) } } };
    fc.assert(
      fc.property(worldSpecArbitrary(model, options), (spec) => {
        for (const s of buildWorld(model, spec, { construct }).instances as Stack[]) {
          expect(nodes(s)).toBe(s.size);
        }
      }),
      { seed: 1, numRuns: 100 },
    );
  });

  test("a postcondition construct's invariant supports holds", async () => {
    const cap = patch("cap").addField("Stack", "cap", { default: 10 }).build();
    const report = await checkMigration(cap, {
      classes: [Stack],
      construct,
      seed: 1,
      numRuns: 50,
      values: { Stack: { size: fc.integer({ min: 0, max: 3 }) } },
      properties: ["postcondition"],
      postcondition: (_old, now) => nodes(now as { head: unknown }) === now.size,
    });
    expect(report.properties[0]!.status).toBe("passed");
  });
});
