/**
 * A rename hint left in the migrations module (docs/dev.md says hints may
 * stay): `renames: { Player: { health: "hp" } }` applied again when a later
 * edit added an unrelated field `health` while `hp` was still there, and
 * the new field got hp's value (review advY5 C4; `metamorph dev` and the
 * Vite page plan with the same function).
 */
import { expect, test } from "vitest";
import { applicableRenames } from "../../src/dev/plan.js";
import { readClassDefinition } from "../../src/index.js";

const hint = { health: "hp" };

test("a rename hint applies when the old field is gone and the new one is new", () => {
  class Player {
    hp = 10;
  }
  const Renamed = new Function("return class Player { health = 10; }")() as Function;
  expect(
    applicableRenames(hint, readClassDefinition(Player), readClassDefinition(Renamed)),
  ).toEqual({ health: "hp" });
});

test("a rename hint whose old field is still there does not give its value to a new field", () => {
  class Player {
    hp = 10;
  }
  const Added = new Function("return class Player { hp = 10; health = 'good'; }")() as Function;
  expect(applicableRenames(hint, readClassDefinition(Player), readClassDefinition(Added))).toEqual(
    {},
  );
});
