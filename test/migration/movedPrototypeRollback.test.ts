/**
 * A migrated object the program gives a prototype of its own after the
 * commit (review advZ12, F3): `Object.setPrototypeOf(a,
 * Object.assign(Object.create(Acc.prototype), { audit() {} }))`, then a
 * rollback. The rollback kept only the migrated objects still on their
 * class's prototype: `a` stayed `{ id, amount }` under the old methods
 * (get() gave undefined), without a word; with the heap finder, which
 * returns such a mixin (it holds an enumerable method) as an instance, the
 * mixin was taken for an object made since the commit and given the old
 * version's defaults (its keys became `audit, id, balance`, and `a.get()`
 * read its 0). Now every object the update migrated goes back, wherever its
 * prototype is, and the prototype a migrated object was given is left as
 * the program made it: each object and each mixin ends as the same program
 * leaves them without the update.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { update } from "../../src/index.js";
import { shapes } from "../support/objectShapes.js";
import { accounts, renamedFailingAt } from "../support/accounts.js";

type Acc = { id: number; balance?: number; amount?: number; get(): number };

/** The prototypes a program gives one object: each sits on the class's prototype. */
const MIXINS: Record<string, (p: object) => object> = {
  empty: (p) => Object.create(p),
  enumerableMethod: (p) =>
    Object.assign(Object.create(p), {
      audit() {
        return "audited";
      },
    }),
  method: (p) => Object.create(p, { audit: { value: () => "audited" } }),
  withState: (p) => Object.assign(Object.create(p), { tag: "t" }),
  twoDeep: (p) => Object.create(Object.assign(Object.create(p), { audit: () => "audited" })),
};

function world(name: string, instanceFinder: "registry" | "heap", count: number) {
  const { ns, Acc, objects } = accounts({ name, instanceFinder, count });
  return { ns, Acc, objects: objects as unknown as Acc[] };
}

const renamed = (failAt: number) => renamedFailingAt(failAt).build();

/** Every prototype between `object` and the class's prototype `home`. */
function mixinsOf(object: object, home: object): object[] {
  const out: object[] = [];
  for (let p = Object.getPrototypeOf(object); p !== home; p = Object.getPrototypeOf(p)) out.push(p);
  return out;
}

test("a migrated object given a prototype of its own after the commit goes back exactly, and its prototype is left as it was (seed 2024)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("registry" as const, "heap" as const),
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.constantFrom("rollback", "healthCheck", "firstTouch"),
      fc.constantFrom(...Object.keys(MIXINS)),
      fc.integer({ min: 1, max: 4 }),
      fc.nat(),
      async (finder, policy, how, mixin, count, pick) => {
        // A first touch that fails needs a lazy update and an object to fail.
        if (how === "firstTouch" && (policy === "eager" || count < 2)) return;
        const name = `moved-prototype-${finder}-${policy}-${how}`;
        const live = world(name, finder, count);
        const mirror = world(`${name}-mirror`, finder, count);
        const moved = pick % count;
        const failing = how === "firstTouch" ? (moved + 1) % count : -1;
        // The program's own actions, the same in both worlds.
        const act = (w: ReturnType<typeof world>) => {
          Object.setPrototypeOf(w.objects[moved]!, MIXINS[mixin]!(w.Acc.prototype));
          w.objects[0]!.id = 0; // a write to a field both versions have
        };
        const run = update(live.ns, renamed(failing), {
          policy,
          ...(how === "healthCheck"
            ? {
                healthCheck: () => {
                  for (const o of live.objects.slice(0, moved + 1)) o.get();
                  act(live);
                  return false;
                },
              }
            : {}),
        });
        const result = await run;
        if (how === "healthCheck") expect(result.outcome).toBe("rolled-back");
        else {
          result.completion.catch(() => {});
          for (const o of live.objects.slice(0, moved + 1))
            if (o !== live.objects[failing]) o.get();
          act(live);
          if (how === "rollback") result.rollback();
          else expect(() => live.objects[failing]!.get()).not.toThrow();
        }
        act(mirror);
        expect(live.ns.version).toBe(1);
        const all = (w: ReturnType<typeof world>) => [
          ...w.objects,
          ...mixinsOf(w.objects[moved]!, w.Acc.prototype),
        ];
        // Was: the moved object kept `amount` under the old methods; with the
        // heap finder its mixin gained the old fields.
        expect(shapes(all(live))).toEqual(shapes(all(mirror)));
        expect(live.objects.map((o) => o.get())).toEqual(mirror.objects.map((o) => o.get()));
      },
    ),
    { seed: 2024, numRuns: 60 },
  );
}, 180_000);
