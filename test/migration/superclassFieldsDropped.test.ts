/**
 * MM_FIELDS_DROPPED for the fields a class's objects lose when the patch
 * moves it under another superclass (src/migration/inheritedFieldsDropped.ts).
 * Before, `changeSuperclass("Boss", "Actor")` deleted the `loot` and `kind`
 * every Boss had from Monster (a shared sword, a class) with warnings [] and
 * the change text "superclass Monster → Actor" only (review advZ13).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Obj = Record<string, unknown>;

function game(monsterFields = ["loot", "kind"]) {
  const ns = new Namespace("game");
  ns.defineClass({ name: "Entity", fields: [{ name: "name", initializer: '""' }] });
  ns.defineClass({
    name: "Actor",
    superclass: "Entity",
    fields: [{ name: "hp", initializer: "10" }],
  });
  ns.defineClass({
    name: "Monster",
    superclass: "Actor",
    fields: monsterFields.map((name) => ({ name, initializer: "null" })),
  });
  const Boss = ns.defineClass<Obj>({
    name: "Boss",
    superclass: "Monster",
    fields: [{ name: "phase", initializer: "1" }],
  });
  return { ns, Boss };
}

const dropped = (warnings: readonly { code: string; className: string; note: string }[]) =>
  warnings.filter((w) => w.code === "MM_FIELDS_DROPPED").map((w) => [w.className, w.note]);

describe("changeSuperclass", () => {
  for (const policy of ["eager", "lazy"] as const) {
    test(`${policy}: the fields the old superclass gave the objects are named, with where they came from`, () => {
      const { ns, Boss } = game();
      const sword = { label: "sword" };
      const b = new Boss({ name: "dragon", loot: sword, kind: Boss, phase: 2 });
      const result = updateSync(ns, patch("up").changeSuperclass("Boss", "Actor").build(), {
        policy,
      });
      expect(dropped(result.warnings)).toEqual([
        [
          "Boss",
          "its objects lose `loot`, `kind`, which they had from Monster: the class moves from under Monster to under Actor, and no class of its new chain carries those fields",
        ],
      ]);
      expect(result.warnings[0]!.message).toContain(
        'migrate("Boss", (old, target) => { target.loot = old.loot; })',
      );
      // What it says: the values are gone.
      if (policy !== "eager") result.completeMigration();
      expect({ ...b }).toEqual({ name: "dragon", hp: 10, phase: 2 });
    });
  }

  test("one field: the warning's field names it", () => {
    const { ns, Boss } = game(["loot"]);
    new Boss({ loot: 1 });
    const [w] = updateSync(ns, patch("up").changeSuperclass("Boss", "Actor").build()).warnings;
    expect([w?.code, w?.field]).toEqual(["MM_FIELDS_DROPPED", "loot"]);
  });

  test("a subclass of the class moved loses them too, and is named", () => {
    const { ns } = game();
    ns.defineClass({ name: "Mega", superclass: "Boss" });
    const result = updateSync(ns, patch("up").changeSuperclass("Boss", "Actor").build());
    expect(dropped(result.warnings).map(([c]) => c)).toEqual(["Boss", "Mega"]);
  });

  test("nothing lost, nothing said: a migrator that copies them, a new superclass keeping the layout, insertSuperclass", () => {
    const cases = [
      patch("copy")
        .changeSuperclass("Boss", "Actor")
        .addField("Boss", "loot")
        .addField("Boss", "kind")
        .migrate("Boss", (old, target) => {
          target.loot = old.loot;
          target.kind = old.kind;
        })
        .build(),
      patch("same")
        .addClass({ name: "Elite", superclass: "Actor", fields: ["loot", "kind"] })
        .changeSuperclass("Boss", "Elite")
        .build(),
      patch("insert")
        .insertSuperclass("Boss", { name: "Mid", fields: ["x"] })
        .build(),
    ];
    for (const p of cases) {
      const { ns, Boss } = game();
      const b = new Boss({ loot: "sword", kind: "k" });
      const result = updateSync(ns, p);
      expect(dropped(result.warnings), p.name).toEqual([]);
      expect([b.loot, b.kind], p.name).toEqual(["sword", "k"]);
    }
  });

  test("a field the new chain adds under a dropped one's name starts afresh: still said", () => {
    const { ns, Boss } = game();
    const b = new Boss({ loot: "sword", kind: "k" });
    const p = patch("add")
      .addClass({ name: "Elite", superclass: "Actor", fields: ["kind", "loot"] })
      .changeSuperclass("Boss", "Elite")
      .build();
    expect(dropped(updateSync(ns, p).warnings).map(([c]) => c)).toEqual(["Boss"]);
    expect([b.loot, b.kind]).toEqual([undefined, undefined]);
  });

  test("property: the warning names exactly the fields whose values the objects lost", () => {
    const all = ["a", "b", "c", "d"];
    fc.assert(
      fc.property(fc.subarray(all), fc.constantFrom("eager", "lazy"), (kept, policy) => {
        const { ns, Boss } = game(all);
        const values = Object.fromEntries(all.map((f) => [f, { f }]));
        const o = new Boss({ ...values });
        let p = patch("move");
        for (const f of kept) p = p.pushDownField("Monster", f);
        const result = updateSync(ns, p.changeSuperclass("Boss", "Actor").build(), { policy });
        if (policy !== "eager") result.completeMigration();
        const lost = all.filter((f) => o[f] !== values[f]);
        expect(lost).toEqual(all.filter((f) => !kept.includes(f)));
        const notes = dropped(result.warnings);
        if (lost.length === 0) expect(notes).toEqual([]);
        else
          expect(notes).toEqual([
            [
              "Boss",
              `its objects lose ${lost.map((f) => `\`${f}\``).join(", ")}, which they had from Monster: the class moves from under Monster to under Actor, and no class of its new chain carries ${lost.length === 1 ? "that field" : "those fields"}`,
            ],
          ]);
      }),
      { seed: 2613, numRuns: 40 },
    );
  });
});
