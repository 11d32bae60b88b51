/**
 * A migrator that converts a container its object holds in place (review
 * advZ27 #1): `target` is a shallow copy, so `t.data` is the live object's
 * own Map, Set, array or plain object. Its effect must happen exactly once
 * whatever the policy (a lazy or progressive dry run for validations ran
 * it twice), and every refusal or rollback must put the container back
 * exactly — same container, same entries, same order
 * (src/migration/heldContainers.ts).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { UpdateResult } from "../../src/migration/types.js";

type Kind = "map" | "set" | "array" | "object";
type Op = "set" | "delete" | "clear" | "push" | "splice" | "sort";
type Policy = "eager" | "lazy" | "progressive";
/** Where the update is refused or rolled back, if anywhere. */
type Refusal = "none" | "validation" | "migratorThrows" | "commitStep" | "rollback";
type Rec = Record<string, unknown>;

/** A fresh container of `kind` with three entries. */
function containerOf(kind: Kind): object {
  if (kind === "map")
    return new Map<unknown, unknown>([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
  if (kind === "set") return new Set<unknown>([1, 2, 3]);
  if (kind === "array") return [1, 2, 3];
  return { a: 1, b: 2, c: 3 };
}

/** The in-place conversion under test: none of them is undone by running it twice. */
function convert(kind: Kind, op: Op, c: object): void {
  if (c instanceof Map) convertMap(op, c);
  else if (c instanceof Set) convertSet(op, c);
  else if (Array.isArray(c)) convertArray(op, c);
  else if (kind === "object") convertObject(op, c as Rec);
}

function convertMap(op: Op, m: Map<unknown, unknown>): void {
  const first = [...m.keys()][0];
  if (op === "set") for (const [k, v] of m) m.set(k, { value: v });
  else if (op === "delete") m.delete(first);
  else if (op === "clear") m.clear();
  else if (op === "push") m.set(`k${m.size}`, m.size);
  else if (op === "splice") {
    const v = m.get(first);
    m.delete(first);
    m.set(first, v); // to the end
  } else {
    const sorted = [...m].sort(([a], [b]) => String(b).localeCompare(String(a)));
    m.clear();
    for (const [k, v] of sorted) m.set(k, v);
  }
}

function convertSet(op: Op, s: Set<unknown>): void {
  const first = [...s][0];
  if (op === "set") s.add(s.size * 10);
  else if (op === "delete") s.delete(first);
  else if (op === "clear") s.clear();
  else if (op === "push") s.add(`v${s.size}`);
  else if (op === "splice") {
    s.delete(first);
    s.add(first);
  } else {
    const sorted = [...s].sort((a, b) => String(b).localeCompare(String(a)));
    s.clear();
    for (const v of sorted) s.add(v);
  }
}

function convertArray(op: Op, a: unknown[]): void {
  if (op === "set") a[0] = { value: a[0] };
  else if (op === "delete") delete a[0];
  else if (op === "clear") a.length = 0;
  else if (op === "push") a.push(a.length);
  else if (op === "splice") a.splice(0, 1);
  else a.sort((x, y) => String(y).localeCompare(String(x)));
}

function convertObject(op: Op, o: Rec): void {
  const keys = Object.keys(o);
  if (op === "set") for (const k of keys) o[k] = { value: o[k] };
  else if (op === "delete") delete o[keys[0]!];
  else if (op === "clear") for (const k of keys) delete o[k];
  else if (op === "push") o[`k${keys.length}`] = keys.length;
  else if (op === "splice") {
    const v = o[keys[0]!];
    delete o[keys[0]!];
    o[keys[0]!] = v;
  } else {
    const entries = Object.entries(o).reverse();
    for (const k of keys) delete o[k];
    for (const [k, v] of entries) o[k] = v;
  }
}

/** What a container holds, in order (holes and an array's length included). */
function contents(c: object): unknown {
  if (c instanceof Map) return ["map", [...c]];
  if (c instanceof Set) return ["set", [...c]];
  if (Array.isArray(c)) return ["array", c.length, Object.keys(c), Object.values(c)];
  return ["object", Object.entries(c)];
}

function release(v: 1 | 2, extra = ""): new (id: number, data: object) => object {
  const touch = v === 1 ? "return 1;" : "return 2;";
  return new Function(
    `return class Store { constructor(id, data) { this.id = id; this.data = data;${extra} } touch() { ${touch} } };`,
  )();
}

interface Case {
  readonly policy: Policy;
  readonly validation: "none" | "pass";
  readonly refusal: Refusal;
  readonly kind: Kind;
  readonly op: Op;
}

let runs = 0;

/** Runs one case and checks exactly-once on a commit, exact restoration on a refusal. */
function check({ policy, validation, refusal, kind, op }: Case): void {
  const ns = new Namespace(`containers-${runs++}`, { instanceFinder: "registry" });
  const Store = ns.registerClass(release(1), { name: "Store" });
  const stores = [0, 1, 2].map((i) => new Store(i, containerOf(kind)) as Rec);
  const held = stores.map((s) => s.data as object);
  const before = held.map(contents);
  const expected = held.map(() => {
    const copy = containerOf(kind);
    convert(kind, op, copy);
    return contents(copy);
  });
  let p = patch("v2")
    .replaceImplementation("Store", release(2))
    .migrate("Store", (_old: unknown, t: Rec) => {
      convert(kind, op, t.data as object);
      if (refusal === "migratorThrows" && t.id === 1) throw new Error("no");
    });
  if (validation === "pass" || refusal === "validation")
    p = p.validateInstances("ok", "Store", (s: Rec) => refusal !== "validation" || s.id !== 2);
  let steps = 0;
  const onCommitStep =
    refusal === "commitStep"
      ? () => {
          if (++steps === 3) throw new Error("step");
        }
      : undefined;
  let result: UpdateResult | undefined;
  try {
    result = updateSync(ns, p.policy(policy).build(), { onCommitStep });
    for (const s of stores) (s.touch as () => number)();
  } catch {
    // A refusal, or a lazy migration failing at a first touch (the update rolled back).
  }
  if (refusal === "rollback" && result?.state() === "committed") result.rollback();
  // Same containers, still held.
  stores.forEach((s, i) => {
    expect(s.data).toBe(held[i]);
  });
  const committed = result?.state() === "committed";
  // Lazy and progressive updates without a dry run find no commit step to throw in.
  const refused =
    refusal === "validation" ||
    refusal === "migratorThrows" ||
    refusal === "rollback" ||
    (refusal === "commitStep" && policy === "eager");
  expect(committed).toBe(!refused);
  expect(held.map(contents)).toEqual(committed ? expected : before);
}

const cases = fc.record<Case>({
  policy: fc.constantFrom<Policy>("eager", "lazy", "progressive"),
  validation: fc.constantFrom("none", "pass"),
  refusal: fc.constantFrom<Refusal>(
    "none",
    "validation",
    "migratorThrows",
    "commitStep",
    "rollback",
  ),
  kind: fc.constantFrom<Kind>("map", "set", "array", "object"),
  op: fc.constantFrom<Op>("set", "delete", "clear", "push", "splice", "sort"),
});

describe("a migrator converting a held container in place", () => {
  test("happens exactly once on a commit and is put back exactly on a refusal (property)", () => {
    fc.assert(fc.property(cases, check), { seed: 20261207, numRuns: 150 });
  });

  test.each([
    ["lazy", "pass"],
    ["progressive", "pass"],
    ["lazy", "none"],
    ["eager", "pass"],
  ] as const)("the review's Map conversion, %s with validation %s: once", (policy, validation) => {
    check({ policy, validation, refusal: "none", kind: "map", op: "set" });
  });

  test("a refused eager update puts the converted Map back", () => {
    check({ policy: "eager", validation: "none", refusal: "validation", kind: "map", op: "set" });
  });

  test("a lazy migration failing at a later touch rolls earlier conversions back", () => {
    check({
      policy: "lazy",
      validation: "none",
      refusal: "migratorThrows",
      kind: "map",
      op: "set",
    });
  });
});

/** Three stores holding Maps, the v2 migrator wrapping each value in `{ value }`. */
function maps(name: string) {
  const ns = new Namespace(name, { instanceFinder: "registry" });
  const Store = ns.registerClass(release(1), { name: "Store" });
  const stores = [0, 1, 2].map((i) => new Store(i, new Map([["a", i]])) as Rec);
  const wrap = (_old: unknown, t: Rec) => {
    const data = t.data as Map<string, unknown>;
    for (const [k, x] of data) data.set(k, { value: x });
  };
  const entries = () => stores.map((s) => [...(s.data as Map<string, unknown>)]);
  const once = [0, 1, 2].map((i) => [["a", { value: i }]]);
  return { ns, stores, wrap, entries, once };
}

describe("the other paths that run a migrator again", () => {
  test("an onCommitStep writing to an object prepared already: its migrator runs again, once in effect", () => {
    const { ns, stores, wrap, entries, once } = maps("containers-step");
    const p = patch("v2").replaceImplementation("Store", release(2)).migrate("Store", wrap);
    // Written since it was prepared: its migration is prepared again (migrationLog.ts asItIsNow).
    const onCommitStep = (step: number) => {
      if (step < 2) stores[step + 1]!.id = 10 + step;
    };
    expect(updateSync(ns, p.build(), { onCommitStep }).outcome).toBe("committed");
    expect(stores.map((s) => s.id)).toEqual([0, 10, 11]);
    expect(entries()).toEqual(once);
  });

  test("a migrator that keeps its target (run again at the rewrite, targetReplay.ts) converts once", () => {
    for (const policy of ["eager", "lazy"] as const) {
      const { ns, stores, entries, once } = maps(`containers-replay-${policy}`);
      const p = patch("v2")
        .replaceImplementation("Store", release(2, " this.read = null;"))
        .migrate("Store", (_old: unknown, t: Rec) => {
          const data = t.data as Map<string, unknown>;
          for (const [k, x] of data) data.set(k, { value: x });
          t.read = () => t.id;
        })
        .validateInstances("ok", "Store", () => true)
        .policy(policy);
      updateSync(ns, p.build());
      for (const s of stores) (s.touch as () => number)();
      expect(entries()).toEqual(once);
    }
  });

  test("a release's dry run (lifecycle/dryRun.ts) leaves the containers for the update to convert once", async () => {
    const { dryRun } = await import("../../src/lifecycle/dryRun.js");
    const { ns, wrap, entries, once } = maps("containers-dry");
    const p = patch("v2").replaceImplementation("Store", release(2)).migrate("Store", wrap).build();
    expect(dryRun(ns, p).instancesPrepared).toBe(3);
    expect(entries()).toEqual([0, 1, 2].map((i) => [["a", i]]));
    updateSync(ns, p);
    expect(entries()).toEqual(once);
  });

  test("a container two objects share gets back what it held before either migrator ran", () => {
    const ns = new Namespace("containers-shared", { instanceFinder: "registry" });
    const Store = ns.registerClass(release(1), { name: "Store" });
    const shared = [1, 2];
    const stores = [new Store(0, shared), new Store(1, shared), new Store(2, [])];
    const p = patch("v2")
      .replaceImplementation("Store", release(2))
      .migrate("Store", (_old: unknown, t: Rec) => {
        (t.data as unknown[]).push(t.id);
      })
      .validateInstances("ok", "Store", (s: Rec) => s.id !== 2);
    expect(() => updateSync(ns, p.build())).toThrow(
      expect.objectContaining({ code: "MM_VALIDATION_FAILED" }),
    );
    expect(shared).toEqual([1, 2]);
    expect(stores.map((s) => (s as Rec).data)).toEqual([shared, shared, []]);
  });

  test("documented limit: what a container holds in turn is not put back on a refusal", () => {
    const ns = new Namespace("containers-nested", { instanceFinder: "registry" });
    const Store = ns.registerClass(release(1), { name: "Store" });
    const inner = { n: 1 };
    new Store(0, new Map([["a", inner]]));
    const p = patch("v2")
      .replaceImplementation("Store", release(2))
      .migrate("Store", (_old: unknown, t: Rec) => {
        ((t.data as Map<string, { n: number }>).get("a") as { n: number }).n = 2;
      })
      .validateInstances("ok", "Store", () => "refused");
    expect(() => updateSync(ns, p.build())).toThrow(
      expect.objectContaining({ code: "MM_VALIDATION_FAILED" }),
    );
    // docs/design.md, "What a migrator may reach": nested objects stay out of reach.
    expect(inner.n).toBe(2);
  });

  test.each(["eager", "lazy"] as const)(
    "%s: a rollback after the commit keeps what the program wrote since to a container the migrator left alone",
    (policy) => {
      const ns = new Namespace(`containers-untouched-${policy}`, { instanceFinder: "registry" });
      const Store = ns.registerClass(release(1, " this.log = [];"), { name: "Store" });
      const log: unknown[] = ["boot"];
      const store = new Store(0, new Map([["a", 1]]));
      (store as Rec).log = log;
      const result = updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Store", release(2, " this.log = [];"))
          .migrate("Store", (_old: unknown, t: Rec) => {
            (t.data as Map<string, unknown>).set("a", { value: 1 });
          })
          .policy(policy)
          .build(),
      );
      (store as { touch(): number }).touch();
      log.push("after the commit");
      result.rollback();
      // The Map the migrator converted goes back; the array it never touched keeps the program's entry.
      expect([...((store as Rec).data as Map<string, unknown>)]).toEqual([["a", 1]]);
      expect((store as Rec).log).toBe(log);
      expect(log).toEqual(["boot", "after the commit"]);
    },
  );
});
