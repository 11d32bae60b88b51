/**
 * The registry finder reads each recorded object (its prototype, whether
 * it is a prototype object) as it compacts a list. A Proxy whose trap
 * throws on one of those reads refuses the query with a typed error naming
 * the object (MM_UNSWAPPABLE_OBJECT, rule `unreadable`), and the list keeps
 * every reference it held, each once (review advZ23: the trap's own Error
 * came out, and the references not reached yet were listed twice after
 * those already kept).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { UnswappableObjectError } from "../../src/index.js";
import { createRegistryFinder } from "../../src/mop/instances/registryFinder.js";

class Home {}
class Elsewhere {}

test("property: a trap throwing while the registry compacts a list refuses the query by name; the list loses nothing and lists nothing twice", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 12 }),
      fc.nat(),
      fc.nat(),
      fc.constantFrom("getPrototypeOf", "getOwnPropertyDescriptor"),
      fc.integer({ min: 1, max: 3 }),
      (n, movedAt, proxyAt, trap, k) => {
        const finder = createRegistryFinder({ finalization: false });
        finder.enable(Home.prototype);
        finder.enable(Elsewhere.prototype);
        const ctl = { armed: false, calls: 0 };
        const handler = {
          [trap](...args: unknown[]) {
            if (ctl.armed && ++ctl.calls === k) throw new Error(`trap ${trap} #${k}`);
            return (Reflect[trap as keyof typeof Reflect] as (...a: unknown[]) => unknown)(...args);
          },
        };
        const p = proxyAt % n;
        const objects = Array.from({ length: n }, (_, i) =>
          i === p ? new Proxy(new Home(), handler) : new Home(),
        );
        for (const o of objects) finder.recordConstructed(o);
        // One object moved off the class before the proxy: compaction drops it.
        const m = movedAt % n === p ? (p + 1) % n : movedAt % n;
        Object.setPrototypeOf(objects[m]!, Elsewhere.prototype);
        const staying = objects.filter((_, i) => i !== m);
        ctl.armed = true;
        let thrown: unknown;
        try {
          finder.find(Home.prototype);
        } catch (error) {
          thrown = error;
        }
        ctl.armed = false;
        if (thrown !== undefined) {
          expect(thrown).toBeInstanceOf(UnswappableObjectError);
          const details = (thrown as UnswappableObjectError).details;
          expect(details.rule).toBe("unreadable");
          expect(details.object).toBe(objects[p]);
          expect(details.step).toBe("finding the instances");
          expect(details.className).toBe("Home");
        }
        const found = finder.find(Home.prototype);
        expect(found).toHaveLength(staying.length);
        expect(new Set(found)).toEqual(new Set(staying));
      },
    ),
    { seed: 2323, numRuns: 60 },
  );
});
