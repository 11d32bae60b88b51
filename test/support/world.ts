// Builds live namespaces from the patch arbitrary's model worlds, and takes
// structural snapshots of object graphs that record values, keys, prototypes
// and identities (references are recorded as indexes into the graph).
import { Namespace } from "../../src/index.js";
import type { ModelWorld } from "../../src/testing/index.js";

export interface LiveWorld {
  readonly ns: Namespace;
  /** Every instance, in creation order. */
  readonly objects: object[];
}

/** A method every class of a probed world has, so that a first touch can go through lazy guards. */
const PROBE = {
  key: "__probe",
  kind: "method" as const,
  static: false,
  source: "__probe() { return 1; }",
};

/** Defines the world's classes in `ns` (with `extraMethods`) and makes `perClass` instances of each. */
function populate(
  world: ModelWorld,
  ns: Namespace,
  extraMethods: readonly (typeof PROBE)[],
  perClass: number,
  seed: number,
): LiveWorld {
  for (const c of world.classes) {
    ns.defineClass({
      name: c.name,
      superclass: c.superclass,
      fields: c.fields,
      methods: [...c.methods, ...extraMethods],
    });
  }
  const objects: object[] = [];
  let n = seed;
  for (const c of world.classes) {
    const cls = ns.classNamed(c.name) as unknown as new () => Record<string, unknown>;
    for (let i = 0; i < perClass; i++) {
      const o = new cls();
      // Sizes stay numbers: the arbitrary's validations expect them to.
      for (const key of Object.keys(o)) o[key] = key !== "size" && n++ % 3 === 0 ? `s${n}` : n++;
      objects.push(o);
    }
  }
  return { ns, objects };
}

/** Defines the world's classes and makes `perClass` instances of each, with values derived from `seed`. */
export function liveWorld(world: ModelWorld, perClass: number, seed = 1): LiveWorld {
  const { ns, objects } = populate(world, new Namespace("fuzz"), [], perClass, seed);
  // Shared references and a cycle: the first object points at the last and back.
  if (objects.length > 1) {
    const first = objects[0] as Record<string, unknown>;
    const last = objects[objects.length - 1] as Record<string, unknown>;
    const k1 = Object.keys(first)[0];
    const k2 = Object.keys(last)[0];
    if (k1 && k2) {
      first[k1] = last;
      last[k2] = first;
    }
  }
  return { ns, objects };
}

/**
 * Three instances of each class of the world, every class with a `__probe()`
 * method: calling it is a first touch that migrates a lazy object.
 */
export function probedWorld(
  world: ModelWorld,
  finder: "registry" | "heap",
  name = "fuzz",
): LiveWorld {
  return populate(world, new Namespace(name, { instanceFinder: finder }), [PROBE], 3, 1);
}

export interface ObjectShape {
  readonly prototype: object | null;
  readonly entries: readonly [string, unknown][];
}

/**
 * Values (references as `{ ref: index }`), key order and prototype of each
 * object, and of every object reachable from them (indexed after them in
 * the order found), so two snapshots are equal exactly when the graphs are.
 */
export function graphSnapshot(roots: readonly object[]): ObjectShape[] {
  const objects = [...roots];
  const index = new Map(objects.map((o, i) => [o, i] as const));
  const shapes: ObjectShape[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    shapes.push({
      prototype: Object.getPrototypeOf(o),
      entries: Object.entries(o).map(([k, v]) => {
        if (typeof v !== "object" || v === null) return [k, v];
        if (!index.has(v)) {
          index.set(v, objects.length);
          objects.push(v);
        }
        return [k, { ref: index.get(v) }];
      }),
    });
  }
  return shapes;
}
