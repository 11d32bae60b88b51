// `new Namespace(name, options)` with a key a namespace does not know is
// refused (MM_INVALID_OPTION, like a bad value), naming the key, the keys it
// takes and the one most likely meant. Before, `{ instancefinder: "heap" }`
// was ignored: the namespace got the default finder without a word.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidOptionError, Namespace, type NamespaceOptions } from "../../src/index.js";
import { keysCallersWrite } from "../support/optionKeys.js";

const KNOWN = ["instanceFinder", "switchToHeapAfter"];

function refusal(options: object): InvalidOptionError {
  try {
    new Namespace("opts", options as NamespaceOptions);
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error("the namespace was created");
}

const anyKey = keysCallersWrite(
  "instancefinder",
  "finder",
  "instanceFinders",
  "threshold",
  "switchAfter",
  "switchToHeap",
  "policy",
  "__proto__",
  "constructor",
  "toString",
);

describe("namespace options with keys a namespace does not know", () => {
  test("property: any unknown key is refused, naming it and the known keys (seed 43)", () => {
    fc.assert(
      fc.property(anyKey, fc.anything(), fc.boolean(), (key, value, withFinder) => {
        fc.pre(!KNOWN.includes(key));
        // A literal own key, as JSON.parse or a spread would make it ("__proto__" included).
        const options = Object.defineProperty(
          withFinder ? { instanceFinder: "registry" } : {},
          key,
          { value, enumerable: true, configurable: true, writable: true },
        );
        const error = refusal(options);
        expect(error.code).toBe("MM_INVALID_OPTION");
        expect(error.message).toContain(`namespace opts: unknown option ${JSON.stringify(key)}`);
        expect(error.message).toContain(`new Namespace takes ${KNOWN.join(", ")}`);
        expect(error.details).toMatchObject({ namespace: "opts", option: key, known: KNOWN });
      }),
      { seed: 43, numRuns: 300 },
    );
  });

  test.each([
    ["instancefinder", "instanceFinder"],
    ["finder", "instanceFinder"],
    ["threshold", "switchToHeapAfter"],
    ["switchToHeapAftr", "switchToHeapAfter"],
  ])("%s suggests %s", (key, meant) => {
    const error = refusal({ [key]: "heap" });
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test('{ instancefinder: "registry" } no longer gives the default finder silently; the key meant does', () => {
    expect(refusal({ instancefinder: "registry" }).message).toBe(
      'namespace opts: unknown option "instancefinder" (new Namespace takes instanceFinder, switchToHeapAfter); did you mean instanceFinder?',
    );
    expect(new Namespace("meant", { instanceFinder: "registry" }).finder.kind).toBe("registry");
    const adaptive = new Namespace("both", { instanceFinder: "adaptive", switchToHeapAfter: 5 });
    expect(adaptive.finder.kind).toBe("registry");
  });
});
