/**
 * A lazy or progressive update prepares nothing before its commit: an
 * object it cannot migrate in place was met at first touch, and the update
 * rolled back under new code already running (tough-cookie 4 -> 5: its
 * Cookie defines `creationIndex` non-configurable and 5.x reorders the
 * fields in front of it; `getCookieStringSync` threw into the request).
 * Where the running constructor makes such objects (a non-configurable
 * define, `Object.freeze(this)`), their shapes are now looked at before
 * the commit and the update refused as an eager one is.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

const cookieRelease = (order: "v4" | "v5" | "same") =>
  new Function(`"use strict";
    let created = 0;
    return class Cookie {
      constructor(key) {
        this.key = key;
        ${order === "v5" ? "this.creation = 1; this.hostOnly = true;" : "this.hostOnly = true; this.creation = 1;"}
        Object.defineProperty(this, "creationIndex", { configurable: false, enumerable: false, writable: true, value: ++created });
      }
      show() { return this.key + "=${order}"; }
    };`)() as new (
    key: string,
  ) => { show(): string };

test("property: lazy and progressive refuse, before the commit, a release that must move a field the running constructor defines non-configurable; one that need not commits", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("lazy" as const, "progressive" as const),
      fc.constantFrom("registry" as const, "heap" as const),
      fc.integer({ min: 1, max: 5 }),
      fc.boolean(),
      (policy, instanceFinder, count, moves) => {
        const ns = new Namespace(`cookie-${policy}`, { instanceFinder });
        const C = ns.registerClass(cookieRelease("v4"));
        const cookies = Array.from({ length: count }, (_, i) => new C(`k${i}`));
        const before = deepSnapshot({ ns, objects: cookies });
        const next = patch("v5")
          .replaceImplementation("Cookie", cookieRelease(moves ? "v5" : "same"))
          .policy(policy)
          .build();
        if (moves) {
          expect(() => updateSync(ns, next)).toThrow(
            /Cookie instance #0: its own property "creationIndex" is not configurable/,
          );
          expect(
            snapshotDifference(before, deepSnapshot({ ns, objects: cookies })),
          ).toBeUndefined();
          expect(cookies[0]!.show()).toBe("k0=v4");
        } else {
          const result = updateSync(ns, next);
          result.completeMigration();
          expect(result.state()).toBe("committed");
          expect(cookies.map((c) => c.show())).toEqual(cookies.map((_, i) => `k${i}=same`));
        }
      },
    ),
    { seed: 1729, numRuns: 16 },
  );
});

test("a constructor that freezes its object: lazy refuses before the commit (MM_UNSWAPPABLE_OBJECT), nothing changed", () => {
  const release = (fields: string) =>
    new Function(`"use strict";
      return class Frozen { constructor() { ${fields} Object.freeze(this); } get() { return this.a; } };`)() as new () => {
      get(): number;
    };
  const ns = new Namespace("frozen-lazy");
  const F = ns.registerClass(release("this.a = 1;"));
  const f = new F();
  expect(() =>
    updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Frozen", release("this.a = 1; this.b = 2;"))
        .policy("lazy")
        .build(),
    ),
  ).toThrow(expect.objectContaining({ code: "MM_UNSWAPPABLE_OBJECT" }));
  expect([f.get(), Object.keys(f)]).toEqual([1, ["a"]]);
});
