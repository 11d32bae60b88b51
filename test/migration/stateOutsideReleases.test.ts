/**
 * MM_PRIVATE_STATE for state kept outside the objects, in a map of the
 * module keyed by the object, says which release holds which map and what
 * is lost. opossum 6.4 -> 8.5 was told the new implementation "reads maps
 * of its own in which the existing objects have no entry" where only 6.4
 * had one (`CACHE.set(this, …)`; 8.5 keeps its cache another way): what
 * is lost is the running release's entries, which the new code never
 * reads, and "say so with { sameScope: true }" cannot help where no map
 * is the same (review advZ22).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { type MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";

type Breaker = { fire(): string };

/** A breaker that keeps its last result in the module map `map`, or (null) in a field. */
function release(tag: string, map: string | null): new () => Breaker {
  const body =
    map === null
      ? `class Breaker { constructor() { this.last = null; } fire() { this.last = tag; return tag + ":" + this.last; } }`
      : `const ${map} = new WeakMap();
        class Breaker { constructor() { ${map}.set(this, null); } fire() { ${map}.set(this, tag); return tag + ":" + ${map}.get(this); } }`;
  return new Function("tag", `"use strict"; ${body} return Breaker;`)(tag);
}

/** Which release keeps the state in a map of its module, and under which name. */
const shapes = {
  runningOnly: { running: "CACHE", next: null },
  newOnly: { running: null, next: "STATE" },
  both: { running: "CACHE", next: "CACHE" },
  renamed: { running: "a", next: "b" },
} as const;

test("opossum 6.4 -> 8.5's shape: the running release's map, which the new code never reads, is named as such", () => {
  const ns = new Namespace("state-outside-running-only");
  const B = ns.registerClass(release("6.4", "CACHE"), { name: "Breaker" }) as new () => Breaker;
  const b = new B();
  let error: MetamorphError | undefined;
  try {
    updateSync(ns, patch("8.5").replaceImplementation("Breaker", release("8.5", null)).build());
  } catch (e) {
    error = e as MetamorphError;
  }
  expect(error?.code).toBe("MM_PRIVATE_STATE");
  expect(error?.message).toBe(
    "class Breaker keeps state for its objects outside them in the running release, in CACHE (keyed by the object: `CACHE.set(this…)`), a map of that release's module that the new implementation does not have: evaluated in another module scope, such as a package's next release, the new code never reads it, so the running release's entries for the existing objects are lost (the new code keeps that state another way, which the existing objects were never given). Restart the program to load the new version: no migrator can read or fill a map of a module's scope",
  );
  expect(error?.details).toMatchObject({ runningMaps: ["CACHE"], newMaps: [] });
  // Refused before anything changed.
  expect(b.fire()).toBe("6.4:6.4");
});

/**
 * Over which release keeps the state in a map (the running one, the new
 * one, both under one name, both under different names) and the policies:
 * refused with nothing changed; the maps are named per release; "reads
 * maps of its own" only where the new release has one, "the running
 * release's entries … are lost" where the running one has one, and the
 * sameScope advice only where both name the same map.
 */
test("which release holds the map, and what is lost, is said", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
      fc.constantFrom("eager", "lazy", "progressive") as fc.Arbitrary<
        "eager" | "lazy" | "progressive"
      >,
      (shape, policy) => {
        const { running, next } = shapes[shape];
        const ns = new Namespace(`state-outside-${shape}-${policy}`);
        const B = ns.registerClass(release("v1", running), {
          name: "Breaker",
        }) as new () => Breaker;
        const b = new B();
        let error: MetamorphError | undefined;
        try {
          updateSync(
            ns,
            patch("v2").replaceImplementation("Breaker", release("v2", next)).build(),
            { policy },
          );
        } catch (e) {
          error = e as MetamorphError;
        }
        expect(error?.code).toBe("MM_PRIVATE_STATE");
        expect(error?.details).toMatchObject({
          className: "Breaker",
          runningMaps: running === null ? [] : [running],
          newMaps: next === null ? [] : [next],
        });
        const message = error!.message;
        if (running !== null)
          expect(message).toContain(
            `in ${running} (keyed by the object: \`${running}.set(this…)\`)`,
          );
        expect(message.includes("the running release's entries")).toBe(running !== null);
        expect(
          message.includes("reads maps of its own") ||
            message.includes("reads it for the existing objects"),
        ).toBe(next !== null);
        expect(message.includes("sameScope")).toBe(shape === "both");
        // Each map named once, with its call.
        expect(message.match(/\(keyed by the object/g)?.length).toBe(
          (running === null ? 0 : 1) + (next === null || next === running ? 0 : 1),
        );
        expect(b.fire()).toBe("v1:v1");
      },
    ),
    { seed: 22054, numRuns: 16 },
  );
});
