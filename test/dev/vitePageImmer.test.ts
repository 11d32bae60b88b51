/**
 * The page's immer (src/dev/vitePageImmer.ts) against immer itself, over
 * random recipes on data shaped like namespace snapshots (plain objects and
 * arrays holding class instances and functions): the same result, the same
 * untouched subtrees kept by identity, the same frozen nodes, and patches
 * that immer's own applyPatches turns into the result and back.
 */
import fc from "fast-check";
import { applyPatches, enablePatches, Immer as RealImmer } from "immer";
import { expect, test } from "vitest";
import { Immer } from "../../src/dev/vitePageImmer.js";

enablePatches();

class Box {
  constructor(readonly value: number) {}
}
const FUNCTIONS: Record<string, () => number> = { f: () => 1, g: () => 2 };

/** A value as data, built afresh for each implementation. */
type Spec =
  | { readonly n: number }
  | { readonly box: number }
  | { readonly fn: string }
  | { readonly object: Readonly<Record<string, Spec>> }
  | { readonly array: readonly Spec[] };

const KEYS = ["a", "b", "c"] as const;
const spec: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ n: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ box: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ fn: fc.constantFrom("f", "g") }),
    fc.record({ object: fc.dictionary(fc.constantFrom(...KEYS), tie("spec"), { maxKeys: 3 }) }),
    fc.record({ array: fc.array(tie("spec"), { maxLength: 3 }) }),
  ),
})).spec;

function build(s: Spec): unknown {
  if ("n" in s) return s.n;
  if ("box" in s) return new Box(s.box);
  if ("fn" in s) return FUNCTIONS[s.fn];
  if ("object" in s)
    return Object.fromEntries(Object.entries(s.object).map(([k, v]) => [k, build(v)]));
  return s.array.map(build);
}

const path = fc.array(fc.constantFrom<string | number>(...KEYS, 0, 1), {
  minLength: 1,
  maxLength: 3,
});
const step = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), path, value: spec }),
  fc.record({ kind: fc.constant("delete" as const), path }),
  fc.record({ kind: fc.constant("read" as const), path }),
  fc.record({ kind: fc.constant("spread" as const), path }),
  fc.record({ kind: fc.constant("alias" as const), path, from: path }),
  fc.record({ kind: fc.constant("push" as const), path, value: spec }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

type Node = Record<string | number, unknown>;
const isNode = (v: unknown): v is Node =>
  typeof v === "object" && v !== null && !(v instanceof Box);

/** The object holding the path's last key, or undefined where the path leaves the data. */
function holder(root: unknown, at: readonly (string | number)[]): Node | undefined {
  let node = root;
  for (const key of at.slice(0, -1)) {
    if (!isNode(node)) return undefined;
    node = node[key];
  }
  return isNode(node) ? node : undefined;
}

function run(draft: unknown, steps: readonly Step[]): void {
  for (const s of steps) {
    const node = holder(draft, s.path);
    const key = s.path[s.path.length - 1]!;
    // Arrays are written within their length, or pushed to (a write past the end that leaves holes is not data).
    if (!node || (Array.isArray(node) && !(typeof key === "number" && key < node.length))) continue;
    if (s.kind === "set") node[key] = build(s.value);
    else if (s.kind === "delete") delete node[key];
    else if (s.kind === "read") void node[key];
    else if (s.kind === "spread") {
      const v = node[key];
      if (isNode(v) && !Array.isArray(v)) node[key] = { ...v, added: 1 };
    } else if (s.kind === "alias") {
      const from = holder(draft, s.from);
      const v = from?.[s.from[s.from.length - 1]!];
      // Aliasing a node into its own subtree would make a cycle, which immer refuses too.
      if (v !== undefined && !(isNode(v) && s.path.length > s.from.length)) node[key] = v;
    } else {
      const v = node[key];
      if (Array.isArray(v)) v.push(build(s.value));
    }
  }
}

/** The two trees walked together: the same shape of identity with their bases, and of frozenness. */
function sameSharing(mine: unknown, mineBase: unknown, theirs: unknown, theirsBase: unknown): void {
  if (!isNode(mine) || !isNode(theirs)) return;
  expect(mine === mineBase).toBe(theirs === theirsBase);
  expect(Object.isFrozen(mine)).toBe(Object.isFrozen(theirs));
  for (const key of Object.keys(theirs)) {
    const baseOf = (b: unknown) => (isNode(b) ? b[key] : undefined);
    sameSharing(mine[key], baseOf(mineBase), theirs[key], baseOf(theirsBase));
  }
}

test("the page's immer produces what immer produces, shares and freezes the same, with patches immer can apply", () => {
  const real = new RealImmer({ autoFreeze: true });
  const page = new Immer({ autoFreeze: true });
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom(...KEYS), spec, { minKeys: 1, maxKeys: 3 }),
      fc.array(step, { maxLength: 5 }),
      fc.boolean(),
      (base, steps, frozenBase) => {
        const make = () => {
          const data = build({ object: base });
          return frozenBase ? real.produce(data, () => {}) : data;
        };
        const theirsBase = make();
        const mineBase = make();
        let theirs: [unknown, unknown[], unknown[]];
        try {
          theirs = real.produceWithPatches(theirsBase, (d) => run(d, steps)) as typeof theirs;
        } catch {
          return; // what immer refuses (a cycle) is not asked of the page's immer
        }
        const [result, patches, inverse] = page.produceWithPatches(mineBase, (d) => run(d, steps));
        expect(result).toEqual(theirs[0]);
        sameSharing(result, mineBase, theirs[0], theirsBase);
        expect(applyPatches(make() as object, patches as never)).toEqual(result);
        expect(applyPatches(result as object, inverse as never)).toEqual(make());
        // produce is produceWithPatches' result alone.
        expect(page.produce(make(), (d) => run(d, steps))).toEqual(result);
      },
    ),
    { seed: 2026, numRuns: 400 },
  );
});

test("a recipe that changes nothing returns the base itself, frozen deeply", () => {
  const page = new Immer({ autoFreeze: true });
  const base = { version: 0, bindings: { a: { kind: "value", box: new Box(1), list: [1] } } };
  const result = page.produce(base, (d) => {
    void d.bindings.a.list;
  });
  expect(result).toBe(base);
  expect(Object.isFrozen(base.bindings.a.list)).toBe(true);
  // Class instances are not the snapshot's to freeze (immer does not freeze them either).
  expect(Object.isFrozen(base.bindings.a.box)).toBe(false);
});
