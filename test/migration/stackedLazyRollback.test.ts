/**
 * Rolling back an update that had to complete an earlier lazy (or
 * progressive) update first. Before it is built, an update completes the
 * namespace's lazy update in progress (lazyCompletion.ts
 * completeEarlierUpdate); rolling it back — or refusing it — must leave every
 * object exactly as it was before it: objects that were still pending under
 * the earlier update go back to that update's old layout (and are pending
 * under it again, its guards in place), objects it had migrated keep its new
 * layout and its brand. Lazy migration cannot see direct own-field reads, so
 * this is checked on own state only: prototype, own keys (symbols included),
 * descriptors and values.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { UpdateResult } from "../../src/index.js";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Own = {
  proto: object | null;
  keys: (string | symbol)[];
  descriptors: PropertyDescriptor[];
};

function own(o: object): Own {
  const keys = Reflect.ownKeys(o);
  return {
    proto: Object.getPrototypeOf(o),
    keys,
    descriptors: keys.map((k) => Reflect.getOwnPropertyDescriptor(o, k)!),
  };
}

interface Item {
  a: number;
  c: number;
  peek(): number;
}

function world(n: number, name: string, finder: "registry" | "heap" = "registry") {
  const ns = new Namespace(name, { instanceFinder: finder });
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "a", initializer: "0" },
      { name: "c", initializer: "0" },
    ],
    methods: {
      peek(this: { c: number }) {
        return this.c;
      },
    },
  });
  const items = Array.from({ length: n }, (_, i) => new Item({ a: i, c: i * 10 }));
  return { ns, Item, items };
}

const u1 = () => patch("u1").renameField("Item", "a", "b").policy("lazy").build();
const u2 = (policy: "lazy" | "progressive" | "eager" = "lazy") =>
  patch("u2").renameField("Item", "c", "d").policy(policy).build();

describe("rolling back the second of two lazy updates", () => {
  for (const finder of ["registry", "heap"] as const) {
    test(`objects pending under the first are back on its old layout (${finder} finder)`, () => {
      const { ns, items } = world(4, `stacked-first-${finder}`, finder);
      const first = updateSync(ns, u1());
      items[0]!.peek(); // migrated by u1 at its first touch (branded)
      const before = items.map(own);
      const second = updateSync(ns, u2());
      // u2's build completed u1: every object has u1's layout now.
      expect(Object.keys(items[2]!)).toEqual(["b", "c"]);
      items[1]!.peek(); // brought through u1 (by the completion), then u2 at first touch
      second.rollback();
      expect(items.map(own)).toEqual(before);
      expect(Object.keys(items[2]!)).toEqual(["a", "c"]);
      // Pending under u1 again, its guards in place.
      expect(first.state()).toBe("committed");
      expect(first.pendingInstances()).toBe(3);
      expect(items[3]!.peek()).toBe(30);
      expect(Object.keys(items[3]!)).toEqual(["b", "c"]);
      first.rollback();
      expect(items.map((o) => Object.keys(o))).toEqual(items.map(() => ["a", "c"]));
      expect(items.map((o) => (o as unknown as Item).a)).toEqual([0, 1, 2, 3]);
    });
  }

  test("a value written since u2's commit to a field u1's old layout carries is kept", () => {
    const { ns, items } = world(2, "stacked-write");
    updateSync(ns, u1());
    const second = updateSync(
      ns,
      patch("u2")
        .renameField("Item", "c", "d")
        .addMethods("Item", {
          setB(this: { b: number }, v: number) {
            this.b = v;
          },
        })
        .policy("lazy")
        .build(),
    );
    (items[0] as unknown as { setB(v: number): void }).setB(99);
    second.rollback();
    expect(Object.keys(items[0]!)).toEqual(["a", "c"]);
    expect((items[0] as unknown as Item).a).toBe(99);
    expect((items[1] as unknown as Item).a).toBe(1);
  });

  test("objects made under u2 are on u1's new layout after its rollback, migrated under u1", () => {
    // u1 only adds a field: nothing in an object's layout tells it was made
    // since (builtSince.ts), only u1's marks do.
    const { ns, Item } = world(2, "stacked-made");
    const first = updateSync(
      ns,
      patch("u1").addField("Item", "z", { default: 5 }).policy("lazy").build(),
    );
    const second = updateSync(ns, u2());
    const made = new Item();
    expect(Object.keys(made)).toEqual(["a", "d", "z"]);
    second.rollback();
    expect(Object.keys(made)).toEqual(["a", "c", "z"]);
    expect(first.pendingInstances()).toBe(2);
    first.rollback();
    expect(Object.keys(made)).toEqual(["a", "c"]);
  });

  test("a refused update leaves the earlier lazy update pending, as it was", () => {
    const { ns, items } = world(3, "stacked-refused");
    const first = updateSync(ns, u1());
    items[0]!.peek();
    const before = items.map(own);
    const refused = patch("u2")
      .addField("Item", "z", { default: 0 })
      .validateInstances("never", "Item", () => "refused")
      .build();
    expect(() => updateSync(ns, refused)).toThrow(/never|refused/);
    expect(items.map(own)).toEqual(before);
    expect(first.pendingInstances()).toBe(2);
  });

  test("once u1 is permanent, rolling back u2 leaves u1's completion in place", () => {
    const { ns, items } = world(2, "stacked-permanent");
    const first = updateSync(ns, u1());
    const second = updateSync(ns, u2());
    first.makePermanent();
    second.rollback();
    expect(items.map((o) => Object.keys(o))).toEqual([
      ["b", "c"],
      ["b", "c"],
    ]);
    expect(first.pendingInstances()).toBe(0);
  });

  const progressiveU1 = () =>
    patch("u1").renameField("Item", "a", "b").policy("progressive").build();
  const settled = async (result: UpdateResult) => {
    for (let i = 0; i < 200 && result.pendingInstances() > 0; i++) {
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  test("a progressive u1 whose sweep had not stopped sweeps on after u2 is rolled back", async () => {
    const { ns, items } = world(50, "stacked-progressive");
    const first = updateSync(ns, progressiveU1());
    const second = updateSync(ns, u2());
    second.rollback();
    expect(items.every((o) => Object.keys(o).join() === "a,c")).toBe(true);
    expect(first.pendingInstances()).toBe(50);
    await settled(first);
    expect(first.pendingInstances()).toBe(0);
    expect(items.every((o) => Object.keys(o).join() === "b,c")).toBe(true);
  });

  test("a progressive u1 whose sweep had stopped gets a new sweep when u2 is rolled back", async () => {
    const { ns, items } = world(400, "stacked-progressive-stopped");
    const first = updateSync(ns, progressiveU1(), { sliceSize: 100 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const pendingBefore = items.filter((o) => Object.hasOwn(o, "a")).length;
    const second = updateSync(ns, u2());
    await first.completion; // u2 completed u1
    await new Promise((r) => setTimeout(r, 10)); // and its sweep saw it, and stopped
    second.rollback();
    expect(first.pendingInstances()).toBe(pendingBefore);
    expect(pendingBefore).toBeGreaterThan(0);
    await settled(first);
    expect(first.pendingInstances()).toBe(0);
    expect(items.every((o) => Object.keys(o).join() === "b,c")).toBe(true);
  });
});

type Policy = "lazy" | "progressive" | "eager";
type Step =
  | { kind: "update"; policy: Policy; op: number; pick: number }
  | { kind: "touch"; which: number[] }
  | { kind: "complete" }
  | { kind: "make" }
  | { kind: "sweep" }
  | { kind: "rollback" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      policy: fc.constantFrom<Policy>("lazy", "progressive", "eager"),
      op: fc.nat(3),
      pick: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("touch" as const),
      which: fc.array(fc.nat(), { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "make" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "sweep" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "rollback" as const }) },
);

interface Applied {
  readonly result: UpdateResult;
  /** Own state of every object before the update, and the fields then. */
  readonly before: Map<object, Own>;
  readonly fields: readonly string[];
}

