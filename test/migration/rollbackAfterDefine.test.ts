/**
 * A binding defined after an update's commit — by an afterCommit hook of the
 * update, by a listener told the commit ended or the rollback started, or by
 * the program — moves the namespace on (review advZ2, F6). The rollback was
 * refused up front only when the program defined it after `updateSync`
 * returned: after a hook's or a listener's define, the result's `toVersion`
 * already counted it, and the rollback rewrote every object back before
 * `record.undo()` refused (MM_UNDO), leaving the objects on the old layout
 * under the new class. Chosen: a define is no part of the update (nothing
 * records it to undo), `toVersion` is the version the commit made, and the
 * rollback is refused (MM_ROLLBACK) before any object is rewritten.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  MetamorphError,
  Namespace,
  patch,
  readClassDefinition,
  type UpdateEvent,
  updateSync,
} from "../../src/index.js";

type P = { x: number; total(): number };

const WHERE = ["afterCommit", "commit-end", "after-return", "rollback-start"] as const;

function world(name: string) {
  const ns = new Namespace(name);
  const Handle = ns.defineClass<P>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
    methods: {
      total() {
        const self = this as unknown as { x: number; y: number };
        return self.x + self.y;
      },
    },
  }) as unknown as new (init: {
    x: number;
  }) => P;
  return { ns, Handle };
}

function stateOf(ns: Namespace, handle: unknown, objects: readonly object[]) {
  return {
    version: ns.version,
    history: ns.history.map((s) => s.version),
    bindings: ns.bindingNames(),
    fields: readClassDefinition(handle as new () => object).fields.map((f) => f.name),
    objects: objects.map((o) => [Object.getPrototypeOf(o), Object.entries(o)]),
  };
}

test("property: after a binding is defined since the commit, wherever from, the rollback is refused before anything changes (seed 6006)", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("eager" as const, "lazy" as const, "progressive" as const),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(),
      fc.constantFrom(...WHERE),
      (policy, count, touched, where) => {
        const { ns, Handle } = world(`rollback-after-define-${policy}`);
        const objects = Array.from({ length: count }, (_, i) => new Handle({ x: i }));
        let defined = false;
        const define = () => {
          if (defined) return;
          defined = true;
          ns.define("featureFlag", true);
        };
        const onEvent = (e: UpdateEvent) => {
          if (where === "commit-end" && e.phase === "commit" && e.status === "end") define();
          if (where === "rollback-start" && e.phase === "rollback" && e.status === "start")
            define();
        };
        let build = patch("A").addField("P", "y", { default: 10 });
        if (where === "afterCommit") build = build.afterCommit("register", define);
        const result = updateSync(ns, build.build(), { policy, onEvent });
        if (where === "after-return") define();
        expect([result.fromVersion, result.toVersion]).toEqual([1, 2]);
        for (let t = 0; t < touched % (count + 1); t++) objects[t]!.total();
        const committed = stateOf(ns, Handle, objects);
        let code: string | undefined;
        try {
          result.rollback();
        } catch (error) {
          code = error instanceof MetamorphError ? error.code : String(error);
        }
        expect(code).toBe("MM_ROLLBACK");
        expect(result.state()).toBe("committed");
        // A rollback-start listener defines only once the rollback is under way.
        const expected =
          where === "rollback-start"
            ? { ...stateOf(ns, Handle, objects), objects: committed.objects }
            : committed;
        expect(stateOf(ns, Handle, objects)).toEqual(expected);
        expect(ns.version).toBe(3);
        // Every object answers as the new version, and can be made permanent.
        expect(objects.map((o) => o.total())).toEqual(objects.map((_, i) => i + 10));
        result.makePermanent();
        expect(ns.lookup("featureFlag")).toBe(true);
      },
    ),
    { seed: 6006, numRuns: 120 },
  );
});

test("an afterCommit hook that defines a binding, then throws: the update stays committed and says so, its objects on the new layout under the new class", () => {
  const { ns, Handle } = world("after-commit-define-throws");
  const objects = [new Handle({ x: 1 }), new Handle({ x: 2 })];
  let thrown: unknown;
  try {
    updateSync(
      ns,
      patch("A")
        .addField("P", "y", { default: 10 })
        .afterCommit("register", () => {
          ns.define("featureFlag", true);
          throw new Error("register failed");
        })
        .build(),
    );
  } catch (error) {
    thrown = error;
  }
  expect((thrown as MetamorphError).code).toBe("MM_AFTER_COMMIT_FAILED");
  expect((thrown as MetamorphError).details.rolledBack).toBe(false);
  expect((thrown as Error).message).toMatch(
    /stays committed .*register failed.*cannot be rolled back: update A was followed by another update or a binding defined since/,
  );
  expect([ns.version, ns.bindingNames()]).toEqual([3, ["P", "featureFlag"]]);
  expect(readClassDefinition(Handle).fields.map((f) => f.name)).toEqual(["x", "y"]);
  expect(objects.map((o) => Object.keys(o))).toEqual([
    ["x", "y"],
    ["x", "y"],
  ]);
  expect(objects.map((o) => o.total())).toEqual([11, 12]);
});
