/**
 * MM_STALE_FUNCTION_FIELD for functions a method the constructor calls
 * writes into the object, which the source reader learns as no field
 * (lru-cache 7.10's `initializeSizeTracking()`:
 * `this.addItemSize = (index, v, k, size) => …`, called by 7.18 as
 * `this.addItemSize(index, size, status)`). Applied, every size-bounded
 * cache made before the update kept the 7.10 function and stopped
 * enforcing maxSize, and only MM_UNSEEN_STATE said anything. Now one
 * warning for the class names the functions: those the objects hold (an
 * eager update, or one that migrates nothing, looks at them), or those they
 * may hold (a lazy update of a migrating class has no object at hand).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Cache = { set(k: string, v: string): Cache; size: number; calculatedSize: number };
type Options = { maxSize?: number };

/**
 * One release of a size-bounded cache in lru-cache 7's pattern. `adds`
 * and `removes` are the functions `initializeSizeTracking` writes; `calls`
 * how `set` calls addItemSize; `field` an extra learned field (a release
 * that adds one migrates the class).
 */
function release(
  tag: string,
  {
    adds,
    removes,
    calls,
    field = "",
  }: { adds: string; removes: string; calls: string; field?: string },
): new (
  o?: Options,
) => Cache {
  return new Function(
    "tag",
    `"use strict";
    return class LRUCache {
      constructor(options = {}) {
        this.maxSize = options.maxSize || 0;
        this.keys = [];
        this.size = 0;
        ${field}
        if (this.maxSize) this.initializeSizeTracking();
      }
      initializeSizeTracking() {
        this.calculatedSize = 0;
        this.sizes = [];
        this.addItemSize = ${adds};
        this.removeItemSize = ${removes};
      }
      addItemSize(index, a, b, c) {}
      removeItemSize(index) {}
      set(k, v) {
        const index = this.keys.length;
        this.keys.push(k);
        this.size++;
        ${calls};
        while (this.maxSize && this.calculatedSize > this.maxSize) {
          this.removeItemSize(0);
          this.keys.shift();
          this.sizes.shift();
          this.size--;
        }
        return this;
      }
      tag() { return tag; }
    };`,
  )(tag) as new (
    o?: Options,
  ) => Cache;
}

const OLD_ADDS =
  "(index, v, k, size) => { this.sizes[index] = size; this.calculatedSize += size; }";
const NEW_ADDS =
  "(index, size, status) => { this.sizes[index] = size; this.calculatedSize += size; if (status) status.total = this.calculatedSize; }";
const REMOVES = "(index) => { this.calculatedSize -= this.sizes[index]; }";
const NEW_REMOVES =
  "(index) => { this.calculatedSize -= this.sizes[index]; this.sizes[index] = 0; }";
const v710 = { adds: OLD_ADDS, removes: REMOVES, calls: "this.addItemSize(index, v, k, v.length)" };
const v718 = {
  adds: NEW_ADDS,
  removes: REMOVES,
  calls: "this.addItemSize(index, v.length, undefined)",
};

const stale = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_STALE_FUNCTION_FIELD");

test.each([
  ["eager", "", "hold"],
  ["lazy", "", "hold"],
  ["progressive", "", "hold"],
  // A release that adds a field migrates the class: a lazy one has no object at hand.
  ["eager", "this.ttl = 0;", "hold"],
  ["lazy", "this.ttl = 0;", "may hold"],
] as const)(
  "a release that writes another function under the name is named, once for the class (%s, field change: %s)",
  (policy, field, verb) => {
    const [a, b] = [release("7.10", v710), release("7.18", { ...v718, field })];
    const ns = new Namespace(`method-functions-${policy}-${field.length}`);
    const LRU = ns.registerClass(a, { name: "LRUCache" }) as unknown as typeof a;
    const cache = new LRU({ maxSize: 100 });
    for (let i = 0; i < 50; i++) cache.set(`k${i}`, "xxxxx");
    const result = updateSync(ns, patch("7.18").replaceImplementation("LRUCache", b).build(), {
      policy,
    });
    const said = stale(result.warnings);
    expect(said).toHaveLength(1);
    expect(said[0]!.className).toBe("LRUCache");
    expect(said[0]!.note).toBe(
      `the objects ${verb} functions the running version's initializeSizeTracking() wrote into them (\`addItemSize\`), which the new version writes differently`,
    );
    // What it warns of: the old function reads the new call's arguments its own way.
    for (let i = 0; i < 100; i++) cache.set(`n${i}`, "xxxxx");
    expect(cache.calculatedSize).toBeNaN();
  },
);

/**
 * Over which of the two functions the new release changes and whether the
 * objects alive have them (a cache without maxSize has none): the warning
 * names exactly the changed functions the objects hold, and there is none
 * where that is nothing.
 */
test("names exactly the functions changed that the objects hold", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (addsChanges, removesChanges, bounded, policy) => {
        const before = release("a", v710);
        const after = release("b", {
          adds: addsChanges ? NEW_ADDS : OLD_ADDS,
          // Whitespace alone is no change.
          removes: removesChanges ? NEW_REMOVES : REMOVES.replace("=> {", "=>\n        {"),
          calls: v710.calls,
        });
        const ns = new Namespace("method-functions-property");
        const LRU = ns.registerClass(before, { name: "LRUCache" }) as unknown as typeof before;
        // Held: the heap finder finds only objects the program keeps.
        const cache = new LRU(bounded ? { maxSize: 10 } : {}).set("k", "v");
        const result = updateSync(ns, patch("b").replaceImplementation("LRUCache", after).build(), {
          policy,
        });
        const names = [
          ...(removesChanges ? ["`removeItemSize`"] : []),
          ...(addsChanges ? ["`addItemSize`"] : []),
        ];
        const said = stale(result.warnings).map((w) => /\(([^)]*)\), which/.exec(w.note)?.[1]);
        expect(said).toEqual(bounded && names.length > 0 ? [names.sort().join(", ")] : []);
        expect(cache.size).toBe(1);
      },
    ),
    { seed: 7183, numRuns: 16 },
  );
});
