/**
 * An array's elements are not state a field patch manages: a migration of
 * `class Queue extends Array` rewrites its named fields around them, and so
 * does a rollback (src/migration/arrayElements.ts). Before, every element
 * was captured, deleted and defined again as unmanaged state (20 µs an
 * element in the pause), and a rollback looked each key up with a scan of
 * all the others (n²: 40,000 elements blocked 5 s; review advZ30).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import type { PatchBuilder } from "../../src/patch/builder.js";
import { hasFastProperties } from "../support/v8.js";

type Queue = unknown[] & Record<string, unknown>;

/** Everything own about `o`: keys in order, complete descriptors, length, prototype. */
function stateOf(o: object): unknown {
  return {
    keys: Reflect.ownKeys(o),
    descriptors: Reflect.ownKeys(o).map((k) => Reflect.getOwnPropertyDescriptor(o, k)),
    length: Array.isArray(o) ? o.length : null,
    prototype: Object.getPrototypeOf(o),
  };
}

const elementsOf = (q: Queue) => ({
  length: q.length,
  entries: Object.keys(q)
    .filter((k) => /^(?:0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1)
    .map((k) => [k, q[k as never]]),
});

const SHAPES: Record<string, (p: PatchBuilder) => PatchBuilder> = {
  rename: (p) => p.renameField("Queue", "label", "name"),
  add: (p) => p.addField("Queue", "seen", { default: 0 }),
  remove: (p) => p.removeField("Queue", "label"),
  migrator: (p) =>
    p.addField("Queue", "seen", { default: 0 }).migrate("Queue", (old, t) => {
      (t as Record<string, unknown>).seen = String(old.label).length;
    }),
};

/** What each shape leaves in the named fields. */
const FIELDS: Record<string, string[]> = {
  rename: ["name", "size"],
  add: ["label", "size", "seen"],
  remove: ["size"],
  migrator: ["label", "size", "seen"],
};

/** Counts `Reflect.defineProperty` calls on `target` while `run` runs: an element defined again is one. */
function definesOn(target: object, run: () => void): number {
  const define = Reflect.defineProperty;
  let count = 0;
  Reflect.defineProperty = (o, key, d) => {
    if (o === target) count++;
    return define(o, key, d);
  };
  try {
    run();
  } finally {
    Reflect.defineProperty = define;
  }
  return count;
}

describe("an Array subclass's elements through a field patch", () => {
  test("property: elements, holes, length and index-like named keys stay; the rollback is exact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.integer(), { nil: undefined, freq: 4 }), { maxLength: 40 }),
        fc.nat({ max: 5 }),
        fc.subarray(["01", "-1", "1.5", "4294967295", "x"]),
        fc.constantFrom(...Object.keys(SHAPES)),
        fc.constantFrom("eager", "lazy", "progressive"),
        async (values, tail, named, shape, policy) => {
          const ns = new Namespace(`arr-${shape}-${policy}`, { instanceFinder: "registry" });
          const Handle = ns.registerClass(
            class Queue extends Array {
              label = "q";
              size = 3;
            },
          ) as unknown as new () => Queue;
          const q = new Handle();
          // `undefined` leaves a hole; `tail` more holes past the last element.
          values.forEach((v, i) => {
            if (v !== undefined) q[i] = v;
          });
          q.length = values.length + tail;
          for (const k of named) q[k] = `named ${k}`;
          const before = stateOf(q);
          const elements = elementsOf(q);
          const result = await update(ns, SHAPES[shape]!(patch(shape)).policy(policy).build());
          result.completeMigration();
          expect(elementsOf(q)).toEqual(elements);
          const fields = Object.keys(q).filter((k) => !elements.entries.some(([e]) => e === k));
          expect(fields).toEqual([...FIELDS[shape]!, ...named]);
          for (const k of named) expect(q[k]).toBe(`named ${k}`);
          result.rollback();
          expect(stateOf(q)).toEqual(before);
        },
      ),
      { seed: 3017, numRuns: 60 },
    );
  });

  test("a rename and its rollback leave the elements where they are: none defined again", () => {
    const ns = new Namespace("arr-defines", { instanceFinder: "registry" });
    const Handle = ns.registerClass(
      class Queue extends Array {
        label = "q";
      },
    ) as unknown as new () => Queue;
    const q = new Handle();
    for (let i = 0; i < 2000; i++) q.push(i);
    const before = stateOf(q);
    let result: ReturnType<typeof updateSync> | undefined;
    const forward = definesOn(q, () => {
      result = updateSync(ns, patch("v2").renameField("Queue", "label", "name").build());
    });
    expect(q.name).toBe("q");
    expect(q.length).toBe(2000);
    expect(hasFastProperties(q)).toBe(true);
    const back = definesOn(q, () => result!.rollback());
    // Before: 2000 each way, one per element.
    expect(forward + back).toBeLessThan(10);
    expect(stateOf(q)).toEqual(before);
  });
});

/** Counts `Array.prototype.indexOf` calls while `run` runs: a key looked up by a scan is one. */
function scansDuring(run: () => void): number {
  const indexOf = Array.prototype.indexOf;
  let count = 0;
  Array.prototype.indexOf = function (this: unknown[], ...args: Parameters<typeof indexOf>) {
    count++;
    return indexOf.apply(this, args);
  };
  try {
    run();
  } finally {
    Array.prototype.indexOf = indexOf;
  }
  return count;
}

test("an object used as a dictionary (20,000 own keys) migrates and rolls back exactly, each key looked up once", () => {
  const ns = new Namespace("dictionary", { instanceFinder: "registry" });
  const Dict = ns.registerClass(
    class Dict {
      label = "d";
    },
  );
  const d = new Dict() as unknown as Record<string, unknown>;
  for (let i = 0; i < 20_000; i++) d[`k${i}`] = i;
  d[7] = "seven"; // an element of a plain object: carried as it was
  const before = stateOf(d);
  const result = updateSync(ns, patch("v2").renameField("Dict", "label", "name").build());
  expect(d.name).toBe("d");
  expect(Object.keys(d).length).toBe(20_002);
  expect(d.k19999).toBe(19_999);
  expect(d[7]).toBe("seven");
  // Before: one scan of the 20,002 keys for each of them.
  expect(scansDuring(() => result.rollback())).toBeLessThan(100);
  expect(stateOf(d)).toEqual(before);
});
