import { expect, test } from "vitest";
test("natives", () => {
  const f = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;
  expect(f({ a: 1 })).toBe(true);
  expect(typeof (globalThis as { gc?: unknown }).gc).toBe("function");
});
