/**
 * A migrator that can hold its target runs a second time, on the live
 * object (targetReplay.ts). What that second run does must be undoable
 * or refused: a freeze, seal or preventExtensions cannot be undone (it left
 * eager objects frozen, with the new field, under the old class after
 * MM_COMMIT_FAILED, and a lazy update could never be rolled back); a
 * prototype it set was kept by a lazy rollback; and a field it deleted or
 * gave another kind of value than the first run (which validations saw)
 * was committed.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Migrator } from "../../src/patch/operations.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;
type Policy = (typeof POLICIES)[number];

interface Tok {
  text: string;
  cb?: () => string;
  peek(): string;
}

const v1 = () =>
  new Function(`"use strict";
  return class Tok { constructor() { this.text = ""; } peek() { return this.text; } };`)() as new () => Tok;
const v2 = () =>
  new Function(`"use strict";
  return class Tok { constructor() { this.text = ""; this.cb = null; } peek() { return this.text; } };`)() as new () => Tok;

const EFFECTS = [
  "freeze",
  "seal",
  "preventExtensions",
  "reflect",
  "defineProperty",
  "defineProperties",
  "reflectDefine",
  "setPrototypeOf",
  "delete",
  "wrongKind",
  "otherValue",
] as const;
type Effect = (typeof EFFECTS)[number];

/** What a second run does to its target besides the callback over it. */
function inflict(effect: Effect, target: Record<string, unknown>): void {
  if (effect === "freeze") Object.freeze(target);
  else if (effect === "seal") Object.seal(target);
  else if (effect === "preventExtensions") Object.preventExtensions(target);
  else if (effect === "reflect") Reflect.preventExtensions(target);
  // Non-configurable (the default of a new property's definition): no undo can delete it.
  else if (effect === "defineProperty") Object.defineProperty(target, "pin", { value: 1 });
  else if (effect === "defineProperties")
    Object.defineProperties(target, { free: { value: 1, configurable: true }, pin: { value: 2 } });
  else if (effect === "reflectDefine") Reflect.defineProperty(target, "pin", { value: 1 });
  else if (effect === "setPrototypeOf")
    Object.setPrototypeOf(target, Object.create(Object.getPrototypeOf(target) as object));
  else if (effect === "delete") delete target.text;
  else if (effect === "wrongKind") target.text = 42;
  else target.text = `${target.text as string}!`;
}

/** One number per object, the same for the same object: toEqual compares objects by their contents, not identity. */
const ids = new Map<unknown, number>();
const id = (value: unknown): unknown => {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return value;
  if (!ids.has(value)) ids.set(value, ids.size);
  return { id: ids.get(value) };
};

/** Everything observable of the objects (identities by id) and of the namespace. */
function world(ns: Namespace, objects: readonly object[]) {
  return {
    version: ns.version,
    binding: id(ns.lookup("Tok")),
    objects: objects.map((o) => ({
      prototype: id(Object.getPrototypeOf(o)),
      extensible: Object.isExtensible(o),
      sealed: Object.isSealed(o),
      frozen: Object.isFrozen(o),
      own: Reflect.ownKeys(o).map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        return [k, { ...d, value: id(d.value), get: id(d.get), set: id(d.set) }];
      }),
    })),
  };
}

/** `at` for a second run that inflicts its effect on every object. */
const EVERY = -2;

function migratorOf(effect: Effect, at: number, failAt = -1): Migrator {
  const runs = new Map<object, number>();
  let second = 0;
  return function capture(old, target) {
    const n = (runs.get(old) ?? 0) + 1;
    runs.set(old, n);
    target.cb = () => target.text as string;
    if (n < 2) return;
    const i = second++;
    if (i === at || at === EVERY) inflict(effect, target);
    if (i === failAt) throw new Error("a later object fails");
  };
}

function setUp(name: string, count: number) {
  const ns = new Namespace(name, { instanceFinder: "registry" });
  const T = ns.registerClass(v1());
  const objects = Array.from({ length: count }, (_, i) => {
    const o = new T();
    o.text = `t${i}`;
    return o;
  });
  return { ns, T, objects };
}

/** Runs the update and touches every object; the eager refusal, or undefined. */
async function run(ns: Namespace, objects: readonly Tok[], m: Migrator, policy: Policy) {
  const p = patch("up")
    .replaceImplementation("Tok", v2())
    .migrate("Tok", m)
    .validateInstances("text is a string", "Tok", (i) => typeof i.text === "string")
    .build();
  try {
    const result = updateSync(ns, p, { policy });
    for (const o of objects) o.peek();
    if (policy === "progressive") await result.completion.catch(() => undefined);
    return { result, error: undefined };
  } catch (error) {
    return { result: undefined, error: error as { code?: string } };
  }
}

