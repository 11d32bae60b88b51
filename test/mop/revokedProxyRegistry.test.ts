/**
 * A Proxy the registry recorded (a constructor returning
 * `Proxy.revocable(this, handler).proxy`) that the program then revokes is a
 * dead object: every read of it throws, nothing can migrate, restore or
 * hand it back. The registry treats it as collected — never returned by
 * `find` (with or without subclasses), never sampled, dropped from its list
 * at compaction — and the other objects are found, each once, whatever was
 * recorded around it (review: a revoked proxy made the query throw an
 * untyped TypeError, and an update that had committed threw it from the
 * warnings computed after the commit).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { sampleOf } from "../../src/mop/instances/findEach.js";
import { createRegistryFinder } from "../../src/mop/instances/registryFinder.js";

class Home {}
class Sub extends Home {}

type Kind = "plain" | "proxy" | "revoked" | "revokedLater";

test("property: revoked proxies are never found nor sampled, are dropped at compaction, and the live objects are found once each", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom<Kind>("plain", "proxy", "revoked", "revokedLater"), {
        minLength: 1,
        maxLength: 14,
      }),
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.boolean(),
      (kinds, again, subclasses) => {
        const finder = createRegistryFinder({ finalization: false });
        finder.enable(Home.prototype);
        finder.enable(Sub.prototype);
        const revokeNow: (() => void)[] = [];
        const revokeLater: (() => void)[] = [];
        const objects = kinds.map((kind) => {
          if (kind === "plain") return new Home();
          const { proxy, revoke } = Proxy.revocable(new Home(), {});
          if (kind === "revoked") revokeNow.push(revoke);
          if (kind === "revokedLater") revokeLater.push(revoke);
          return proxy;
        });
        for (const o of objects) finder.recordConstructed(o);
        // `record` lists some twice: the compaction that dedupes meets the dead ones too.
        for (const i of again) finder.record(objects[i % objects.length]!);
        for (const revoke of revokeNow) revoke();
        const query = () =>
          finder.find(Home.prototype, subclasses ? { includeSubclasses: true } : undefined);
        expect(new Set(query())).toEqual(new Set(objects.filter((_, i) => kinds[i] !== "revoked")));
        for (const revoke of revokeLater) revoke();
        const live = objects.filter((_, i) => kinds[i] === "plain" || kinds[i] === "proxy");
        for (let round = 0; round < 2; round++) {
          const found = query();
          expect(found).toHaveLength(live.length);
          expect(new Set(found)).toEqual(new Set(live));
        }
        // Compacted: only the live ones are still referenced.
        expect(finder.stats().references).toBe(live.length);
        const sample = sampleOf(finder, Home.prototype, objects.length) ?? [];
        expect(new Set(sample)).toEqual(new Set(live));
      },
    ),
    { seed: 1717, numRuns: 150 },
  );
});

test("a revoked proxy between two objects leaves the slices' read to find, which drops it", async () => {
  const finder = createRegistryFinder({ finalization: false });
  finder.enable(Home.prototype);
  const a = new Home();
  const { proxy, revoke } = Proxy.revocable(new Home(), {});
  const b = new Home();
  for (const o of [a, proxy, b]) finder.recordConstructed(o);
  revoke();
  const sliced = (await finder.findInSlices(Home.prototype, 5)) ?? finder.find(Home.prototype);
  expect(sliced).toEqual([a, b]);
  expect(finder.find(Home.prototype)).toEqual([a, b]);
  expect(finder.snapshot(Home.prototype).map((r) => r.deref())).toEqual([a, b]);
});
