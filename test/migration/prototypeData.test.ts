/**
 * Data a release puts on its class's prototype outside the class body
 * (bottleneck's `Bottleneck.prototype.version = …`, `Parser.prototype.defaults
 * = {…}`; CoffeeScript and Babel output set such data so) follows the
 * release, as its methods do: after an upgrade every object, the ones the
 * new constructor builds too, read the old release's (review advZ6: a fresh
 * object's constructor saw the new defaults, its methods the old ones). A
 * value the program put there since is the program's and stays; a rollback
 * gives the prototype back exactly.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Parser {
  strict: boolean;
  defaults: { strict: boolean };
  version: string;
  limit(): number;
}

const release = (strict: boolean, version: string) =>
  new Function(
    "strict",
    "version",
    `"use strict";
    class Parser {
      constructor(o = {}) { this.strict = o.strict ?? this.defaults.strict; }
      limit() { return this.defaults.strict ? 10 : 1000; }
    }
    Parser.prototype.defaults = { strict };
    Parser.prototype.version = version;
    return Parser;`,
  )(strict, version) as new (o?: {
    strict?: boolean;
  }) => Parser;

test("property: a release's prototype data follows the release, one the program replaced stays; rollback restores the prototype exactly", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      fc.boolean(),
      fc.boolean(),
      (policy, programSetVersion, rollBack) => {
        const ns = new Namespace(`prototype-data-${policy}`);
        const P = ns.registerClass(release(false, "1.0"), { name: "Parser" });
        const old = new P();
        if (programSetVersion) P.prototype.version = "pinned by the program";
        const before = deepSnapshot({ ns, objects: [old, P.prototype] });
        const result = updateSync(
          ns,
          patch("2.0").replaceImplementation("Parser", release(true, "2.0")).policy(policy).build(),
        );
        const fresh = new P();
        expect(fresh.strict).toBe(true);
        expect([old.limit(), fresh.limit()]).toEqual([10, 10]);
        expect(fresh.defaults).toEqual({ strict: true });
        expect([old.version, fresh.version]).toEqual(
          programSetVersion ? ["pinned by the program", "pinned by the program"] : ["2.0", "2.0"],
        );
        if (rollBack) {
          result.rollback();
          expect(
            snapshotDifference(before, deepSnapshot({ ns, objects: [old, P.prototype] })),
          ).toBeUndefined();
          expect(old.limit()).toBe(1000);
        }
      },
    ),
    { seed: 20261207, numRuns: 24 },
  );
});

test("two upgrades in a row: each release's data replaces the one before it", () => {
  const ns = new Namespace("prototype-data-chain");
  const P = ns.registerClass(release(false, "1.0"), { name: "Parser" });
  const o = new P();
  updateSync(ns, patch("2.0").replaceImplementation("Parser", release(true, "2.0")).build());
  updateSync(ns, patch("3.0").replaceImplementation("Parser", release(false, "3.0")).build());
  expect([o.version, o.limit(), new P().strict]).toEqual(["3.0", 1000, false]);
});
