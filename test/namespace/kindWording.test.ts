// A value of the wrong kind is named the same way by every entry point of the
// mop and the namespace that refuses it: one description (valueKinds.ts kindOf), where
// there were two — `ns.lookup([])` said "not object" while
// `cloneNamespace([])` said "not an array".
import fc from "fast-check";
import { expect, test } from "vitest";
import { cloneNamespace, createClass, MetamorphError, Namespace } from "../../src/index.js";
import { replaceNamespace } from "../../src/namespace/bulkReplace.js";

/** Wrong-kind values, by label, with the word a refusal names each by. */
const VALUES: Readonly<Record<string, readonly [() => unknown, string]>> = {
  null: [() => null, "null"],
  "[]": [() => [], "an array"],
  "[1, 2]": [() => [1, 2], "an array"],
  "42": [() => 42, "number"],
  "1n": [() => 1n, "bigint"],
  true: [() => true, "boolean"],
  "Symbol()": [() => Symbol(), "symbol"],
  "a revoked Proxy": [
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
    "a revoked Proxy",
  ],
};

/** Entry points that refuse a wrong-kind argument: the word each uses follows "not ". */
const ENTRIES: Readonly<Record<string, (value: unknown) => unknown>> = {
  "ns.lookup": (v) => new Namespace("n").lookup(v as string),
  "new Namespace(name)": (v) => new Namespace(v as string),
  "new Namespace(name, options)": (v) => new Namespace("n", v as never),
  cloneNamespace: (v) => cloneNamespace(v as Namespace),
  replaceNamespace: (v) => replaceNamespace(new Namespace("n"), v as never),
  "createClass(definition)": (v) => createClass(v as never),
  "createClass(definition, options)": (v) => createClass({ name: "C" } as never, v as never),
};

/** What `refuse` said `value` was not: the text after the last "not ". */
function namedKind(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetamorphError);
    return /not (null|an array|number|bigint|boolean|symbol|object|a revoked Proxy)\b/.exec(
      (error as Error).message,
    )![1]!;
  }
  throw new Error("not refused");
}

test("property: every entry point names a wrong-kind value with the same word (seed 61)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(ENTRIES)),
      fc.constantFrom(...Object.keys(VALUES)),
      (entry, label) => {
        const [make, word] = VALUES[label]!;
        expect(namedKind(() => ENTRIES[entry]!(make()))).toBe(word);
      },
    ),
    { seed: 61, numRuns: 150 },
  );
});

test("an array is named an array by lookup as by cloneNamespace", () => {
  expect(() => new Namespace("n").lookup([] as never)).toThrow(
    "namespace n: a binding is looked up by its name, a string, not an array",
  );
  expect(() => cloneNamespace([] as never)).toThrow(
    "cloneNamespace takes a Namespace, not an array",
  );
});
