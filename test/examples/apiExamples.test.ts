import { describe, expect, test } from "vitest";
import { main as quickstart } from "../../examples/api/quickstart.js";
import { main as reflection } from "../../examples/api/reflection.js";
import { main as safety } from "../../examples/api/safety.js";

// The README quotes these examples; running them here keeps the README true.
function capture(run: (log: (line: string) => void) => unknown) {
  const lines: string[] = [];
  return Promise.resolve(run((line) => lines.push(line))).then(() => lines);
}

describe("README examples", () => {
  test("quick start updates live instances in place", async () => {
    const lines = await capture(quickstart);
    expect(lines).toContain("Hello, Ada Lovelace!");
    expect(lines).toContain('{"given":"Ada","last":"Lovelace","fullName":"Ada Lovelace"}');
    expect(lines).toContain("still in the set: true, instanceof: true");
    expect(lines.at(-1)).toMatch(/^migrated 2 instances, pause [\d.]+ ms, namespace version 2$/);
  });

  test("reflection example", async () => {
    const lines = await capture(reflection);
    expect(lines).toEqual([
      "Point: fields x, y; learned from source",
      'created: {"x":1,"y":2,"z":0}, instanceof: true',
      "z = 3",
      'MM_UNKNOWN_FIELD: Point3 has no instance variable "w" (it has: x, y, z)',
      "allInstances: 2 (holding 2)",
      "after swap: holder.ref.name = b, holder.ref === a: true",
      "after forward: forwarded",
      "through the handle: norm = 5",
    ]);
  });

  test("safety example", async () => {
    const lines = await capture(safety);
    expect(lines).toEqual([
      "MM_VALIDATION_FAILED: Item instance #1: book has no price",
      'unchanged: {"name":"book","price":0}',
      'outcome: rolled-back; item: {"name":"pen","price":2}',
      'after rollback: {"name":"pen","price":3}',
    ]);
  });
});
