/**
 * A field moved up to the superclass and then back down (`metamorph dev`,
 * an editor's undo): the second patch's subclass declares the field again,
 * and was read as declaring it over its superclass's — judged against the
 * running superclass, which still had it — so the patch was refused
 * ("declares field "xp" again over a superclass's … would lose it"), and
 * so was the two-patch way out it suggested. Nothing above declares it
 * after the patch: it is the subclass's own again, and the objects keep
 * their value.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";
import type { Policy } from "../../src/index.js";

type Hero = { name: string; xp: number; gain(n: number): void };

function world(label: string) {
  const ns = new Namespace(label);
  const Actor = ns.registerClass(
    class Actor {
      name = "a";
    },
    { constructedOnlyThroughHandle: true },
  ) as new () => object;
  const Hero = ns.registerClass(
    class Hero extends Actor {
      xp = 0;
      gain(n: number) {
        this.xp += n;
      }
    },
    { constructedOnlyThroughHandle: true },
  ) as new () => Hero;
  return { ns, Actor, Hero };
}

test("moved up, then back down: each patch commits, every object keeps its xp (property over gains and policies)", () => {
  const policies: Policy[] = ["eager", "lazy", "progressive"];
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 6 }),
      fc.constantFrom(...policies),
      (gains, policy) => {
        const { ns, Actor, Hero } = world(`moved-back-${policy}`);
        const heroes = gains.map((g) => {
          const h = new Hero();
          h.gain(g);
          return h;
        });
        const up = updateSync(
          ns,
          patch("up")
            .replaceImplementation(
              "Actor",
              class Actor {
                name = "a";
                xp = 0;
                gain(n: number) {
                  this.xp += n;
                }
              },
            )
            .replaceImplementation("Hero", class Hero extends Actor {})
            .policy(policy)
            .build(),
        );
        up.completeMigration();
        for (const h of heroes) h.gain(1);
        const down = updateSync(
          ns,
          patch("down")
            .replaceImplementation(
              "Actor",
              class Actor {
                name = "a";
              },
            )
            .replaceImplementation(
              "Hero",
              class Hero extends Actor {
                xp = 0;
                gain(n: number) {
                  this.xp += 2 * n;
                }
              },
            )
            .policy(policy)
            .build(),
        );
        heroes.forEach((h, i) => {
          expect(h.xp).toBe(gains[i]! + 1);
          h.gain(1);
          expect(h.xp).toBe(gains[i]! + 3);
          expect(Object.keys(h)).toEqual(["name", "xp"]);
        });
        down.completeMigration();
        expect(new Hero().xp).toBe(0);
      },
    ),
    { seed: 911, numRuns: 6 },
  );
});

test("a field the subclass declares again while the superclass keeps it is still the superclass's (one property)", () => {
  const { ns, Actor, Hero } = world("kept-above");
  const h = new Hero();
  h.gain(4);
  updateSync(
    ns,
    patch("both")
      .replaceImplementation(
        "Actor",
        class Actor {
          name = "a";
          xp = 0;
        },
      )
      .replaceImplementation(
        "Hero",
        class Hero extends Actor {
          xp = 0;
          gain(n: number) {
            this.xp += n;
          }
        },
      )
      .build(),
  );
  expect(readClassDefinition(Hero).fields.map((f) => f.name)).not.toContain("xp");
  expect([h.xp, Object.keys(h)]).toEqual([4, ["name", "xp"]]);
});
