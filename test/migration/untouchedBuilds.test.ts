/**
 * A build shares what it leaves alone (building/drafts.ts, build.ts): the
 * drafts of untouched classes hold shared read-only empty lists, and the
 * build of an untouched class is kept per definition. No build may see what
 * another one recorded.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { ClassDefinition } from "../../src/mop/classDefinition.js";
import { definitionFromSpec } from "../../src/mop/classDefinition.js";
import { buildDefinitions } from "../../src/migration/build.js";

const world = (): Map<string, ClassDefinition> =>
  new Map(
    [
      definitionFromSpec({ name: "A", fields: ["x", "y"] }),
      definitionFromSpec({ name: "B", superclass: "A", fields: ["z"] }),
      definitionFromSpec({ name: "C", fields: ["w"] }),
    ].map((d) => [d.name, d]),
  );

describe("builds of the classes a patch leaves alone", () => {
  test("are the same object at every build, with no origins, initialisers, migrators or splits", () => {
    const defs = world();
    const first = buildDefinitions(
      defs,
      patch("p1").renameField("A", "x", "x2").build().operations,
    );
    const second = buildDefinitions(defs, patch("p2").addField("A", "v").build().operations);
    const c1 = first.classes.get("C")!;
    expect(second.classes.get("C")).toBe(c1);
    expect(c1.definition).toBe(defs.get("C"));
    expect([
      c1.fieldOrigins.size,
      c1.initialisers.size,
      c1.migrators.length,
      c1.splits.length,
    ]).toEqual([0, 0, 0, 0]);
  });

  test("never carry what another build recorded for the same class", () => {
    const defs = world();
    const renamed = buildDefinitions(
      defs,
      patch("p1")
        .renameField("B", "z", "z2")
        .migrate("B", (_old: object, target: object) => {
          (target as { z2: number }).z2 = 1;
        })
        .build().operations,
    );
    const b = renamed.classes.get("B")!;
    expect([...b.fieldOrigins]).toEqual([["z2", "z"]]);
    expect(b.migrators).toHaveLength(1);
    const other = buildDefinitions(defs, patch("p2").addField("C", "v").build().operations);
    const untouchedB = other.classes.get("B")!;
    expect(untouchedB.definition).toBe(defs.get("B"));
    expect([...untouchedB.fieldOrigins]).toEqual([]);
    expect(untouchedB.migrators).toEqual([]);
  });

  test("are read-only: a change that skipped touching its draft throws instead of leaking", () => {
    const defs = world();
    const c = buildDefinitions(defs, patch("p").addField("A", "v").build().operations).classes.get(
      "C",
    )!;
    expect(() => (c.fieldOrigins as Map<string, string | null>).set("w", null)).toThrow(TypeError);
    expect(() => (c.migrators as unknown[]).push(() => {})).toThrow(TypeError);
  });
});