describe.each(POLICIES)("a second run that locks its target (%s)", (policy) => {
  test.each([
    "freeze",
    "seal",
    "preventExtensions",
    "reflect",
    "defineProperty",
    "defineProperties",
    "reflectDefine",
  ] as const)(
    "%s on object 1 of 4, object 3 failing: refused, every object exactly as it was",
    async (effect) => {
      const { ns, objects } = setUp(`lock-${policy}-${effect}`, 4);
      const before = world(ns, objects);
      const { result, error } = await run(ns, objects, migratorOf(effect, 1, 3), policy);
      if (policy === "eager") expect(error?.code).toBe("MM_COMMIT_FAILED");
      else expect(result!.state()).toBe("rolled-back");
      expect(world(ns, objects)).toEqual(before);
    },
  );

  test("a migrator that always freezes its target is refused before anything changes, naming the class and the migrator", async () => {
    const { ns, objects } = setUp(`lock-always-${policy}`, 2);
    const before = world(ns, objects);
    const freezing: Migrator = function freezing(_old, target) {
      target.cb = () => target.text as string;
      Object.freeze(target);
    };
    const { error } = await run(ns, objects, freezing, policy);
    // Its first run, on the copy, is where it is seen (a lazy update with validations makes that run before its commit).
    expect(error?.code).toBe("MM_MIGRATION_FAILED");
    expect(String(error)).toMatch(/migrator freezing of a Tok instance makes its target/);
    expect(world(ns, objects)).toEqual(before);
  });

  test("a migrator that catches the refusal is refused all the same", async () => {
    const { ns, objects } = setUp(`lock-caught-${policy}`, 2);
    const before = world(ns, objects);
    const runs = new Map<object, number>();
    const sly: Migrator = (old, target) => {
      target.cb = () => target.text as string;
      const n = (runs.get(old) ?? 0) + 1;
      runs.set(old, n);
      if (n < 2) return;
      try {
        Object.freeze(target);
      } catch {}
    };
    const { result, error } = await run(ns, objects, sly, policy);
    if (policy === "eager") expect(error?.code).toBe("MM_COMMIT_FAILED");
    else expect(result!.state()).toBe("rolled-back");
    expect(world(ns, objects)).toEqual(before);
  });
});

test("a second run may freeze other objects: only its target is guarded, and the real functions are back after it", async () => {
  const { ns, objects } = setUp("lock-others", 2);
  const frozen: object[] = [];
  const freeze = Object.freeze;
  const m: Migrator = (_old, target) => {
    target.cb = () => target.text as string;
    frozen.push(Object.freeze({ made: true }));
  };
  const { error } = await run(ns, objects, m, "eager");
  expect(error).toBeUndefined();
  expect(frozen.every((o) => Object.isFrozen(o))).toBe(true);
  expect(frozen.length).toBe(4);
  expect(Object.freeze).toBe(freeze);
  expect(objects.every((o) => Object.isExtensible(o) && o.cb!() === o.text)).toBe(true);
});

describe.each(POLICIES)(
  "a second run that moves its target to another prototype (%s)",
  (policy) => {
    test("commits, and a rollback puts the prototype back", async () => {
      const { ns, objects } = setUp(`proto-${policy}`, 3);
      const before = world(ns, objects);
      const prototype = Object.getPrototypeOf(objects[0]) as object;
      const { result, error } = await run(ns, objects, migratorOf("setPrototypeOf", EVERY), policy);
      expect(error).toBeUndefined();
      expect(result!.state()).toBe("committed");
      expect(objects.some((o) => Object.getPrototypeOf(o) === prototype)).toBe(false);
      result!.rollback();
      expect(world(ns, objects)).toEqual(before);
    });
  },
);

describe.each(POLICIES)("a second run that leaves other fields than the first (%s)", (policy) => {
  test.each(["delete", "wrongKind"] as const)(
    "%s: refused, every object exactly as it was",
    async (effect) => {
      const { ns, objects } = setUp(`fields-${policy}-${effect}`, 3);
      const before = world(ns, objects);
      const { result, error } = await run(ns, objects, migratorOf(effect, 2), policy);
      if (policy === "eager") {
        expect(error?.code).toBe("MM_COMMIT_FAILED");
        expect(String(error)).toMatch(/left field "text"/);
      } else expect(result!.state()).toBe("rolled-back");
      expect(world(ns, objects)).toEqual(before);
    },
  );
});

test("property: whatever a second run does to whichever object, the update commits (and rolls back exactly) or leaves everything as it was", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...POLICIES),
      fc.constantFrom(...EFFECTS),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(6),
      fc.option(fc.nat(6), { nil: undefined }),
      async (policy, effect, count, at, failAt) => {
        const { ns, objects } = setUp("replay-property", count);
        const before = world(ns, objects);
        const { result } = await run(ns, objects, migratorOf(effect, at, failAt), policy);
        if (result?.state() === "committed") {
          for (const o of objects) expect(o.cb!()).toBe(o.text);
          expect(objects.every((o) => Object.isExtensible(o))).toBe(true);
          expect(objects.every((o) => typeof o.text === "string")).toBe(true);
          result.rollback();
        }
        expect(world(ns, objects)).toEqual(before);
      },
    ),
    { seed: 9120, numRuns: 150 },
  );
});

// Known limit: the guard replaces Object.freeze & co. for the length of the
// second run; a migrator holding the real function from before the update
// bypasses it. Its object is refused after the run (nothing committed), but
// no undo can make it extensible again.
const realFreeze = Object.freeze;
test.fails("a migrator holding the real Object.freeze from before the update: refused, but its object stays frozen", async () => {
  const { ns, objects } = setUp("lock-held-freeze", 3);
  const before = world(ns, objects);
  const runs = new Map<object, number>();
  const holding: Migrator = (old, target) => {
    target.cb = () => target.text as string;
    const n = (runs.get(old) ?? 0) + 1;
    runs.set(old, n);
    if (n === 2 && old === runs.keys().next().value) realFreeze(target);
  };
  const { error } = await run(ns, objects, holding, "eager");
  expect(error?.code).toBe("MM_COMMIT_FAILED");
  expect(world(ns, objects)).toEqual(before);
});
