/**
 * A constructor that sets its object's prototype to its own class's: jsbi 4
 * (`class JSBI extends Array`, whose constructor ends with
 * `Object.setPrototypeOf(this, JSBI.prototype)`). Through a handle that
 * builds with its stable class as new.target — a root class registered with
 * `constructedOnlyThroughHandle`, or any class after a new implementation,
 * and the derived version an `addField` makes of it — the line moved every
 * `new Handle()` off the stable prototype: no instance of the handle, unseen
 * by its finder and by the next update. Such a constructor now builds with
 * its own new.target and the handle moves the object (src/mop/movedPrototype.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";

type Base = "array" | "root";
type Digits = { sign: boolean; version(): number } & Record<string, unknown>;
type DigitsClass = new (length: number, sign: boolean) => Digits;

/** jsbi 4's constructor, in a class of version `k`. */
function jsbiLike(base: Base, k: number): DigitsClass {
  const head = base === "array" ? "extends Array" : "";
  const allocate = base === "array" ? "super(length);" : "this.length = length;";
  return new Function(`"use strict";
    return class Digits ${head} {
      constructor(length, sign) {
        ${allocate}
        this.sign = sign;
        Object.setPrototypeOf(this, Digits.prototype);
      }
      version() { return ${k}; }
    };`)() as DigitsClass;
}

type Step = "replace" | "addField";

const sameWorld = (H: DigitsClass, o: Digits) =>
  o instanceof H && Object.getPrototypeOf(o) === H.prototype;

test("property: new Handle() is an instance of the handle on its stable prototype, whatever the updates, and rolls back", async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Base>("array", "root"),
      fc.boolean(),
      fc.array(fc.constantFrom<Step>("replace", "addField"), { minLength: 1, maxLength: 3 }),
      fc.constantFrom("eager", "lazy"),
      async (base, onlyThroughHandle, steps, policy) => {
        const ns = new Namespace(`own-prototype-${run++}`, { instanceFinder: "registry" });
        const V1 = jsbiLike(base, 1);
        const H = ns.registerClass(V1, {
          constructedOnlyThroughHandle: onlyThroughHandle,
        }) as unknown as DigitsClass;
        const first = new H(2, true);
        expect(sameWorld(H, first)).toBe(true);
        expect(first).toBeInstanceOf(V1);
        const firstKeys = Object.keys(first);
        const results = [];
        // A new implementation's fields are those of its source: it drops the added ones.
        let fields: string[] = [];
        let k = 1;
        for (const [i, step] of steps.entries()) {
          const p =
            step === "replace"
              ? patch(`r${i}`).replaceImplementation("Digits", jsbiLike(base, ++k))
              : patch(`a${i}`).addField("Digits", `f${i}`, { default: i });
          fields = step === "addField" ? [...fields, `f${i}`] : [];
          const result = await update(ns, p.policy(policy).build());
          expect(result.state()).toBe("committed");
          results.push(result);
          const fresh = new H(3, false);
          expect(sameWorld(H, fresh)).toBe(true);
          expect([fresh.version(), fresh.sign]).toEqual([k, false]);
          for (const f of fields) expect(fresh[f]).toBe(Number(f.slice(1)));
          expect(sameWorld(H, first)).toBe(true);
          expect(first.version()).toBe(k);
        }
        for (const result of results.reverse()) result.rollback();
        expect(ns.version).toBe(1);
        const after = new H(1, true);
        expect(sameWorld(H, after)).toBe(true);
        expect(after).toBeInstanceOf(V1);
        expect(after.version()).toBe(1);
        expect(sameWorld(H, first)).toBe(true);
        expect(Object.keys(first)).toEqual(firstKeys);
      },
    ),
    { seed: 20261207, numRuns: 40 },
  );
});

test("a root class registered constructedOnlyThroughHandle: its first objects are the handle's", () => {
  const ns = new Namespace("own-prototype-root", { instanceFinder: "registry" });
  const V1 = jsbiLike("root", 1);
  const H = ns.registerClass(V1, { constructedOnlyThroughHandle: true }) as unknown as DigitsClass;
  const made = [new H(1, true), new H(2, false)];
  for (const o of made) {
    expect(sameWorld(H, o)).toBe(true);
    expect(o).toBeInstanceOf(V1);
  }
  // The registry finder sees them: an update reaches them.
  expect(ns.finder.find(H.prototype)).toEqual(made);
});

// Known limit: the handle tells such a constructor by its source
// (src/mop/movedPrototype.ts). One that moves its object through a function
// of its own is not told, and after a new implementation its objects leave
// the stable prototype. Testing every object in the forwarder instead cost
// 1.2–2.6× on the handle's fastest path (measured), so it is left.
test.fails("a constructor that moves its object through a helper of its own", async () => {
  const make = (k: number) =>
    new Function(`"use strict";
      const settle = (o, c) => Reflect["set" + "PrototypeOf"](o, c.prototype);
      return class Digits extends Array {
        constructor(length) { super(length); settle(this, Digits); }
        version() { return ${k}; }
      };`)() as DigitsClass;
  const ns = new Namespace("own-prototype-helper");
  const H = ns.registerClass(make(1)) as unknown as DigitsClass;
  await update(ns, patch("r").replaceImplementation("Digits", make(2)).build());
  expect(sameWorld(H, new H(1, true))).toBe(true);
});
