/**
 * The chunked append-only list lazy updates record into (chunkedList.ts):
 * it must answer exactly as a plain array would, across chunk boundaries
 * (8,192 entries), after truncation to any length and further pushes.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { ChunkedList } from "../../src/migration/chunkedList.js";

type Op =
  | { readonly kind: "push"; readonly count: number }
  | { readonly kind: "truncate"; readonly to: number }
  | { readonly kind: "set"; readonly at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), count: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant("truncate" as const), to: fc.nat({ max: 40_000 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat({ max: 40_000 }) }),
);

test("a chunked list holds what a plain array would, whatever the pushes, truncations and writes", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const list = new ChunkedList<number>();
      const model: number[] = [];
      let next = 0;
      for (const o of ops) {
        if (o.kind === "push") {
          for (let i = 0; i < o.count; i++) {
            list.push(next);
            model.push(next++);
          }
        } else if (o.kind === "truncate") {
          list.truncate(o.to);
          if (o.to < model.length) model.length = o.to;
        } else if (o.at < model.length) {
          list.set(o.at, -o.at);
          model[o.at] = -o.at;
        }
        expect(list.length).toBe(model.length);
      }
      for (let i = 0; i < model.length; i++)
        if (list.at(i) !== model[i]) expect(list.at(i)).toBe(model[i]);
    }),
    { seed: 8192, numRuns: 60 },
  );
});
