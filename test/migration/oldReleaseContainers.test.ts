/**
 * MM_OLD_RELEASE_VALUE for objects of the running release's classes held
 * in a Map, a Set or a plain-object dictionary a field holds, as for those
 * in an array.
 *
 * graphology's pattern: Graph keeps its NodeData in a Map `_nodes`; with
 * only Graph given its next release, whose code calls `degree()` on the
 * NodeData it finds there, the update named the array field beside it and
 * said nothing of the Map, and `outDegree()` threw on every node.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Graph = { addNode(key: string): Graph; outDegree(key: string): number };
type GraphClass = new () => Graph;

/** How a Graph holds its NodeData `d` of key `k`: the field's initial container, and the statement that fills it. */
type Holding = { readonly make: string; readonly fill: string };

const MAP_VALUE: Holding = { make: "new Map()", fill: "this._nodes.set(k, d)" };

/** One release of a graph package; `NodeData` is handed in where both releases share one copy of it. */
function graph(next: boolean, { make, fill }: Holding, NodeData?: Function): GraphClass {
  return new Function(
    "Shared",
    `"use strict";
    const NodeData = Shared ?? class NodeData {
      constructor(key) { this.key = key; this.out = 1; }
      ${next ? "degree() { return this.out; }" : ""}
    };
    class Graph {
      constructor() { this._nodes = ${make}; }
      addNode(k) { const d = new NodeData(k); ${fill}; return this; }
      outDegree(k) { for (const d of this.all()) if (d.key === k) return ${next ? "d.degree()" : "d.out"}; return 0; }
      all() {
        const found = [];
        const walk = (v) => {
          if (v instanceof Map) for (const [key, value] of v) { walk(key); walk(value); }
          else if (v instanceof Set || Array.isArray(v)) for (const x of v) walk(x);
          else if (typeof v === "object" && v !== null && [null, Object.prototype].includes(Object.getPrototypeOf(v)))
            for (const x of Object.values(v)) walk(x);
          else if (typeof v === "object" && v !== null) found.push(v); // any release's node
        };
        walk(this._nodes);
        return found;
      }
    }
    return Graph;`,
  )(NodeData) as GraphClass;
}

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE");

function upgrade(
  policy: "eager" | "lazy" | "progressive",
  [a, b]: readonly [GraphClass, GraphClass],
) {
  const ns = new Namespace(`old-release-containers-${policy}`);
  const G = ns.registerClass(a, { name: "Graph" }) as unknown as GraphClass;
  const g = new G().addNode("a");
  const result = updateSync(ns, patch("next").replaceImplementation("Graph", b).build(), {
    policy,
  });
  return { g, warnings: said(result.warnings) };
}

describe.each(["eager", "lazy", "progressive"] as const)("graphology's pattern (%s)", (policy) => {
  test("NodeData held in a Map field: named, as the Map's", () => {
    const { g, warnings } = upgrade(policy, [graph(false, MAP_VALUE), graph(true, MAP_VALUE)]);
    expect(warnings.map((w) => w.field)).toEqual(["_nodes"]);
    expect(warnings[0]!.note).toMatch(
      /^field `_nodes` holds Maps of objects of class NodeData of the running release, which this update does not replace; the new release's code has a class NodeData of its own/,
    );
    // What it warns of.
    expect(() => g.outDegree("a")).toThrow(/degree is not a function/);
  });

  test("both releases sharing one NodeData: nothing said", () => {
    class NodeData {
      out = 1;
      constructor(readonly key: string) {}
      degree() {
        return this.out;
      }
    }
    const { g, warnings } = upgrade(policy, [
      graph(false, MAP_VALUE, NodeData),
      graph(true, MAP_VALUE, NodeData),
    ]);
    expect(warnings).toEqual([]);
    expect(g.outDegree("a")).toBe(1);
  });
});

/**
 * Over how the field holds the node (an array's element, a Map's value or
 * key, a Set's element, and those nested two deep): it is named, with the
 * outermost container the note says, at any nesting the look reaches.
 */
test("a node in any container of the field is named, with the outermost container", () => {
  const ways = {
    array: {
      make: "[]",
      wrap: (x: string) => `[${x}]`,
      fill: (x: string) => `this._nodes.push(${x})`,
    },
    mapValue: {
      make: "new Map()",
      wrap: (x: string) => `new Map([["k", ${x}]])`,
      fill: (x: string) => `this._nodes.set(k, ${x})`,
    },
    mapKey: {
      make: "new Map()",
      wrap: (x: string) => `new Map([[${x}, 1]])`,
      fill: (x: string) => `this._nodes.set(${x}, k)`,
    },
    set: {
      make: "new Set()",
      wrap: (x: string) => `new Set([${x}])`,
      fill: (x: string) => `this._nodes.add(${x})`,
    },
    // ajv's `this.schemas = {}`, tiny-lru's `items` (review advZ27 #4: not looked into).
    dictionary: {
      make: "{}",
      wrap: (x: string) => `{ k: ${x} }`,
      fill: (x: string) => `this._nodes[k] = ${x}`,
    },
    nullDictionary: {
      make: "Object.create(null)",
      wrap: (x: string) => `Object.assign(Object.create(null), { k: ${x} })`,
      fill: (x: string) => `this._nodes[k] = ${x}`,
    },
  } as const;
  const word = {
    ...{ array: "arrays", mapValue: "Maps", mapKey: "Maps", set: "Sets" },
    ...{ dictionary: "dictionaries", nullDictionary: "dictionaries" },
  } as const;
  type Way = keyof typeof ways;
  const way = fc.constantFrom(...(Object.keys(ways) as Way[]));
  fc.assert(
    fc.property(
      way,
      fc.option(way, { nil: undefined }),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (outer, inner, policy) => {
        const held = inner === undefined ? "d" : ways[inner].wrap("d");
        const holding = { make: ways[outer].make, fill: ways[outer].fill(held) };
        const { g, warnings } = upgrade(policy, [graph(false, holding), graph(true, holding)]);
        expect(warnings.map((w) => w.field)).toEqual(["_nodes"]);
        expect(warnings[0]!.note).toMatch(
          new RegExp(`^field \`_nodes\` holds ${word[outer]} of objects of class NodeData\\b`),
        );
        expect(() => g.outDegree("a")).toThrow(/degree is not a function/);
      },
    ),
    { seed: 27182, numRuns: 30 },
  );
});
