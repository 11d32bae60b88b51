/**
 * `this.hp = v` in a class that has `set hp` runs the setter: no field is
 * made, so it is no state a method sets out of the reader's sight. Read as
 * one (MM_UNSEEN_STATE "field `hp` is assigned in method `health`"), a
 * field that the new version turns into an accessor was carried over as
 * unseen state: every live object kept its own `hp`, which hid the new
 * accessor for good (`metamorph dev`: own ["store", "hp"], `p.hp` the
 * stale value while new objects read `store`).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";

test("a write through the class's own setter is not reported as a field set out of sight", () => {
  class Monster {
    hp = 10;
    onHit = (d: number) => {
      this.health = this.hp - d;
    };
    set health(v: number) {
      this.hp = v;
    }
    heal() {
      this.health = 10;
      this.mood = "calm";
    }
    mood?: string;
  }
  const notes = readClassDefinition(Monster).unsupported ?? [];
  expect(notes.filter((n) => n.includes("`health`") && n.includes("assigned"))).toEqual([]);
  // A write of a name the class has no setter for is still reported.
  const plain = new Function(
    `return class M { hp = 1; heal() { this.mood = "calm"; } }`,
  )() as Function;
  expect(readClassDefinition(plain).unsupported).toContainEqual(
    "field `mood` is assigned in method `heal`, not by the constructor; not learned",
  );
});

test("a field the new version makes an accessor leaves the objects: the accessor is what they read (property over values)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 8 }),
      (values) => {
        const ns = new Namespace("setter-writes");
        const P = ns.registerClass(
          class P {
            hp = 10;
            set health(v: number) {
              this.hp = v;
            }
          },
        );
        const live = values.map((v) => {
          const p = new P() as { hp: number; health: number; store?: number };
          p.health = v;
          return p;
        });
        const next = class P {
          store = 100;
          get hp() {
            return this.store;
          }
          set hp(v: number) {
            this.store = v;
          }
          set health(v: number) {
            this.hp = v;
          }
        };
        const result = updateSync(
          ns,
          patch("2")
            .replaceImplementation("P", next)
            .migrate("P", (old, target) => {
              (target as { store: number }).store = old.hp as number;
            })
            .build(),
        );
        expect(result.warnings.filter((w) => w.field === "hp")).toEqual([]);
        live.forEach((p, i) => {
          expect(Object.getOwnPropertyNames(p)).toEqual(["store"]);
          expect(p.hp).toBe(values[i]);
          p.health = values[i]! + 1;
          expect([p.store, p.hp]).toEqual([values[i]! + 1, values[i]! + 1]);
        });
      },
    ),
    { seed: 4217, numRuns: 6 },
  );
});
