/**
 * The Vite plugin refuses an option key it does not know, when the config is
 * read (MM_INVALID_OPTION naming the key, the keys it takes and the one
 * likely meant). Options built in a variable escape TypeScript's
 * excess-property check: `metamorph({ progresiveAbove: 1 })` was ignored,
 * and every edit migrated its instances in one block.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { MetamorphViteOptions } from "../../src/dev/vite.js";
import metamorph from "../../src/dev/vite.js";
import { InvalidOptionError } from "../../src/errors.js";

const KNOWN = ["include", "progressiveAbove", "quiescenceTimeout"];

function refusal(run: () => unknown): InvalidOptionError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  return undefined;
}

describe("metamorph/vite options", () => {
  test("a misspelt progressiveAbove is refused, naming the key meant", () => {
    const options = { progresiveAbove: 1 };
    const error = refusal(() => metamorph(options as MetamorphViteOptions));
    expect(error?.details).toEqual({
      option: "progresiveAbove",
      known: KNOWN,
      meant: "progressiveAbove",
    });
    expect(error?.message).toContain("did you mean progressiveAbove?");
  });

  test("any key the plugin does not take is refused, naming it (seeded)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !KNOWN.includes(k)),
        fc.oneof(
          fc.integer(),
          fc.boolean(),
          fc.string(),
          fc.constant(() => true),
        ),
        (key, value) => {
          const error = refusal(() => metamorph({ [key]: value } as MetamorphViteOptions));
          expect(error?.details).toMatchObject({ option: key, known: KNOWN });
        },
      ),
      { seed: 41, numRuns: 200 },
    );
  });

  test("a known key with a letter dropped, doubled or swapped is refused with a key it likely meant (seeded)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN), fc.nat(), fc.nat({ max: 2 }), (key, at, how) => {
        const i = at % key.length;
        const j = Math.min(i + 1, key.length - 1);
        const wrong = [
          key.slice(0, i) + key.slice(i + 1),
          key.slice(0, i) + key[i] + key.slice(i),
          key.slice(0, i) + key[j] + key[i] + key.slice(j + 1),
        ][how]!;
        fc.pre(!KNOWN.includes(wrong));
        const error = refusal(() => metamorph({ [wrong]: 1 } as MetamorphViteOptions));
        expect(error?.details.meant).toBe(key);
      }),
      { seed: 43, numRuns: 100 },
    );
  });

  test("every key it takes is accepted; options that are not an object, or an include that is no function, are refused", () => {
    const all: Required<MetamorphViteOptions> = {
      include: () => true,
      progressiveAbove: 10,
      quiescenceTimeout: 100,
    };
    expect(metamorph(all)).toHaveLength(2);
    expect(refusal(() => metamorph(null as never))?.details).toEqual({ type: "null" });
    expect(refusal(() => metamorph("src" as never))?.details).toEqual({ type: "string" });
    expect(refusal(() => metamorph({ include: /src/ } as never))?.details).toEqual({
      option: "include",
    });
  });
});
