/**
 * `construct` builds instances of each world's own class: it is given that
 * class, so state the spec cannot express (symbol keys, hidden properties)
 * is tested on objects the update really migrates; anything else it could
 * be given or return is refused.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { CheckMigrationOptions } from "../../src/testing/index.js";
import {
  ConstructedOutsideWorldError,
  checkMigration,
  formatMigrationReport,
  worldArbitrary,
} from "../../src/testing/index.js";

const tag = Symbol.for("framework.tag");

class Session {
  user = "";
  hits = 0;
}

const visits = patch("visits").renameField("Session", "hits", "visits").build();
const base = { classes: [Session], seed: 3, numRuns: 30 };

describe("construct", () => {
  test("is given the world's class: what it builds is migrated, hidden state and all", async () => {
    const given = new Set<unknown>();
    const report = await checkMigration(visits, {
      ...base,
      construct: {
        Session: (values, Class) => {
          given.add(Class);
          const o = Object.assign(new Class(), values) as Record<PropertyKey, unknown>;
          o[tag] = "seen";
          return o;
        },
      },
      // Not rollback: an engine finding (a symbol-keyed object is left in
      // dictionary mode by a rolled-back rename), reported apart.
      properties: ["totality", "postcondition"],
      postcondition: (old, now) =>
        (now.visits === old.hits && (now as Record<symbol, unknown>)[tag] === "seen") ||
        `not migrated, or tag lost: ${String(now.visits)}`,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
    expect(given.size).toBeGreaterThan(1); // a fresh class per world
    expect(given.has(Session)).toBe(false);
  });

  test("a function in place of the record is refused, as is a class the world does not have", async () => {
    const bad = [
      (values: Record<string, unknown>) => Object.assign(new Session(), values),
      { Sesion: (values: Record<string, unknown>) => values },
      { Session: "new Session()" },
    ] as unknown as CheckMigrationOptions["construct"][];
    for (const construct of bad) {
      const options = { ...base, construct } as CheckMigrationOptions;
      await expect(checkMigration(visits, options)).rejects.toMatchObject({
        code: "MM_INVALID_OPTION",
      });
      expect(() => worldArbitrary({ classes: [Session] }, { construct })).toThrow(
        expect.objectContaining({ code: "MM_INVALID_OPTION" }),
      );
    }
  });

  test("an instance of the imported class, outside the world, fails the property, naming the class", async () => {
    const report = await checkMigration(visits, {
      ...base,
      construct: { Session: (values) => Object.assign(new Session(), values) },
      properties: ["totality", "rollback"],
    });
    for (const result of report.properties) {
      expect(result.status, formatMigrationReport(report)).toBe("failed");
      expect(result.failure!.error).toBeInstanceOf(ConstructedOutsideWorldError);
      expect(result.failure!.error).toMatchObject({
        code: "MM_CONSTRUCTED_OUTSIDE_WORLD",
        details: { className: "Session" },
      });
    }
  });
});