/** One field change per update: rename, add (a default, or computed from another field), remove. */
function fieldChange(fields: string[], k: number, op: number, pick: number, policy: Policy) {
  const p = patch(`u${k}`).policy(policy);
  const field = fields[pick % fields.length]!;
  if (op === 0) {
    const to = `r${k}`;
    fields[fields.indexOf(field)] = to;
    return p.renameField("Item", field, to).build();
  }
  if (op === 3 && fields.length > 1) {
    fields.splice(fields.indexOf(field), 1);
    return p.removeField("Item", field).build();
  }
  const added = `n${k}`;
  fields.push(added);
  return op === 1
    ? p.addField("Item", added, { default: k }).build()
    : p
        .addField("Item", added, {
          initial: new Function("old", `return String(old.${field});`) as (old: unknown) => string,
        })
        .build();
}

async function runSteps(steps: Step[], n: number, label: string): Promise<void> {
  const ns = new Namespace(label);
  const Item = ns.defineClass<{ a: number; c: number; peek(): number }>({
    name: "Item",
    fields: [
      { name: "a", initializer: "0" },
      { name: "c", initializer: "0" },
    ],
    methods: {
      peek(this: object) {
        return Object.keys(this).length;
      },
    },
  });
  const objects: object[] = Array.from({ length: n }, (_, i) => new Item({ a: i, c: -i }));
  const fields = ["a", "c"];
  const stack: Applied[] = [];
  let k = 0;
  for (const s of steps) {
    const top = stack[stack.length - 1];
    if (s.kind === "update") {
      const before = new Map(objects.map((o) => [o, own(o)]));
      const previous = [...fields];
      const result = updateSync(ns, fieldChange(fields, ++k, s.op, s.pick, s.policy));
      stack.push({ result, before, fields: previous });
    } else if (s.kind === "touch") {
      for (const w of s.which) (objects[w % objects.length] as { peek(): number }).peek();
    } else if (s.kind === "complete") top?.result.completeMigration();
    else if (s.kind === "make") objects.push(new Item());
    else if (s.kind === "sweep") await new Promise((r) => setTimeout(r, 1));
    else if (top) {
      stack.pop();
      top.result.rollback();
      fields.splice(0, fields.length, ...top.fields);
      for (const o of objects) {
        const was = top.before.get(o);
        // Exactly as before the update; an object made since is on the
        // layout of the version that runs again (its new layout, if that
        // version is still migrating lazily: not pending).
        if (was) expect(own(o)).toEqual(was);
        else expect(Object.keys(o)).toEqual(fields);
      }
    }
  }
  while (stack.length > 0) {
    const top = stack.pop()!;
    top.result.rollback();
    for (const [o, was] of top.before) expect(own(o)).toEqual(was);
  }
  for (const o of objects) expect(Object.keys(o)).toEqual(["a", "c"]);
}

describe("stacked updates rolled back in LIFO order", () => {
  test("property: every rollback leaves every object's own state as before its update", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 8 }),
        async (steps, n) => runSteps(steps, n, `stacked-property-${run++}`),
      ),
      { seed: 4242, numRuns: 150 },
    );
  });
});
