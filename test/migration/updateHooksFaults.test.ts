// Fault injection into afterCommit hooks (issue 12 item 24): random patches
// over random worlds, with an afterCommit hook that writes to the migrated
// objects (values of any field, new own properties, the last own property
// deleted) and throws at a random point. Whenever the hook throws, the deep
// snapshot — keys in order, descriptors, values, identities, prototypes,
// extensibility, fast mode and the hidden-class partition, the namespace's
// state — is exactly what it was before the update, for eager and lazy
// updates and both instance finders.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AfterCommitError, Namespace, Patch, patch, updateSync } from "../../src/index.js";
import type { Operation, UpdateHookContext } from "../../src/patch/operations.js";
import { patchScenarioArbitrary } from "../../src/testing/index.js";
import { type DeepSnapshot, deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";
import { probedWorld } from "../support/world.js";

type Rec = Record<string, unknown>;

const writeArb = fc.record({
  classIndex: fc.nat(),
  objectIndex: fc.nat(),
  kind: fc.constantFrom(
    "set" as const,
    "add" as const,
    "delete-last" as const,
    // Reshapes (review advY2): an accessor over a field made the rollback throw half done.
    "accessor" as const,
    "readonly" as const,
    "hide" as const,
    "proto" as const,
    // Locks: nothing can undo them, so the update must stay committed, said so.
    "non-configurable" as const,
    "prevent-extensions" as const,
  ),
  keyIndex: fc.nat(),
  value: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)),
});

type Write = typeof writeArb extends fc.Arbitrary<infer W> ? W : never;

const LOCKS: ReadonlySet<Write["kind"]> = new Set(["non-configurable", "prevent-extensions"]);
/** What puts an object in dictionary mode for good: an accessor over a data field, a prototype change. */
const TO_DICTIONARY: ReadonlySet<Write["kind"]> = new Set(["accessor", "proto"]);

function withoutHiddenClasses(snapshot: DeepSnapshot): DeepSnapshot {
  const lines = snapshot.lines
    .filter((line) => !line.startsWith("hidden classes of the instances"))
    .map((line) => line.replace(" dictionary-mode", ""));
  return { ...snapshot, lines };
}

/** Performs one reshaping `write` on `o` (a key of it where it needs one). */
function reshape(o: Rec, w: Write, i: number): void {
  const keys = Object.keys(o);
  const key = keys.length === 0 ? `hook${i}` : keys[w.keyIndex % keys.length]!;
  const value = w.value;
  if (w.kind === "accessor")
    Object.defineProperty(o, key, { get: () => value, enumerable: true, configurable: true });
  else if (w.kind === "readonly") Object.defineProperty(o, key, { writable: false });
  else if (w.kind === "hide")
    Object.defineProperty(o, `hidden${i}`, { value, writable: true, configurable: true });
  else if (w.kind === "proto") Object.setPrototypeOf(o, { foreign: true });
  else if (w.kind === "non-configurable") Object.defineProperty(o, key, { configurable: false });
  else Object.preventExtensions(o);
}

/**
 * The hook: performs `writes` in order on the live objects, throwing before
 * write `throwAt`; `locked.done` says whether a lock ran.
 */
function injectedHook(
  writes: readonly Write[],
  throwAt: number,
  classNames: readonly string[],
  touch: boolean,
  locked: { done: boolean; dictionary: boolean },
) {
  return (ctx: UpdateHookContext) => {
    for (let i = 0; i <= writes.length; i++) {
      if (i === throwAt) throw new Error(`injected afterCommit failure at write ${i}`);
      const w = writes[i];
      if (!w || classNames.length === 0) continue;
      const live = ctx.instancesOf(classNames[w.classIndex % classNames.length]!) as Rec[];
      if (live.length === 0) continue;
      const o = live[w.objectIndex % live.length]!;
      if (touch) (o.__probe as () => unknown).call(o); // a first touch migrates it
      const keys = Object.keys(o);
      if (LOCKS.has(w.kind)) locked.done = true;
      if (TO_DICTIONARY.has(w.kind)) locked.dictionary = true;
      if (w.kind === "add") o[`hook${i}`] = w.value;
      else if (w.kind !== "set" && w.kind !== "delete-last") reshape(o, w, i);
      else if (keys.length === 0) continue;
      else if (w.kind === "set") o[keys[w.keyIndex % keys.length]!] = w.value;
      else delete o[keys[keys.length - 1]!];
    }
  };
}

