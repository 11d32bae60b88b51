// An update's options object with a key the update does not know is refused
// (MM_INVALID_OPTION, like a bad value), naming the key, the keys an update
// takes and the one most likely meant. Before, `update(ns, p, { polcy:
// "lazy" })` ignored the misspelt key and committed eagerly without a word.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { UpdateOptions, UpdateResult } from "../../src/index.js";
import { InvalidOptionError, patch, update, updateSync } from "../../src/index.js";
import { pictures } from "../support/pictures.js";
import { keysCallersWrite } from "../support/optionKeys.js";

const KNOWN = [
  "policy",
  "sliceSize",
  "healthCheck",
  "healthCheckTimeoutMs",
  "onEvent",
  "onCommitStep",
] as const;

const ENTRY_POINTS = {
  update: (...args: Parameters<typeof update>) => update(...args),
  updateSync: async (...args: Parameters<typeof updateSync>) => updateSync(...args),
} satisfies Record<string, (...args: Parameters<typeof update>) => Promise<UpdateResult>>;

/** Keys a caller may write: misspellings and near guesses of the real ones, other calls' options, anything. */
const anyKey = keysCallersWrite(
  "polcy",
  "Policy",
  "policies",
  "slice",
  "slicesize",
  "healthcheck",
  "healthCheckTimeout",
  "timeout",
  "onevent",
  "onEvents",
  "onCommit",
  "trust",
  "default",
  "__proto__",
  "constructor",
  "toString",
);

async function refusal(run: () => Promise<unknown>): Promise<InvalidOptionError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error("the update was not refused");
}

const addTag = () => patch("tag").addField("Picture", "tag", { default: "t" }).build();

describe("update options with keys an update does not know", () => {
  test("property: any unknown key is refused by update and updateSync, naming it and the known keys; nothing changes (seed 41)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(ENTRY_POINTS) as (keyof typeof ENTRY_POINTS)[])),
        anyKey,
        fc.anything(),
        fc.boolean(),
        async (entry, key, value, withPolicy) => {
          fc.pre(!(KNOWN as readonly string[]).includes(key));
          const { ns, list } = pictures(3, `unknown-${entry}`);
          // A literal own key, as JSON.parse or a spread would make it ("__proto__" included).
          const options = Object.defineProperty(withPolicy ? { policy: "lazy" } : {}, key, {
            value,
            enumerable: true,
            configurable: true,
            writable: true,
          }) as UpdateOptions;
          const error = await refusal(() => ENTRY_POINTS[entry](ns, addTag(), options));
          expect(error.code).toBe("MM_INVALID_OPTION");
          expect(error.message).toContain(`update tag: unknown option ${JSON.stringify(key)}`);
          expect(error.message).toContain(`update takes ${KNOWN.join(", ")}`);
          expect(error.details).toMatchObject({ patch: "tag", option: key, known: [...KNOWN] });
          expect(ns.version).toBe(1);
          expect(list.every((o) => !("tag" in o))).toBe(true);
        },
      ),
      { seed: 41, numRuns: 150 },
    );
  });

  test.each([
    ["polcy", "policy"],
    ["slicesize", "sliceSize"],
    ["healthcheck", "healthCheck"],
    ["healthCheckTimeout", "healthCheckTimeoutMs"],
    ["onevent", "onEvent"],
    ["onCommitSteps", "onCommitStep"],
  ])("%s suggests %s", async (key, meant) => {
    const { ns } = pictures(1, "suggest");
    const error = await refusal(() => update(ns, addTag(), { [key]: "lazy" } as UpdateOptions));
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test('{ polcy: "lazy" } no longer commits eagerly: refused, and the options meant apply the lazy update', () => {
    const { ns, list } = pictures(2, "polcy");
    const options = { polcy: "lazy" } as UpdateOptions;
    expect(() => updateSync(ns, addTag(), options)).toThrow(
      'update tag: unknown option "polcy" (update takes policy, sliceSize, healthCheck, healthCheckTimeoutMs, onEvent, onCommitStep); did you mean policy?',
    );
    expect(ns.version).toBe(1);
    const result = updateSync(ns, addTag(), { policy: "lazy" });
    expect([result.outcome, result.policy, result.pendingInstances()]).toEqual([
      "committed",
      "lazy",
      2,
    ]);
    expect(result.completeMigration().migrated).toBe(2);
    expect(list.map((o) => o.tag)).toEqual(["t", "t"]);
  });

  test("every key an update knows is still taken", async () => {
    const { ns, list } = pictures(2, "known");
    const phases: string[] = [];
    const result = await update(ns, addTag(), {
      policy: "eager",
      sliceSize: 10,
      healthCheck: () => true,
      healthCheckTimeoutMs: 1000,
      onEvent: (event) => phases.push(event.phase),
      onCommitStep: () => {},
    });
    expect(result.outcome).toBe("committed");
    expect(phases).toContain("commit");
    expect(list.map((o) => o.tag)).toEqual(["t", "t"]);
  });
});
