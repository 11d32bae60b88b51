/**
 * The registry finder records only objects made through a class handle. A
 * class registered as the program wrote it is also built by its own code
 * (`static make() { return new Point() }` reads the class's inner binding):
 * with the registry named, an update never found those objects, and said
 * nothing while they kept the old layout under the new methods.
 */
import { describe, expect, test } from "vitest";
import { Namespace, type NamespaceOptions, patch, update } from "../../src/index.js";

function pointClass() {
  return class Point {
    x = 1;
    y = 2;
    sum(): number {
      return this.x + this.y;
    }
    static make(): Point {
      return new Point();
    }
  };
}

const addZ = (policy: "eager" | "lazy" | "progressive") =>
  patch("z")
    .addField("Point", "z", { default: 3 })
    .replaceMethods("Point", {
      sum(this: { x: number; y: number; z: number }) {
        return this.x + this.y + this.z;
      },
    })
    .policy(policy)
    .build();

const unseen = (warnings: readonly { code: string; className: string }[]) =>
  warnings.filter((w) => w.code === "MM_UNSEEN_INSTANCES").map((w) => w.className);

describe("objects a registered class builds itself, with the registry finder named", () => {
  test.each(["eager", "lazy", "progressive"] as const)(
    "%s: the update warns MM_UNSEEN_INSTANCES, naming the class (what it did not find is why)",
    async (policy) => {
      const Original = pointClass();
      const ns = new Namespace(`unseen-${policy}`, { instanceFinder: "registry" });
      const Point = ns.registerClass(Original);
      const inside = Original.make();
      const outside = new Point();
      const result = await update(ns, addZ(policy));
      expect(unseen(result.warnings)).toEqual(["Point"]);
      const w = result.warnings.find((x) => x.code === "MM_UNSEEN_INSTANCES")!;
      expect(w.message).toContain("class Point");
      expect(w.message).toContain("constructedOnlyThroughHandle");
      expect(outside.sum()).toBe(6);
      // What the warning is about: an eager update left the object it did not find on the old layout.
      if (policy === "eager") expect(Object.keys(inside)).toEqual(["x", "y"]);
    },
  );

  test.each<[string, NamespaceOptions, boolean]>([
    ["the heap finder", { instanceFinder: "heap" }, false],
    ["the default finder", {}, false],
    [
      "the registry, for a class built only through its handle",
      { instanceFinder: "registry" },
      true,
    ],
  ])("no warning with %s, and every object migrated", async (_, options, throughHandle) => {
    const Original = pointClass();
    const ns = new Namespace("seen", options);
    const Point = ns.registerClass(
      Original,
      throughHandle ? { constructedOnlyThroughHandle: true } : {},
    );
    const objects = throughHandle ? [new Point(), new Point()] : [Original.make(), new Point()];
    const result = await update(ns, addZ("eager"));
    expect(unseen(result.warnings)).toEqual([]);
    expect(objects.map((o) => o.sum())).toEqual([6, 6]);
  });

  test("no warning for an update that migrates no field of the class (its methods reach every object)", async () => {
    const Original = pointClass();
    const ns = new Namespace("methods", { instanceFinder: "registry" });
    ns.registerClass(Original);
    const inside = Original.make();
    const result = await update(
      ns,
      patch("m")
        .replaceMethods("Point", {
          sum(this: { x: number; y: number }) {
            return this.x * this.y;
          },
        })
        .build(),
    );
    expect(unseen(result.warnings)).toEqual([]);
    expect(inside.sum()).toBe(2);
  });
});