describe.each(["registry", "heap"] as const)(
  "fault injection into afterCommit (%s finder)",
  (finder) => {
    test("property: an afterCommit hook that throws at any point leaves the deep snapshot exactly as before", () => {
      let rolledBack = 0;
      let committed = 0;
      fc.assert(
        fc.property(
          patchScenarioArbitrary({ maxOperations: 5 }),
          // Each heap query is a heap snapshot: fewer writes (instancesOf calls) there.
          fc.array(writeArb, { maxLength: finder === "heap" ? 3 : 6 }),
          fc.nat(7),
          fc.boolean(),
          fc.boolean(),
          ({ before, patch: p, after }, writes, throwAtRaw, lazy, touch) => {
            const world = probedWorld(before, finder, "hooks");
            const snapshot = deepSnapshot(world);
            const version = world.ns.version;
            const names = after.classes.map((c) => c.name);
            const throwAt = throwAtRaw % (writes.length + 2); // writes.length + 1: never throws
            const locked = { done: false, dictionary: false };
            // Lazy without a touch: the hook reshapes objects still pending, which the update does not own.
            const hook = injectedHook(writes, throwAt, names, !lazy || touch, locked);
            // A migrator on every class of the new world: each surviving object is migrated,
            // so the rollback owns every object the hook can reach.
            const migrate = (): void => {};
            const injected = new Patch("injected", [
              ...p.operations.filter((o) => o.op !== "policy"),
              ...names.map(
                (className): Operation => ({
                  op: "migrator",
                  className,
                  migrator: { source: String(migrate), fn: migrate },
                }),
              ),
              { op: "afterCommit", name: "injected", hook: { source: String(hook), fn: hook } },
            ]);
            let error: unknown;
            let result: ReturnType<typeof updateSync> | undefined;
            try {
              result = updateSync(world.ns, injected, { policy: lazy ? "lazy" : "eager" });
            } catch (e) {
              error = e;
            }
            if (result) {
              expect(throwAt).toBe(writes.length + 1);
              committed++;
              result.completion.catch(() => {});
              try {
                result.rollback();
              } catch (e) {
                // Only what a lock made impossible refuses the rollback.
                expect([locked.done, (e as { code?: string }).code]).toEqual([true, "MM_ROLLBACK"]);
              }
              return;
            }
            if (!(error instanceof AfterCommitError)) {
              // Refused before the commit (the random patch does not fit this world): nothing ran.
              expect(snapshotDifference(snapshot, deepSnapshot(world))).toBeUndefined();
              return;
            }
            if (locked.done && error.details.rolledBack === false) {
              // Said so, and committed as a whole: the new version is in place.
              expect(world.ns.version).toBe(version + 1);
              return;
            }
            rolledBack++;
            expect(error.details.rolledBack).toBe(true);
            expect(world.ns.version).toBe(version);
            // V8 has no way back to a shared hidden class for an object a
            // hook put in dictionary mode (docs/design.md): all else is exact.
            const keep = locked.dictionary ? withoutHiddenClasses : (x: DeepSnapshot) => x;
            expect(snapshotDifference(keep(snapshot), keep(deepSnapshot(world)))).toBeUndefined();
          },
        ),
        {
          seed: Number(process.env.FUZZ_SEED ?? 24),
          numRuns: Number(process.env.FUZZ_RUNS ?? (finder === "heap" ? 3 : 80)),
        },
      );
      // The property exercised rollbacks, not only updates whose hook never threw.
      expect(rolledBack).toBeGreaterThan(0);
      if (finder === "registry") expect(committed).toBeGreaterThan(0);
    });
  },
);

test.each(["lazy", "progressive"] as const)(
  "an afterCommit hook whose touch meets a failing migration (%s): refused as the hook's failure, every object restored, and not said to have failed to roll back",
  (policy) => {
    class A {
      constructor(public n: number) {}
      get() {
        return this.n;
      }
    }
    class A2 {
      constructor(public n: number) {}
      get() {
        return this.n * 10;
      }
    }
    const ns = new Namespace(`hook-touch-${policy}`);
    const H = ns.registerClass(A, { name: "A" });
    const objects = [new H(0), new H(1), new H(2)];
    const before = deepSnapshot({ ns, objects });
    const p = patch("p")
      .replaceImplementation("A", A2)
      .migrate("A", (old) => {
        if (old.n === 2) throw new Error("boom");
      })
      .afterCommit("touch", () => {
        for (const o of objects) o.get();
      })
      .build();
    let error: unknown;
    try {
      updateSync(ns, p, { policy });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AfterCommitError);
    expect(String((error as Error).message)).toContain("every object was restored");
    expect(String((error as Error).message)).not.toContain("rolling the update back then failed");
    expect(snapshotDifference(before, deepSnapshot({ ns, objects }))).toBeUndefined();
    expect(objects.map((o) => o.get())).toEqual([0, 1, 2]);
  },
);

test.each(["lazy", "progressive"] as const)(
  "an afterCommit hook whose touch migrates an object whose migrator touches a peer that fails (%s): the hook stops at that touch, no new method runs over an old layout, and its writes are undone (review advW2)",
  (policy) => {
    const ns = new Namespace(`hook-nested-touch-${policy}`);
    const C = ns.defineClass<{ id: number; peer: object | null; m(): string } & Rec>({
      name: "C",
      fields: [
        { name: "id", initializer: "0" },
        { name: "peer", initializer: "null" },
      ],
      methods: {
        m(this: { id: number }) {
          return `v1 id=${this.id}`;
        },
      },
    });
    const b = new C({ id: 1 });
    const a = new C({ id: 0, peer: b });
    const before = deepSnapshot({ ns, objects: [a, b] });
    const seen: string[] = [];
    let error: unknown;
    try {
      updateSync(
        ns,
        patch("v2")
          .renameField("C", "id", "ident")
          .migrate("C", (old) => {
            (old.peer as { m(): string } | null)?.m();
            if (old.id === 1) throw new Error("cannot migrate b");
          })
          .replaceMethods("C", {
            m(this: { ident: number }) {
              return `v2 ident=${this.ident}`;
            },
          })
          .afterCommit("arm", () => {
            seen.push(a.m());
            a.id = 999;
          })
          .build(),
        { policy },
      );
    } catch (e) {
      error = e;
    }
    // Was: a.m() answered "v2 ident=undefined" (v2's method over a's old layout), the hook went on.
    expect(seen).toEqual([]);
    expect(error).toBeInstanceOf(AfterCommitError);
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: [a, b] }))).toBeUndefined();
    expect([a.m(), b.m()]).toEqual(["v1 id=0", "v1 id=1"]);
  },
);
