/**
 * A namespace's history (review advZ2, F5b/F5c): `history` handed out the
 * array itself, and a caller's `pop()` made the next rollback "succeed" onto
 * version 0 with no bindings; a `replaceNamespace` record undone after
 * `forgetHistoryBefore` dropped the version before it left the namespace with
 * no snapshot (every read of it threw TypeError). `history` is now a frozen
 * copy, and such an undo is refused (MM_UNDO) with the namespace as it was.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  cloneNamespace,
  MetamorphError,
  Namespace,
  patch,
  replaceNamespace,
  updateSync,
} from "../../src/index.js";

function stateOf(ns: Namespace) {
  return {
    version: ns.version,
    snapshot: ns.snapshot,
    history: ns.history.map((s) => s.version),
    bindings: ns.bindingNames(),
    values: ns.bindingNames().map((name) => ns.lookup(name)),
  };
}

test("history is a frozen copy: a caller cannot change what a rollback goes back to", () => {
  const ns = new Namespace("history-copy");
  const P = ns.defineClass<{ x: number }>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
  });
  const o = new P({ x: 1 });
  const result = updateSync(ns, patch("a").addField("P", "y", { default: 1 }).build());
  const seen = ns.history;
  expect(Object.isFrozen(seen)).toBe(true);
  expect(() => (seen as unknown as unknown[]).pop()).toThrow(TypeError);
  expect(() => (seen as unknown as unknown[]).splice(0)).toThrow(TypeError);
  // The same copy until the history changes.
  expect(ns.history).toBe(seen);
  expect(seen.map((s) => s.version)).toEqual([0, 1, 2]);
  result.rollback();
  expect(ns.history).not.toBe(seen);
  expect([ns.version, ns.bindingNames(), ns.history.map((s) => s.version)]).toEqual([
    1,
    ["P"],
    [0, 1],
  ]);
  expect(Object.keys(o)).toEqual(["x"]);
});

test("property: a replace undone after forgetHistoryBefore is refused (MM_UNDO) with the namespace as it was when the version before it is gone, and exact otherwise (seed 5150)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 8 }),
      (defines, forgetFrom) => {
        const ns = new Namespace("history-forget");
        for (let i = 0; i < defines; i++) ns.define(`v${i}`, i);
        const before = stateOf(ns);
        const shadow = cloneNamespace(ns);
        shadow.define("extra", { added: true });
        const record = replaceNamespace(ns, shadow);
        // Up to the live version (a later one drops nothing).
        forgetFrom %= ns.version + 1;
        ns.forgetHistoryBefore(forgetFrom);
        const forgotten = stateOf(ns);
        let code: string | undefined;
        try {
          record.undo();
        } catch (error) {
          code = error instanceof MetamorphError ? error.code : String(error);
        }
        if (forgetFrom > record.fromVersion) {
          expect(code).toBe("MM_UNDO");
          expect(stateOf(ns)).toEqual(forgotten);
          expect(ns.snapshot).toBe(forgotten.snapshot);
        } else {
          expect(code).toBeUndefined();
          expect(stateOf(ns)).toEqual({
            ...before,
            history: before.history.filter((v) => v >= forgetFrom),
          });
        }
        // Usable either way.
        ns.define("after", 1);
        expect(ns.lookup("after")).toBe(1);
      },
    ),
    { seed: 5150, numRuns: 120 },
  );
});
