/**
 * A patch or an options object whose reads throw — a Proxy's trap, a
 * getter, a Proxy returning what its frozen Patch does not hold (a
 * TypeError of the Proxy invariants) — is refused with a typed error naming
 * what was read, its cause attached: MM_INVALID_PATCH or MM_INVALID_OPTION,
 * nothing changed and no patch code run. Before, the trap's own Error (or
 * the TypeError) came out with no code (review advZ30 #3). The update reads
 * its options once (options.ts) and works on that copy.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import type { Patch, UpdateOptions } from "../../src/index.js";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

const OPTION_KEYS = [
  "policy",
  "sliceSize",
  "healthCheck",
  "healthCheckTimeoutMs",
  "onEvent",
  "onCommitStep",
];

function world() {
  const ns = new Namespace("hostile");
  const Account = ns.defineClass<{ id: string }>({
    name: "Account",
    fields: [{ name: "id", initializer: "'1'" }],
  });
  const objects = [new Account(), new Account()];
  const ran = { n: 0 };
  const p = patch("h")
    .addField("Account", "h", {
      initial: () => {
        ran.n++;
        return 1;
      },
    })
    .build();
  return { ns, objects, ran, p };
}

type Hostile =
  | { readonly on: "patch"; readonly how: "throws" | "lies"; readonly key: "name" | "operations" }
  | { readonly on: "options"; readonly how: "getter" | "get-trap"; readonly key: string }
  | { readonly on: "options"; readonly how: "ownKeys" | "descriptor"; readonly key?: undefined };

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({
    on: fc.constant("patch" as const),
    how: fc.constantFrom("throws" as const, "lies" as const),
    key: fc.constantFrom("name" as const, "operations" as const),
  }),
  fc.record({
    on: fc.constant("options" as const),
    how: fc.constantFrom("getter" as const, "get-trap" as const),
    key: fc.constantFrom(...OPTION_KEYS),
  }),
  fc.record({
    on: fc.constant("options" as const),
    how: fc.constantFrom("ownKeys" as const, "descriptor" as const),
  }),
);

/** The patch and options `h` describes, and the error its trap or getter throws. */
function arguments_(h: Hostile, p: Patch) {
  const thrown = new Error(`trap on ${h.key ?? h.how}`);
  if (h.on === "patch") {
    const other = h.key === "name" ? "other" : [];
    const proxy = new Proxy(p, {
      get: (target, key) => {
        if (key !== h.key) return Reflect.get(target, key);
        if (h.how === "throws") throw thrown;
        return other;
      },
    });
    return { patch: proxy, options: {}, thrown: h.how === "throws" ? thrown : undefined };
  }
  if (h.how === "getter") {
    const options = {};
    Object.defineProperty(options, h.key, {
      enumerable: true,
      get: () => {
        throw thrown;
      },
    });
    return { patch: p, options, thrown };
  }
  const handler: ProxyHandler<object> =
    h.how === "get-trap"
      ? { get: (t, k) => (k === h.key ? fail(thrown) : Reflect.get(t, k)) }
      : h.how === "ownKeys"
        ? { ownKeys: () => fail(thrown) }
        : { getOwnPropertyDescriptor: () => fail(thrown) };
  // A key to describe, so that the descriptor trap is asked.
  return { patch: p, options: new Proxy({ policy: "eager" }, handler), thrown };
}

function fail(error: Error): never {
  throw error;
}

test("a patch or options whose reads throw: MM_INVALID_PATCH / MM_INVALID_OPTION, nothing changed, no patch code run", async () => {
  await fc.assert(
    fc.asyncProperty(hostile, fc.boolean(), async (h, sync) => {
      const { ns, objects, ran, p } = world();
      const given = arguments_(h, p);
      const before = objects.map((o) => [Object.getPrototypeOf(o), { ...o }]);
      const attempt = sync
        ? async () => updateSync(ns, given.patch, given.options as UpdateOptions)
        : () => update(ns, given.patch, given.options as UpdateOptions);
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      const code = h.on === "patch" ? "MM_INVALID_PATCH" : "MM_INVALID_OPTION";
      expect(error).toMatchObject({ code });
      const details = (error as { details: Record<string, unknown> }).details;
      if (h.on === "patch") expect(details.field).toBe(h.key);
      else expect(details.option).toBe(h.key ?? "its keys");
      if (given.thrown) expect(details.cause).toBe(given.thrown);
      expect(ran.n).toBe(0);
      expect(ns.version).toBe(1);
      expect(objects.map((o) => [Object.getPrototypeOf(o), { ...o }])).toEqual(before);
      // The same patch, given plainly, still applies.
      updateSync(ns, p);
      expect(objects.map((o) => (o as unknown as { h: number }).h)).toEqual([1, 1]);
    }),
    { seed: 30_3, numRuns: 60 },
  );
});

test("an object made with Patch.prototype but not by its constructor: MM_INVALID_PATCH", () => {
  const { ns, p } = world();
  const fake = Object.create(Object.getPrototypeOf(p)) as Patch;
  expect(() => updateSync(ns, fake)).toThrow(expect.objectContaining({ code: "MM_INVALID_PATCH" }));
  expect(ns.version).toBe(1);
});
