/**
 * Code a rollback runs — a getter on a migrated field it reads back (to keep
 * values written since the commit), an `onEvent` listener told the rollback
 * started, an afterRollback hook — calling back into the engine (review
 * advZ2, F4/F7). None of it was refused: `makePermanent()` dropped the
 * snapshot the rollback then restored (`ns.version` and every later update
 * threw TypeError), `completeMigration()` left every object with the new
 * field under the old class, and a nested update committed under the
 * rollback, which then failed half-way with MM_UNDO. Now such calls are
 * refused (MM_NESTED_UPDATE, or MM_ROLLBACK once the update is rolled back),
 * and the rollback finishes exactly — for a manual `rollback()`, the
 * rollback after a failed health check and the one after a lazy first touch
 * fails.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  type Patch,
  patch,
  readClassDefinition,
  type UpdateEvent,
  type UpdateOptions,
  type UpdateResult,
  update,
  updateSync,
} from "../../src/index.js";
import { shapes } from "../support/objectShapes.js";

type P = { x: number; get(): unknown };

const ACTIONS = ["makePermanent", "completeMigration", "rollback", "updateSync", "update"] as const;
/** Where the call is made from: a getter the rollback reads, the listener at its start or end, a hook. */
const PLACES = ["getter", "listener-start", "listener-end", "afterRollback"] as const;
/** What starts the rollback. */
const STARTS = ["manual", "health-check", "first-touch-failure"] as const;

async function outcomeOf(call: () => unknown): Promise<string> {
  try {
    await call();
    return "accepted";
  } catch (error) {
    return error instanceof MetamorphError ? error.code : `untyped ${String(error)}`;
  }
}

test("property: whatever a rollback's own code calls back into the engine is refused, and the rollback finishes exactly (seed 2417)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
      fc.integer({ min: 2, max: 7 }),
      fc.nat(),
      fc.constantFrom(...ACTIONS),
      fc.constantFrom(...PLACES),
      fc.constantFrom(...STARTS),
      async (policy, count, pick, action, place, start) => {
        if (start === "first-touch-failure" && policy === "eager") policy = "lazy";
        // Nothing holds the result while update() rolls back after its health check.
        if (start === "health-check" && !action.startsWith("update")) action = "updateSync";
        const ns = new Namespace(`reentrant-rollback-${policy}`);
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [{ name: "x", initializer: "0" }],
          methods: {
            get() {
              return (this as { y?: number }).y;
            },
          },
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        // The object whose getter calls back (an instrumented field), and the one
        // whose lazy migration fails (never the same).
        const trap = pick % count;
        const failing = (trap + 1) % count;
        let armed = false;
        let x = trap;
        let result: UpdateResult | undefined;
        const outcomes: string[] = [];
        const inner = (): Promise<void> => {
          const p = outcomeOf(() => {
            const nested: Patch = patch("nested").addField("P", "q", { default: 1 }).build();
            if (action === "updateSync") return updateSync(ns, nested);
            if (action === "update") return update(ns, nested);
            return result![action]();
          }).then((o) => void outcomes.push(o));
          return p;
        };
        const pending: Promise<void>[] = [];
        const fire = () => {
          if (!armed) return;
          armed = false;
          pending.push(inner());
        };
        Object.defineProperty(objects[trap], "x", {
          get() {
            if (place === "getter") fire();
            return x;
          },
          set(v: number) {
            x = v;
          },
          enumerable: true,
          configurable: true,
        });
        const before = shapes(objects);
        const onEvent = (e: UpdateEvent) => {
          if (e.phase !== "rollback") return;
          if (
            (e.status === "start" && place === "listener-start") ||
            (e.status === "end" && place === "listener-end")
          )
            fire();
        };
        let build = patch("A").addField("P", "y", {
          initial: (o) => {
            if (armed && start === "first-touch-failure" && o.x === failing)
              throw new Error("cannot");
            return 1000;
          },
        });
        build = build.afterRollback("call back", () => {
          if (place === "afterRollback") fire();
        });
        const options: UpdateOptions = { policy, onEvent };
        if (start === "health-check") {
          result = await update(ns, build.build(), {
            ...options,
            healthCheck: () => {
              // Migrated first, so that the rollback reads the trap's field back.
              objects[trap]!.get();
              armed = true;
              return false;
            },
          });
        } else {
          result = updateSync(ns, build.build(), options);
          result.completion.catch(() => {});
          objects[trap]!.get();
          armed = true;
          if (start === "manual") result.rollback();
          else objects[failing]!.get();
        }
        await Promise.all(pending);
        expect(outcomes).toHaveLength(1);
        expect(["MM_NESTED_UPDATE", "MM_ROLLBACK"]).toContain(outcomes[0]);
        expect(result.state()).toBe("rolled-back");
        expect([ns.version, ns.bindingNames()]).toEqual([1, ["P"]]);
        expect(ns.history.map((s) => s.version)).toEqual([0, 1]);
        expect(readClassDefinition(Handle).fields.map((f) => f.name)).toEqual(["x"]);
        expect(shapes(objects)).toEqual(before);
        if (policy !== "eager")
          await expect(result.completion).rejects.toBeInstanceOf(MetamorphError);
        // The namespace goes on: a later update commits and migrates every object.
        updateSync(ns, patch("later").addField("P", "w", { default: 5 }).build());
        expect(objects.map((o) => (o as unknown as { w: number }).w)).toEqual(objects.map(() => 5));
      },
    ),
    { seed: 2417, numRuns: 200 },
  );
}, 120_000);

