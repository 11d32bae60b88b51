// MetamorphError.code is the union of the codes (ErrorCode), so a program's
// `switch (error.code)` is checked by the compiler: a misspelt code is a
// compile error (tsc runs over test/ in `npm test`), and an error caught as
// MetamorphError narrows by its code.
import { expect, test } from "vitest";
import { type ErrorCode, MetamorphError, Namespace, patch, updateSync } from "../../src/index.js";

function advice(code: ErrorCode): string {
  switch (code) {
    case "MM_INVALID_PATCH":
      return "fix the patch";
    // @ts-expect-error a code no error carries does not compile
    case "MM_INVALID_PACTH":
      return "never";
    default:
      return "other";
  }
}

test("a refusal's code is an ErrorCode that a switch matches", () => {
  const ns = new Namespace("codes");
  ns.defineClass({ name: "A", fields: [{ name: "x", initializer: "1" }] });
  let caught: unknown;
  try {
    updateSync(ns, patch("bad").removeField("A", "nope").build());
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MetamorphError);
  const code: ErrorCode = (caught as MetamorphError).code;
  expect(advice(code)).toBe("fix the patch");
});
