/**
 * The key order a rollback gives back (review advZ12, F5). A migrated object
 * to which the program added a property after the commit (`o.extra = 1`)
 * came back `{ id, extra, balance }` when the field the rollback restores was
 * the old layout's last (renamed or removed): its log kept no complete state
 * from before (it had the old layout's fields alone), and the rollback placed
 * the old fields around what it holds, as for an object made since the
 * commit. The same program without the update has `{ id, balance, extra }`,
 * and so has the rollback now: the old layout's fields first, in their
 * order, what the program added since after them.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";
import { shapes } from "../support/objectShapes.js";

type Acc = Record<PropertyKey, unknown> & { id: number; get(): unknown };

const TAG = Symbol("tag");

/** What the program does to one object between touches, the same with and without the update. */
type Act = {
  kind: "touch" | "writeId" | "addExtra" | "addHidden" | "addSymbol" | "deleteExtra";
  at: number;
  v: number;
};

const act = fc.record({
  kind: fc.constantFrom(
    "touch",
    "touch",
    "writeId",
    "addExtra",
    "addHidden",
    "addSymbol",
    "deleteExtra",
  ),
  at: fc.nat(5),
  v: fc.integer({ min: 0, max: 3 }),
}) as fc.Arbitrary<Act>;

function apply(o: Acc, { kind, v }: Act): void {
  if (kind === "touch") o.get();
  else if (kind === "writeId") o.id = v;
  else if (kind === "addExtra") o[`e${v}`] = v;
  else if (kind === "addHidden")
    Object.defineProperty(o, `h${v}`, { value: v, writable: true, configurable: true });
  else if (kind === "addSymbol") o[TAG] = v;
  else delete o[`e${v}`];
}

/** The old layout of each change, and the patch. */
const CHANGES = {
  renameLast: ["id", "n", "balance"],
  renameMiddle: ["id", "balance", "n"],
  removeLast: ["id", "balance", "n"],
  add: ["id", "balance", "n"],
} as const;

function changed(change: keyof typeof CHANGES, failing: number) {
  const p = patch("v2").migrate("Acc", (old) => {
    if (old.id === failing) throw new Error(`cannot migrate #${failing}`);
  });
  if (change === "add")
    return p
      .addField("Acc", "extraField", { initial: (o) => (o as Acc).id * 2 })
      .replaceMethods("Acc", {
        get(this: Acc) {
          return [this.balance, this.extraField];
        },
      });
  if (change === "removeLast")
    return p.removeField("Acc", "n").replaceMethods("Acc", {
      get(this: Acc) {
        return [this.balance, "v2"];
      },
    });
  return p.renameField("Acc", "balance", "amount").replaceMethods("Acc", {
    get(this: Acc) {
      return [this.amount];
    },
  });
}

function world(name: string, change: keyof typeof CHANGES, count: number) {
  const ns = new Namespace(name);
  const Acc = ns.defineClass<Acc>({
    name: "Acc",
    fields: CHANGES[change].map((field) => ({ name: field, initializer: "0" })),
    methods: {
      get(this: Acc) {
        return [this.balance];
      },
    },
  });
  const objects = Array.from(
    { length: count },
    (_, i) => new Acc({ id: i, balance: 10 + i, n: i }),
  );
  return { ns, objects };
}

test("a rollback gives each object back its keys in the order the program without the update has them (seed 12345)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(CHANGES) as (keyof typeof CHANGES)[])),
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.constantFrom("rollback", "firstTouch"),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(),
      fc.array(act, { maxLength: 20 }),
      async (change, policy, how, count, pick, acts) => {
        // A first touch that fails: lazy, at a random object the actions may reach.
        if (how === "firstTouch" && policy === "eager") return;
        const failing = how === "firstTouch" ? pick % count : -1;
        const live = world(`key-order-${change}-${policy}`, change, count);
        const mirror = world(`key-order-${change}-${policy}-mirror`, change, count);
        const result = await update(live.ns, changed(change, failing).build(), { policy });
        result.completion.catch(() => {});
        for (const a of acts) {
          if (a.at >= count || (a.kind === "writeId" && a.at === failing)) continue;
          // The touch that fails rolls back; the mirror, which runs no update, touches nothing.
          apply(live.objects[a.at]!, a);
          if (a.kind !== "touch") apply(mirror.objects[a.at]!, a);
        }
        if (live.ns.version === 2) {
          if (how === "rollback") result.rollback();
          else expect(() => live.objects[failing]!.get()).not.toThrow();
        }
        expect(live.ns.version).toBe(1);
        // Was: `id, e0, h1, balance` where the program without the update has `id, balance, e0, h1`.
        expect(shapes(live.objects)).toEqual(shapes(mirror.objects));
      },
    ),
    { seed: 12345, numRuns: 300 },
  );
}, 180_000);

test.each(["eager", "lazy"] as const)(
  "a property the program made non-deletable since keeps its place: the old fields go around it, and the rollback is not refused (%s)",
  async (policy) => {
    const { ns, objects } = world(`key-order-fixed-${policy}`, "removeLast", 2);
    const result = await update(ns, changed("removeLast", -1).build(), { policy });
    for (const o of objects) o.get();
    Object.defineProperty(objects[0]!, "fixed", { value: 1, enumerable: true });
    result.rollback();
    expect([result.state(), ns.version]).toEqual(["rolled-back", 1]);
    // `n` cannot go in front of `fixed`, which cannot move: it goes after.
    expect(objects.map((o) => Object.entries(o))).toEqual([
      [
        ["id", 0],
        ["balance", 10],
        ["fixed", 1],
        ["n", 0],
      ],
      [
        ["id", 1],
        ["balance", 11],
        ["n", 1],
      ],
    ]);
  },
);