test("property: a binding defined by a getter the rollback reads is refused (MM_ROLLBACK), and the rollback finishes exactly (seed 2418)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("eager" as const, "lazy" as const),
      fc.integer({ min: 2, max: 6 }),
      fc.nat(),
      fc.constantFrom(...STARTS),
      async (policy, count, pick, start) => {
        if (start === "first-touch-failure") policy = "lazy";
        const ns = new Namespace(`reentrant-define-${policy}`);
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [{ name: "x", initializer: "0" }],
          methods: {
            get() {
              return (this as { y?: number }).y;
            },
          },
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        const trap = pick % count;
        const failing = (trap + 1) % count;
        let armed = false;
        const outcomes: string[] = [];
        Object.defineProperty(objects[trap], "x", {
          get() {
            // Each read while armed: the rollback may read it more than once.
            if (armed) void outcomeOf(() => ns.define("flag", 1)).then((o) => outcomes.push(o));
            return trap;
          },
          set() {},
          enumerable: true,
          configurable: true,
        });
        const before = shapes(objects);
        const build = patch("A").addField("P", "y", {
          initial: (o) => {
            if (armed && o.x === failing) throw new Error("cannot");
            return 1000;
          },
        });
        let result: UpdateResult;
        if (start === "health-check") {
          result = await update(ns, build.build(), {
            policy,
            healthCheck: () => {
              objects[trap]!.get();
              armed = true;
              return false;
            },
          });
        } else {
          result = updateSync(ns, build.build(), { policy });
          result.completion.catch(() => {});
          objects[trap]!.get();
          armed = true;
          if (start === "manual") result.rollback();
          else objects[failing]!.get();
        }
        armed = false;
        await Promise.resolve();
        expect(outcomes.length).toBeGreaterThan(0);
        expect(new Set(outcomes)).toEqual(new Set(["MM_ROLLBACK"]));
        expect([result.state(), ns.version, ns.bindingNames()]).toEqual(["rolled-back", 1, ["P"]]);
        expect(readClassDefinition(Handle).fields.map((f) => f.name)).toEqual(["x"]);
        expect(shapes(objects)).toEqual(before);
        // Once it is done, defining is the program's again.
        ns.define("flag", 1);
        expect(ns.bindingNames()).toEqual(["P", "flag"]);
      },
    ),
    { seed: 2418, numRuns: 60 },
  );
});
