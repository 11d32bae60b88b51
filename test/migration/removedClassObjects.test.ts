/**
 * Removing a class whose objects are alive (src/migration/removedClassInstances.ts).
 * Before, `removeClass` committed without a word under every policy: the
 * objects kept the removed class's last version, and the next update of
 * its superclass gave them the new methods over their old fields (an AST's
 * `Neg` in a Map: `show()` threw after a rename of Expr's field; "merge Boss
 * into Monster" left the Boss a Boss). Now refused (MM_VALIDATION_FAILED,
 * rule removed-class-reference) with their number and where the namespace's
 * objects hold them, before anything changes.
 */
import { describe, expect, test } from "vitest";
import { allInstances, Namespace, patch, updateSync, ValidationError } from "../../src/index.js";
import { forwardObjects } from "../../src/mop/index.js";
import { refusalOf } from "../support/refusal.js";

// biome-ignore lint/suspicious/noExplicitAny: the programs under test are untyped, as the review wrote them
type Any = Record<string, any>;

function ast(finder: "registry" | "heap" = "registry") {
  const ns = new Namespace("ast", { instanceFinder: finder });
  ns.defineClass<Any>({ name: "Node", fields: [{ name: "children", initializer: "null" }] });
  const Expr = ns.defineClass<Any>({
    name: "Expr",
    superclass: "Node",
    fields: [{ name: "text", initializer: '"t"' }],
    methods: {
      show(this: Any) {
        return this.text.toUpperCase();
      },
    },
  });
  const Neg = ns.defineClass<Any>({ name: "Neg", superclass: "Expr" });
  return { ns, Expr, Neg };
}

const refusal = (run: () => unknown) => refusalOf(run, ValidationError);

describe("removing a class whose objects are alive", () => {
  for (const policy of ["eager", "lazy", "progressive"] as const) {
    test(`${policy}: refused, naming the class, how many, and the surviving object that holds one; nothing changes`, () => {
      const { ns, Expr, Neg } = ast();
      const tree = new Expr({ children: new Map([[1, new Neg()]]) });
      const before = { version: ns.version, names: ns.bindingNames().join() };
      const error = refusal(() =>
        updateSync(ns, patch("rm").removeClass("Neg").build(), { policy }),
      );
      expect(error.code).toBe("MM_VALIDATION_FAILED");
      const failures = error.report.failures;
      expect(failures.map((f) => [f.rule, f.className, f.field])).toEqual([
        ["removed-class-reference", "Neg", undefined],
        ["removed-class-reference", "Expr", "children.get(1)"],
      ]);
      expect(failures[0]!.message).toMatch(/^1 live object of class Neg, which this patch removes/);
      expect(failures[0]!.message).toContain("forwardObjects(allInstances(Neg), replacements)");
      expect(failures[0]!.object).toBe(tree.children.get(1));
      expect(failures[1]!.object).toBe(tree);
      expect({ version: ns.version, names: ns.bindingNames().join() }).toEqual(before);
      // Kept, Neg's objects go on migrating with Expr's.
      updateSync(
        ns,
        patch("rn")
          .renameField("Expr", "text", "label")
          .replaceMethods("Expr", {
            show(this: Any) {
              return this.label.toUpperCase();
            },
          })
          .build(),
        { policy },
      );
      expect(tree.children.get(1).show()).toBe("T");
    });
  }

  test("with the heap finder too, counting every object (held anywhere: a local array here)", () => {
    const { ns, Neg } = ast("heap");
    const kept = [new Neg(), new Neg(), new Neg()];
    const error = refusal(() => updateSync(ns, patch("rm").removeClass("Neg").build()));
    expect(error.report.failures).toHaveLength(1);
    expect(error.report.failures[0]!.message).toMatch(/^3 live objects of class Neg,/);
    expect(error.report.failures[0]!.message).not.toContain("registry");
    expect(kept).toHaveLength(3);
  });

  test("no objects alive: the removal commits", () => {
    const { ns } = ast("heap");
    expect(updateSync(ns, patch("rm").removeClass("Neg").build()).outcome).toBe("committed");
    expect(ns.has("Neg")).toBe(false);
  });

  test("merge Boss into Monster: refused while a Boss lives; its objects turned into Monsters first (forwardObjects, record), it commits and they migrate with Monster's", () => {
    const ns = new Namespace("game", { instanceFinder: "registry" });
    const Monster = ns.defineClass<Any>({
      name: "Monster",
      fields: [
        { name: "name", initializer: '""' },
        { name: "loot", initializer: "null" },
      ],
    });
    const Boss = ns.defineClass<Any>({
      name: "Boss",
      superclass: "Monster",
      fields: [{ name: "phase", initializer: "1" }],
    });
    const b = new Boss({ name: "dragon", loot: "sword", phase: 2 });
    const map = new Map([[1, b]]);
    const set = new Set([b]);
    const weak = new WeakMap([[b, "boss"]]);
    const merge = patch("merge").pullUpField("Boss", "phase").removeClass("Boss").build();
    const error = refusal(() => updateSync(ns, merge));
    expect(error.report.failures[0]!.message).toMatch(/^1 live object of class Boss,/);
    expect(error.report.failures[0]!.message).toContain("a new Monster with its values");
    expect(b).toBeInstanceOf(Boss);

    updateSync(ns, patch("pull").pullUpField("Boss", "phase").build());
    const bosses = allInstances(Boss);
    forwardObjects(
      bosses,
      bosses.map((o) => new Monster({ ...o })),
    );
    for (const o of bosses) ns.finder.record(o);
    expect(updateSync(ns, patch("drop").removeClass("Boss").build()).outcome).toBe("committed");
    updateSync(ns, patch("rename").renameField("Monster", "loot", "drop").build());
    expect(b.constructor).toBe(Monster);
    expect({ ...b }).toEqual({ name: "dragon", drop: "sword", phase: 2 });
    expect([map.get(1), set.has(b), weak.get(b)]).toEqual([b, true, "boss"]);
  });
});
