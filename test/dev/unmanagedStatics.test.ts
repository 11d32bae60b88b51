/**
 * The static values of a class metamorph does not manage, across an edit
 * (review advZ16 2). Its methods were replaced and its static values left
 * as they were, without a word: `static styles` of a Lit element kept its
 * first value, and the page said `updated methods of MyCounter`. A class
 * extending no package's class now takes the static values an edit changes;
 * for one extending a package's class, which may have read them once for the
 * class (Lit finalises a class once), the edit is told apart: only a reload
 * applies it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  readOnceReason,
  staticsReadOnce,
  transplantMethods,
  unmanagedWarning,
} from "../../src/dev/unmanagedClasses.js";

/** A class made from source, as a module would declare it (its source text is what is read). */
const declare = <T extends Function>(source: string, ...bindings: [string, unknown][]): T =>
  new Function(...bindings.map(([n]) => n), `return ${source}`)(...bindings.map(([, v]) => v)) as T;

/** A package's base class, whose subclasses' statics it reads once (`finalize`), as Lit's does. */
class Finalising {
  static styles: unknown;
  static elementStyles: unknown;
  render(): string {
    return String((this.constructor as typeof Finalising).elementStyles);
  }
}
const finalize = (cls: typeof Finalising): void => {
  cls.elementStyles = cls.styles;
};

describe("a class extending a package's class", () => {
  const card = (color: string, getter: string) =>
    declare<typeof Finalising & { label(): string }>(
      `class Card extends Finalising {
  static styles = "${color}";
  static get properties() { return ${getter}; }
  static label() { return "card ${color}"; }
}`,
      ["Finalising", Finalising],
    );

  test("an edit of its static values and accessors is told apart, and not claimed applied", () => {
    const Card = card("red", `{ count: 1 }`);
    finalize(Card);
    const v2 = card("blue", `{ count: 1, step: 1 }`);
    const readOnce = staticsReadOnce(v2, Card);
    expect(readOnce).toEqual({
      statics: ["static styles", "static properties"],
      readBy: "Finalising",
    });
    expect(readOnceReason("Card", readOnce!)).toBe(
      "class Card is not managed, and the edit changes its static styles, static properties, which Finalising, a class metamorph does not manage, may have read once for the class: putting the new value on the class would not apply it",
    );
    // Its static methods are replaced; the values stay what the package read.
    expect(transplantMethods(v2, Card)).toEqual([]);
    expect([Card.label(), Card.styles, Card.elementStyles]).toEqual(["card blue", "red", "red"]);
    // Not in effect at the next edit either, which leaves them as v2 has them: told apart again.
    expect(staticsReadOnce(card("blue", `{ count: 1, step: 1 }`), Card)).toEqual({
      statics: ["static styles", "static properties"],
      readBy: "Finalising",
    });
  });
});

describe("a class extending no package's class", () => {
  const values = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 0, max: 3 }));
  const item = (statics: Record<string, number>) =>
    declare<Function & Record<string, unknown>>(
      `class Item {
${Object.entries(statics)
  .map(([name, value]) => `  static ${name} = ${value};`)
  .join("\n")}
  static kind() { return "item"; }
}`,
    );

  test("property: an edit's changed, added and removed static values are put on the class; the others keep their running value (seed 2016)", () => {
    fc.assert(
      fc.property(values, values, (before, after) => {
        const Item = item(before);
        // The program wrote to each since: an unchanged static keeps what it holds.
        for (const name of Object.keys(before)) Item[name] = `running ${name}`;
        const changed = [
          ...Object.keys(after).filter((n) => before[n] !== after[n]),
          ...Object.keys(before).filter((n) => !(n in after)),
        ];
        expect(staticsReadOnce(item(after), Item)).toBeUndefined();
        expect([...transplantMethods(item(after), Item)].sort()).toEqual(
          changed.map((n) => `static ${n}`).sort(),
        );
        for (const name of ["a", "b", "c", "d"]) {
          const expected = !(name in after)
            ? undefined
            : changed.includes(name)
              ? after[name]
              : `running ${name}`;
          expect(Item[name]).toBe(expected);
        }
      }),
      { seed: 2016, numRuns: 80 },
    );
  });

  test("an initialiser `metamorph dev` kept from running (evaluated as 0) is left as it is", () => {
    const Item = item({ a: 1 });
    const kept = declare<Function>(`class Item { static a = __metamorph$kept ? 0 : 1; }`, [
      "__metamorph$kept",
      true,
    ]);
    expect(transplantMethods(kept, Item)).toEqual([]);
    expect(Item.a).toBe(1);
  });

  test("the warning names the statics replaced with the methods", () => {
    expect(
      unmanagedWarning("Item", "another module already defines a managed class named Item", [
        "static a",
      ]),
    ).toBe(
      "class Item is not managed (another module already defines a managed class named Item): its methods and static a were replaced, its fields and existing objects were not migrated",
    );
  });
});
