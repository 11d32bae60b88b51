/**
 * A method's source that carries more than one class member — a static
 * block after the method, a field, or text that closes the class body
 * early — is refused when the patch is read (MM_INVALID_PATCH), before any
 * of it runs; the engine puts a method's source into a class body, where
 * the extra member would run as the class is made (review advY4 item 8).
 */
import { describe, expect, test } from "vitest";
import { Patch, patch } from "../../src/index.js";

function withLabelSource(source: string): unknown {
  const json = JSON.parse(
    JSON.stringify(
      patch("p")
        .replaceMethods("Counter", {
          label() {
            return "v2";
          },
        })
        .build()
        .toJSON(),
    ),
  );
  json.operations[0].method.source = source;
  return json;
}

const g = globalThis as { mmExtraMember?: unknown };

describe("a method source is exactly one member", () => {
  test.each([
    ['label() { return "v2"; } static { globalThis.mmExtraMember = 1; }'],
    ['label() { return "v2"; } static x = (globalThis.mmExtraMember = 2);'],
    ['label() { return "v2"; } }; globalThis.mmExtraMember = 3; class X {'],
  ])("%s is refused with MM_INVALID_PATCH, nothing run", (source) => {
    expect(() => Patch.fromJSON(withLabelSource(source), { trust: "in-process" })).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_PATCH",
        message: expect.stringContaining("not exactly one method or accessor definition"),
      }),
    );
    expect(g.mmExtraMember).toBeUndefined();
  });

  test("one method, with a comment or written async, is accepted", () => {
    for (const source of [
      'label() { return "v2"; } // trailing comment',
      'async label() { return "v2"; }',
    ]) {
      expect(() => Patch.fromJSON(withLabelSource(source), { trust: "in-process" })).not.toThrow();
    }
  });
});
