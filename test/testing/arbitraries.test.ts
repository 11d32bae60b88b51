/**
 * The kit's arbitraries: worlds of live instances (subclass instances,
 * shared references, cycles), values inferred from field defaults or given,
 * instances of one class, and specs that print and rebuild faithfully.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { currentVersion } from "../../src/mop/index.js";
import { Namespace } from "../../src/index.js";
import type { WorldSpec } from "../../src/testing/index.js";
import {
  buildWorld,
  formatWorldSpec,
  instanceArbitrary,
  worldArbitrary,
  worldModel,
  worldSpecArbitrary,
} from "../../src/testing/index.js";

const Animal = {
  name: "Animal",
  fields: [{ name: "name", initializer: '""' }, { name: "legs", initializer: "4" }, "friend"],
};
const Dog = {
  name: "Dog",
  superclass: "Animal",
  fields: [{ name: "tricks", initializer: "[]" }, { name: "good", initializer: "true" }, "owner"],
};
const Puppy = { name: "Puppy", superclass: "Dog", fields: ["mother"] };
// Given subclass first: the kit puts superclasses first.
const classes = [Puppy, Dog, Animal];

const refsOf = (spec: WorldSpec) =>
  spec.instances.flatMap((i, from) =>
    Object.values(i.fields).flatMap((v) => ("ref" in v ? [[from, v.ref] as const] : [])),
  );

describe("world specs", () => {
  const model = worldModel({ classes });
  const specs = fc.sample(worldSpecArbitrary(model, { maxInstances: 6 }), {
    seed: 11,
    numRuns: 300,
  });

  test("list every field of the class, inherited first, and nothing else", () => {
    const fields: Record<string, string[]> = {
      Animal: ["name", "legs", "friend"],
      Dog: ["name", "legs", "friend", "tricks", "good", "owner"],
      Puppy: ["name", "legs", "friend", "tricks", "good", "owner", "mother"],
    };
    for (const spec of specs) {
      for (const i of spec.instances) expect(Object.keys(i.fields)).toEqual(fields[i.className]);
    }
  });

  test("often hold subclass instances, shared references and cycles, and references only to instances that exist", () => {
    let subclasses = 0;
    let shared = 0;
    let cycles = 0;
    for (const spec of specs) {
      const refs = refsOf(spec);
      for (const [, to] of refs) expect(to).toBeLessThan(spec.instances.length);
      if (spec.instances.some((i) => i.className !== "Animal")) subclasses++;
      const targets = refs.map(([, to]) => to);
      if (new Set(targets).size < targets.length) shared++;
      const next = new Map<number, number[]>();
      for (const [from, to] of refs) next.set(from, [...(next.get(from) ?? []), to]);
      const reaches = (from: number, target: number): boolean => {
        const seen = new Set<number>();
        const stack = [...(next.get(from) ?? [])];
        while (stack.length > 0) {
          const n = stack.pop()!;
          if (n === target) return true;
          if (seen.has(n)) continue;
          seen.add(n);
          stack.push(...(next.get(n) ?? []));
        }
        return false;
      };
      if (spec.instances.some((_, i) => reaches(i, i))) cycles++;
    }
    expect(subclasses).toBeGreaterThan(specs.length / 2);
    expect(shared).toBeGreaterThan(specs.length / 5);
    expect(cycles).toBeGreaterThan(specs.length / 5);
  });

  test("infer values from each field's initial value: strings, integers, booleans, arrays", () => {
    for (const spec of specs) {
      for (const i of spec.instances) {
        const value = (field: string) => (i.fields[field] as { value: unknown }).value;
        expect(typeof value("name")).toBe("string");
        expect(Number.isInteger(value("legs"))).toBe(true);
        if (i.className !== "Animal") {
          expect(Array.isArray(value("tricks"))).toBe(true);
          expect(typeof value("good")).toBe("boolean");
        }
      }
    }
  });

  test("take given values per field or per whole record; a superclass's entry serves its subclasses", () => {
    const given = fc.sample(
      worldSpecArbitrary(model, {
        values: {
          Animal: { legs: fc.constant(3) },
          Dog: fc.record({ good: fc.constant(false), owner: fc.constant("me") }),
        },
        references: false,
        minInstances: 1,
      }),
      { seed: 5, numRuns: 100 },
    );
    for (const spec of given) {
      expect(refsOf(spec)).toEqual([]);
      for (const i of spec.instances) {
        expect(i.fields.legs).toEqual({ value: 3 });
        if (i.className !== "Animal") {
          expect(i.fields.good).toEqual({ value: false });
          expect(i.fields.owner).toEqual({ value: "me" });
        }
      }
    }
  });

  test("respect the instance count bounds and the classes to instantiate", () => {
    const bounded = fc.sample(
      worldSpecArbitrary(model, { minInstances: 2, maxInstances: 3, instantiate: ["Puppy"] }),
      { seed: 6, numRuns: 100 },
    );
    for (const spec of bounded) {
      expect(spec.instances.length).toBeGreaterThanOrEqual(2);
      expect(spec.instances.length).toBeLessThanOrEqual(3);
      expect(new Set(spec.instances.map((i) => i.className))).toEqual(new Set(["Puppy"]));
    }
  });

  test("print one instance a line, also inside fast-check's messages", () => {
    const spec: WorldSpec = {
      instances: [
        {
          className: "Animal",
          fields: { name: { value: "a" }, legs: { value: 4 }, friend: { ref: 1 } },
        },
        {
          className: "Animal",
          fields: { name: { value: "" }, legs: { value: -1 }, friend: { ref: 0 } },
        },
      ],
    };
    expect(formatWorldSpec(spec)).toBe(
      '#0 Animal { name: "a", legs: 4, friend: →#1 }\n#1 Animal { name: "", legs: -1, friend: →#0 }',
    );
    expect(fc.stringify(specs.find((s) => s.instances.length === 1))).toMatch(/^#0 \w+ \{ name: /);
  });
});

describe("built worlds", () => {
  const model = worldModel({ classes });
  const spec: WorldSpec = {
    instances: [
      {
        className: "Dog",
        fields: {
          name: { value: "rex" },
          legs: { value: 4 },
          friend: { ref: 1 },
          tricks: { value: ["sit"] },
          good: { value: true },
          owner: { ref: 0 },
        },
      },
      {
        className: "Animal",
        fields: { name: { value: "cat" }, legs: { value: 4 }, friend: { ref: 0 } },
      },
    ],
  };

  test("are live instances of the classes, with the spec's values and references (cycles included)", () => {
    const world = buildWorld(model, spec);
    const [rex, cat] = world.instances as Record<string, unknown>[];
    const Dog = world.namespace.classNamed("Dog");
    expect(rex).toBeInstanceOf(Dog);
    expect(rex).toBeInstanceOf(world.namespace.classNamed("Animal"));
    expect(Object.getPrototypeOf(cat)).toBe(world.namespace.classNamed("Animal").prototype);
    expect(Object.keys(rex!)).toEqual(["name", "legs", "friend", "tricks", "good", "owner"]);
    expect(rex!.friend).toBe(cat);
    expect(cat!.friend).toBe(rex);
    expect(rex!.owner).toBe(rex);
    expect(rex!.tricks).toEqual(["sit"]);
    // The namespace finds them: an update would migrate them.
    expect(world.namespace.allInstances(Dog)).toEqual([rex]);
  });

  test("built twice from one spec share nothing: fresh namespaces, classes and plain data", () => {
    const one = buildWorld(model, spec);
    const two = buildWorld(model, spec);
    expect(one.namespace).not.toBe(two.namespace);
    expect(one.namespace.classNamed("Dog")).not.toBe(two.namespace.classNamed("Dog"));
    const tricks = (w: typeof one) => (w.instances[0] as { tricks: string[] }).tricks;
    tricks(one).push("roll");
    expect(tricks(two)).toEqual(["sit"]);
    expect((spec.instances[0]!.fields.tricks as { value: string[] }).value).toEqual(["sit"]);
  });

  test("worldArbitrary builds a fresh live world for every value", () => {
    const worlds = fc.sample(worldArbitrary({ classes }, { minInstances: 1 }), {
      seed: 2,
      numRuns: 20,
    });
    expect(new Set(worlds.map((w) => w.namespace)).size).toBe(20);
    for (const w of worlds) {
      expect(w.instances).toHaveLength(w.spec.instances.length);
      for (const [i, o] of w.instances.entries()) {
        expect(o).toBeInstanceOf(w.namespace.classNamed(w.spec.instances[i]!.className));
      }
    }
  });

  test("a namespace factory is a world source too", () => {
    const source = {
      namespace: () => {
        const ns = new Namespace("factory");
        ns.defineClass({
          name: "Point",
          fields: [
            { name: "x", initializer: "0" },
            { name: "y", initializer: "0" },
          ],
        });
        return ns;
      },
    };
    const m = worldModel(source);
    expect(m.classes.map((c) => [c.name, c.fields])).toEqual([["Point", ["x", "y"]]]);
    const [spec] = fc.sample(worldSpecArbitrary(m, { minInstances: 2 }), { seed: 1, numRuns: 1 });
    const world = buildWorld(m, spec!);
    expect(world.instances.every((p) => Number.isInteger((p as { x: number }).x))).toBe(true);
  });
});

describe("instances of one class", () => {
  test("of a live class handle: instances of that very class, found by its namespace", () => {
    const ns = new Namespace("live");
    const Point = ns.defineClass<{ x: number; y: number }>({
      name: "Point",
      fields: [
        { name: "x", initializer: "0" },
        { name: "y", initializer: "0" },
      ],
    });
    const points = fc.sample(
      instanceArbitrary(Point, { values: { Point: { y: fc.constant(7) } } }),
      {
        seed: 3,
        numRuns: 30,
      },
    );
    for (const p of points) {
      expect(p).toBeInstanceOf(Point);
      expect(Object.keys(p)).toEqual(["x", "y"]);
      expect(Number.isInteger(p.x)).toBe(true);
      expect(p.y).toBe(7);
    }
    // Generating made no stray instance: only the ones we got are live (and held).
    expect(ns.allInstances(Point).every((p) => points.includes(p))).toBe(true);
  });

  test("of a class spec, with its superclass given", () => {
    const puppies = fc.sample(instanceArbitrary(Puppy, { classes }), { seed: 4, numRuns: 20 });
    for (const p of puppies) {
      expect(Object.keys(p)).toEqual([
        "name",
        "legs",
        "friend",
        "tricks",
        "good",
        "owner",
        "mother",
      ]);
      expect(currentVersion(p.constructor as Function).definition.name).toBe("Puppy");
    }
  });

  test("of an ordinary class: constructed, then given values for its declared fields", () => {
    class Temperature {
      celsius = 0;
      label = "";
      describe(): string {
        return `${this.label}: ${this.celsius}°C`;
      }
    }
    const temps = fc.sample(instanceArbitrary(Temperature), { seed: 5, numRuns: 20 });
    for (const t of temps) {
      expect(t).toBeInstanceOf(Temperature);
      expect(Number.isInteger(t.celsius)).toBe(true);
      expect(typeof t.label).toBe("string");
      expect(t.describe()).toContain("°C");
    }
  });
});
