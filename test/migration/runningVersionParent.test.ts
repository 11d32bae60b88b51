/**
 * `metamorph dev` reloads a base class and hands each subclass's running
 * version back (`replaceImplementation(sub, currentVersion(sub).ctor)`) so
 * that it migrates with the base. After the base's first field change that
 * running version extends the base's running version, not its handle: the
 * next update of the base (a field removed, a getter back from a field) was
 * refused `MM_EXTERNAL_SUPERCLASS` ("Monster would change … to extending
 * Entity"), and every later save of the base failed the same way.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { currentVersion } from "../../src/mop/classHandle.js";

test("a subclass's running version handed back migrates with its base, update after update; rollbacks exact", () => {
  const ns = new Namespace("running-version-parent", { instanceFinder: "registry" });
  class Entity {
    hp = 1;
  }
  const E = ns.registerClass(Entity);
  class Monster extends (E as typeof Entity) {
    rage = 2;
  }
  const M = ns.registerClass(Monster);
  const m = new M();
  const base = (fields: string) =>
    new Function(`return class Entity { ${fields} };`)() as new () => object;
  const reload = (name: string, fields: string) =>
    updateSync(
      ns,
      patch(name)
        .replaceImplementation("Entity", base(fields), { sameScope: true })
        .replaceImplementation("Monster", currentVersion(M).ctor)
        .build(),
    );
  const shapes: string[] = [JSON.stringify(m)];
  const results = [
    reload("add speed", "hp = 1; speed = 3;"),
    reload("remove speed", "hp = 1;"),
    reload("add label", "hp = 1; label = 'e';"),
    reload("remove label", "hp = 1;"),
  ];
  expect(results.map((r) => r.state())).toEqual([
    "committed",
    "committed",
    "committed",
    "committed",
  ]);
  expect(m).toBeInstanceOf(M);
  expect(m).toBeInstanceOf(E);
  expect({ ...m }).toEqual({ hp: 1, rage: 2 });
  // Rolled back last first, each step gives back the layout before it.
  const before = [
    { hp: 1, rage: 2 },
    { hp: 1, speed: 3, rage: 2 },
    { hp: 1, rage: 2 },
    { hp: 1, label: "e", rage: 2 },
  ];
  for (let i = results.length - 1; i >= 0; i--) {
    results[i]!.rollback();
    shapes.push(JSON.stringify(m));
    expect({ ...m }).toEqual(before[i]);
  }
  expect(shapes[0]).toBe(shapes.at(-1));
});

test("replacing only a subclass whose release extends that release's own superclass: refused, saying to replace the superclass in the same patch (Z7: @datastructures-js/graph)", () => {
  const release = (v: number) =>
    new Function(
      "v",
      `"use strict";
      class DirectedGraph { constructor() { this.vertices = new Map(); } add(k) { this.vertices.set(k, v); return this; } }
      class Graph extends DirectedGraph { size() { return this.vertices.size; } }
      return { DirectedGraph, Graph };`,
    )(v) as { DirectedGraph: new () => object; Graph: new () => { add(k: string): object } };
  const [r1, r2] = [release(1), release(2)];
  const ns = new Namespace("graph-hierarchy");
  ns.registerClass(r1.DirectedGraph, { name: "DirectedGraph" });
  const Graph = ns.registerClass(r1.Graph, { name: "Graph" }) as unknown as new () => {
    add(k: string): { vertices: Map<string, number> };
  };
  const g = new Graph();
  g.add("a");
  expect(() =>
    updateSync(ns, patch("only").replaceImplementation("Graph", r2.Graph).build()),
  ).toThrow(
    /extends its own release's DirectedGraph, not the namespace's DirectedGraph.*replace DirectedGraph in the same patch/,
  );
  updateSync(
    ns,
    patch("both")
      .replaceImplementation("DirectedGraph", r2.DirectedGraph)
      .replaceImplementation("Graph", r2.Graph)
      .build(),
  );
  expect([...g.add("b").vertices]).toEqual([
    ["a", 1],
    ["b", 2],
  ]);
});
