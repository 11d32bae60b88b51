/**
 * A class handle's `length` is its current version's, as a plain class's is
 * its constructor's parameter count. The forwarder's own was always 1
 * (`init`): tsyringe builds a class without type metadata only when
 * `length === 0`, and every such class failed to resolve under `metamorph
 * dev` ("TypeInfo not known", review advZ20).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

/** A class whose constructor takes `n` parameters (and a default one after them, which `length` does not count). */
function withParameters(name: string, n: number): new (...args: unknown[]) => object {
  const params = [...Array.from({ length: n }, (_, i) => `p${i}`), "extra = 0"].join(", ");
  return new Function(`return class ${name} { constructor(${params}) {} }`)() as never;
}

test("the handle's length is the registered class's, follows each new implementation, and comes back with a rollback", () => {
  fc.assert(
    fc.property(fc.nat(6), fc.nat(6), fc.boolean(), (before, after, rollback) => {
      const ns = new Namespace("handle-length");
      const handle = ns.registerClass(withParameters("Service", before));
      expect(handle.length).toBe(before);
      // Redefined, a function's `length` left the handle in dictionary mode (`instanceof` 3× slower).
      expect(hasFastProperties(handle)).toBe(true);
      const result = updateSync(
        ns,
        patch("next").replaceImplementation("Service", withParameters("Service", after)).build(),
      );
      expect([handle.length, hasFastProperties(handle)]).toEqual([after, true]);
      if (rollback) {
        result.rollback();
        expect([handle.length, hasFastProperties(handle)]).toEqual([before, true]);
      }
      // As a plain class: not enumerable, not writable.
      const d = Object.getOwnPropertyDescriptor(handle, "length")!;
      expect([d.enumerable, d.writable]).toEqual([false, false]);
    }),
    { seed: 2012, numRuns: 10 },
  );
});

test("a class without a constructor has length 0 through its handle, as tsyringe requires", () => {
  class Logger {
    log(): string {
      return "ok";
    }
  }
  const handle = new Namespace("handle-length-zero").registerClass(Logger);
  expect(handle.length).toBe(0);
  expect(new handle().log()).toBe("ok");
});
