/**
 * Code an eager commit runs between its replace and its last rewrite — the
 * `onCommitStep` callback, and, for an object written since it was
 * prepared, a getter of its fields and the migrators, run again on what it
 * holds now — could define a binding. Accepted, the binding moved the
 * namespace on: a commit failing after it undid every object, then its
 * `record.undo()` refused (MM_UNDO escaped, not a CommitError) and left the
 * new class over the old layout; a commit that stood carried a binding no
 * validation had seen, and could never be rolled back. Now such a define is
 * refused (MM_ROLLBACK, the code fixA's rollback uses) with nothing created:
 * a commit the refusal fails is undone exactly (MM_COMMIT_FAILED), and one
 * whose code swallows it stands without the binding and rolls back.
 *
 * An afterCommit hook's define is left as it was (no part of the update: the
 * update stands, its rollback refused; a hook failing after it leaves the
 * update committed, said so — test/migration/rollbackAfterDefine.test.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  patch,
  readClassDefinition,
  type UpdateEvent,
  type UpdateOptions,
  updateSync,
} from "../../src/index.js";
import { shapes } from "../support/objectShapes.js";

type P = { x: number; z: number };

/** Where the define is made: the commit-step callback, a getter of the object, a migrator. */
const PLACES = ["step", "getter", "migrator"] as const;
/** What the code does with the refusal: lets it through, swallows it, swallows it and the commit then fails. */
const THEN = ["propagate", "swallow", "failLater"] as const;

function stateOf(ns: Namespace, handle: unknown, objects: readonly object[]) {
  return {
    version: ns.version,
    history: ns.history.map((s) => s.version),
    bindings: ns.bindingNames(),
    fields: readClassDefinition(handle as new () => object).fields.map((f) => f.name),
    shapes: shapes(objects),
  };
}

function outcomeOf(call: () => unknown): string {
  try {
    call();
    return "accepted";
  } catch (error) {
    return error instanceof MetamorphError ? error.code : `untyped ${String(error)}`;
  }
}

test("property: a define from code an eager commit runs is refused (MM_ROLLBACK); the commit is undone exactly or stands without it (seed 4242)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.nat(),
      fc.constantFrom(...PLACES),
      fc.constantFrom(...THEN),
      fc.boolean(),
      (count, pick, place, then, withStep) => {
        const ns = new Namespace("commit-define", { instanceFinder: "registry" });
        const Handle = ns.defineClass<P>({
          name: "P",
          fields: [
            { name: "x", initializer: "0" },
            { name: "z", initializer: "0" },
          ],
        }) as unknown as new (init: {
          x: number;
        }) => P;
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        // Not the last object: the commit fails at the last one's step (failLater).
        const trap = pick % (count - 1);
        let armed = false;
        const inner: string[] = [];
        // Each call while armed: the commit may run the code more than once.
        const act = () => {
          if (!armed) return;
          const outcome = outcomeOf(() => ns.define("flag", 1));
          inner.push(outcome);
          if (then === "propagate") throw new Error(`define ${outcome}`);
        };
        // An accessor makes the object's own state unmanaged: written since it
        // was prepared, it is prepared again in the commit, its getter read and
        // its migrators run on what it holds now.
        let x = trap;
        Object.defineProperty(objects[trap], "x", {
          get() {
            if (place === "getter") act();
            return x;
          },
          set(v: number) {
            x = v;
          },
          enumerable: true,
          configurable: true,
        });
        let before: ReturnType<typeof stateOf> | undefined;
        const onEvent = (e: UpdateEvent) => {
          if (e.phase === "validate" && e.status === "end") objects[trap]!.z = 1;
          if (e.phase === "commit" && e.status === "start") {
            before = stateOf(ns, Handle, objects);
            armed = true;
          }
        };
        const onCommitStep = (i: number) => {
          if (place === "step" && i === trap) act();
          if (then === "failLater" && i === count - 1) throw new Error("a later object fails");
        };
        const options: UpdateOptions =
          withStep || place === "step" || then === "failLater"
            ? { onEvent, onCommitStep }
            : { onEvent };
        const build = patch("A").addField("P", "y", {
          initial: (o) => {
            // Handed a copy of the object's state: known by its x.
            if (place === "migrator" && o.x === trap) act();
            return 10;
          },
        });
        let result: ReturnType<typeof updateSync> | undefined;
        const outcome = outcomeOf(() => {
          result = updateSync(ns, build.build(), options);
        });
        armed = false;
        if (then !== "swallow") {
          expect(outcome).toBe("MM_COMMIT_FAILED");
          const after = stateOf(ns, Handle, objects);
          // A getter or migrator that throws while the commit prepares the
          // object again fails it before anything of it is written: the
          // listener's write (z = 1) stays, as every other value does.
          expect(after).toEqual(before);
        } else {
          expect(outcome).toBe("accepted");
          expect([ns.version, ns.bindingNames(), ns.history.map((s) => s.version)]).toEqual([
            2,
            ["P"],
            [0, 1, 2],
          ]);
          expect(objects.map((o) => (o as unknown as { y: number }).y)).toEqual(
            objects.map(() => 10),
          );
          result!.rollback();
          expect(stateOf(ns, Handle, objects)).toEqual(before);
        }
        expect(inner.length).toBeGreaterThan(0);
        expect(new Set(inner)).toEqual(new Set(["MM_ROLLBACK"]));
        // Once the commit is over, defining is the program's again.
        ns.define("flag", 1);
        expect(ns.bindingNames()).toEqual(["P", "flag"]);
      },
    ),
    { seed: 4242, numRuns: 200 },
  );
});

test("a define before the replace (a migrator while preparing, a listener told the validations ended or the commit started) refuses the update, typed, nothing of it installed: the binding is the program's", () => {
  for (const where of ["migrator", "validate-end", "commit-start"] as const) {
    const ns = new Namespace(`define-before-replace-${where}`, { instanceFinder: "registry" });
    const Handle = ns.defineClass<P>({
      name: "P",
      fields: [
        { name: "x", initializer: "0" },
        { name: "z", initializer: "0" },
      ],
    }) as unknown as new (init: {
      x: number;
    }) => P;
    const objects = [new Handle({ x: 1 }), new Handle({ x: 2 })];
    const before = stateOf(ns, Handle, objects);
    let defined = false;
    const define = () => {
      if (defined) return;
      defined = true;
      ns.define("flag", 1);
    };
    const outcome = outcomeOf(() =>
      updateSync(
        ns,
        patch("A")
          .addField("P", "y", {
            initial: () => {
              if (where === "migrator") define();
              return 10;
            },
          })
          .build(),
        {
          onEvent: (e) => {
            if (where === "validate-end" && e.phase === "validate" && e.status === "end") define();
            if (where === "commit-start" && e.phase === "commit" && e.status === "start") define();
          },
        },
      ),
    );
    expect([where, outcome]).toEqual([where, "MM_COMMIT_FAILED"]);
    expect(stateOf(ns, Handle, objects)).toEqual({
      ...before,
      version: 2,
      history: [0, 1, 2],
      bindings: ["P", "flag"],
    });
  }
});
