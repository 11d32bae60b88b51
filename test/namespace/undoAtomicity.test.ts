/**
 * A `replaceNamespace` record's undo ran its undos last first — the scopes
 * the replace installed, then the pop of the history, then the classes —
 * and only the pop asked whether the version before was still kept: after
 * `forgetHistoryBefore`, the undo refused (MM_UNDO) with the added classes'
 * scopes gone from `namespace.scopes` while the classes stayed bound, and
 * the record marked undone ("already undone" from then on). Now every check
 * runs before the first undo: refused, nothing changes and the record can
 * be undone once what refused it is gone.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  cloneNamespace,
  MetamorphError,
  Namespace,
  readClassDefinition,
  replaceNamespace,
} from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/classDefinition.js";

type P = { x: number; kind(): string };

/** What the program sees of the namespace: snapshot, history, bindings, scopes and its classes. */
function stateOf(ns: Namespace, objects: readonly P[]) {
  return {
    version: ns.version,
    snapshot: ns.snapshot,
    history: ns.history.map((s) => s.version),
    bindings: ns.bindingNames(),
    values: ns.bindingNames().map((name) => ns.lookup(name)),
    scopes: [...ns.scopes],
    classes: ns.classes().map((handle) => ({
      parent: Object.getPrototypeOf(handle),
      methods: readClassDefinition(handle).methods.map((m) => m.source),
    })),
    kinds: objects.map((o) => o.kind()),
  };
}

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    return error instanceof MetamorphError ? error.code : `untyped ${String(error)}`;
  }
}

const FAULTS = ["forget", "defineSince", "laterReplace"] as const;

test("property: an undo refused leaves the namespace exactly as it was, scopes included, and goes through once what refused it is gone (seed 9021)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom(...FAULTS),
      fc.nat(),
      (added, changed, defines, fault, forgetPick) => {
        const ns = new Namespace("undo-atomic", { instanceFinder: "registry" });
        const Handle = ns.defineClass<P>(
          {
            name: "P",
            fields: [{ name: "x", initializer: "0" }],
            methods: {
              kind() {
                return "old";
              },
            },
          },
          { scope: { tag: "old" } },
        ) as unknown as new (init?: {
          x: number;
        }) => P;
        const objects = [new Handle({ x: 1 }), new Handle({ x: 2 })];
        const initial = stateOf(ns, objects);
        const shadow = cloneNamespace(ns);
        for (let i = 0; i < added; i++) {
          const spec = { name: `A${i}`, fields: [{ name: "a", initializer: "tag" }] };
          shadow.addClass(definitionFromSpec(spec), { tag: i });
        }
        if (changed) {
          const v2 = definitionFromSpec({
            name: "P",
            fields: [{ name: "x", initializer: "0" }],
            methods: {
              kind() {
                return "new";
              },
              extra() {
                return 1;
              },
            },
          });
          shadow.changeClass("P", v2, undefined, undefined, {
            compile: { tag: "compile" },
            keep: { tag: "new" },
          });
        }
        for (let i = 0; i < defines; i++) shadow.define(`d${i}`, { i });
        const record = replaceNamespace(ns, shadow);
        // What refuses the undo: the version before forgotten (when it is), a
        // binding defined since, a later replace.
        const forgetFrom = forgetPick % (ns.version + 1);
        let later: ReturnType<typeof replaceNamespace> | undefined;
        if (fault === "forget") ns.forgetHistoryBefore(forgetFrom);
        if (fault === "defineSince") ns.define("flag", true);
        if (fault === "laterReplace") {
          const next = cloneNamespace(ns);
          next.define("later", 1);
          later = replaceNamespace(ns, next);
        }
        const refusing = fault !== "forget" || forgetFrom > record.fromVersion;
        const before = stateOf(ns, objects);
        const code = codeOf(() => record.undo());
        if (!refusing) {
          expect(code).toBeUndefined();
          expect({ ...stateOf(ns, objects), history: initial.history }).toEqual(initial);
          return;
        }
        expect(code).toBe("MM_UNDO");
        expect(stateOf(ns, objects)).toEqual(before);
        // Refused again for the same reason, not taken for undone.
        expect(() => record.undo()).toThrow(
          fault === "forget" ? /no longer kept/ : /namespace is now at version/,
        );
        expect(stateOf(ns, objects)).toEqual(before);
        if (later === undefined) return;
        later.undo();
        record.undo();
        expect(stateOf(ns, objects)).toEqual(initial);
        expect(() => record.undo()).toThrow(/already undone/);
      },
    ),
    { seed: 9021, numRuns: 150 },
  );
});
