/**
 * `new DevRuntime(options)` (metamorph/dev) refuses a key it does not take,
 * as the Vite plugin and every other options object do: a misspelt
 * `progresiveAbove` or `debounce` was ignored without a word (left by the
 * fixer of the testing kit's options, review advZ9).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { DevRuntime, type DevRuntimeOptions } from "../../src/dev/index.js";

const KNOWN = [
  "root",
  "write",
  "memory",
  "debounceMs",
  "quiescenceTimeoutMs",
  "watch",
  "restart",
  "progressiveAbove",
  "sliceSize",
  "overwrite",
  "instanceFinder",
  "sources",
];

test("property: a key DevRuntime does not take is refused (MM_INVALID_OPTION), naming it; seed 20261211", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.constantFrom("progresiveAbove", "debounce", "quiescenceTimeout", "finder", "Watch"),
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((k) => !KNOWN.includes(k) && k !== "__proto__"),
      ),
      fc.anything(),
      (key, value) => {
        let refusal: { code?: string; message?: string } | undefined;
        try {
          new DevRuntime({ watch: false, [key]: value } as DevRuntimeOptions).close();
        } catch (error) {
          refusal = error as { code?: string; message?: string };
        }
        expect(refusal?.code).toBe("MM_INVALID_OPTION");
        expect(refusal?.message).toContain(JSON.stringify(key).slice(1, -1));
      },
    ),
    { seed: 20261211, numRuns: 40 },
  );
});

test("every key DevRuntime takes is still taken, and a likely one suggested", () => {
  const runtime = new DevRuntime({
    watch: false,
    root: process.cwd(),
    write: () => {},
    memory: 0,
    debounceMs: 10,
    quiescenceTimeoutMs: 100,
    progressiveAbove: 10,
    sliceSize: 5,
    overwrite: () => {},
    instanceFinder: "heap",
  });
  runtime.close();
  expect(() => new DevRuntime({ watch: false, progresiveAbove: 1 } as DevRuntimeOptions)).toThrow(
    /did you mean progressiveAbove\?/,
  );
});
