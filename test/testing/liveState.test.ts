/**
 * A counterexample printed from its spec alone hides state the spec cannot
 * express — what `construct` or a constructor added: the report shows the
 * world's live state below the spec wherever the two differ.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";

const tag = Symbol.for("framework.tag");

class Session {
  user = "";
  hits = 0;
}

const visits = patch("visits").renameField("Session", "hits", "visits").build();
const base = { classes: [Session], seed: 3, numRuns: 30 };

describe("live state in counterexamples", () => {
  test("a counterexample shows the live state where it differs from the spec", async () => {
    const report = await checkMigration(visits, {
      ...base,
      construct: {
        Session: (values, Class) => {
          const o = Object.assign(new Class(), values) as Record<PropertyKey, unknown>;
          o[tag] = "seen";
          Object.defineProperty(o, "cache", { value: 1, enumerable: false, configurable: true });
          return o;
        },
      },
      values: { Session: { user: fc.constant("ann"), hits: fc.constant(2) } },
      minInstances: 1,
      maxInstances: 1,
      properties: ["postcondition"],
      postcondition: () => "always fails",
    });
    expect(report.properties[0]!.failure!.counterexampleText, formatMigrationReport(report)).toBe(
      [
        '#0 Session { user: "ann", hits: 2 }',
        "live state, where it differs:",
        '#0 Session { user: "ann", hits: 2, ~cache: 1, [Symbol(framework.tag)]: "seen" }',
      ].join("\n"),
    );
    // And nothing is added where the live state is the spec's.
    const plain = await checkMigration(visits, {
      ...base,
      values: { Session: { user: fc.constant("ann"), hits: fc.constant(2) } },
      minInstances: 1,
      maxInstances: 1,
      properties: ["postcondition"],
      postcondition: () => "always fails",
    });
    expect(plain.properties[0]!.failure!.counterexampleText).toBe(
      '#0 Session { user: "ann", hits: 2 }',
    );
  });
});
