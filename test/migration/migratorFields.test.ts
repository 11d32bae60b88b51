/**
 * MM_FIELD_KIND_CHANGED for a field whose new initial value is an object of
 * a class of the new release's module, and warnings judged field by field
 * where the patch has a migrator.
 *
 * @msgpack/msgpack 2.8 -> 3.1.2: Decoder#stack is `[]` in 2.8 and `new
 * StackPool()` in 3.x. The build keeps such a field without its
 * initialiser (it reads the module's scope, which a migration cannot
 * evaluate), so the kind change was never seen; and any migrator of the
 * class (the refusal asked for one setting `mapKeyConverter`) silenced
 * every warning of its fields (here: one setting `maxDepth`). Both committed with warnings=[] and the
 * first `decode()` threw `this.stack.reset is not a function`.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Decoder = { stack: unknown; maxDepth?: number; decode(xs: number[]): number };
type DecoderClass = new () => Decoder;

/** One release of a decoder in msgpack's pattern: 2 keeps its stack in an array, 3 in a StackPool of its module. */
function decoder(release: 2 | 3): DecoderClass {
  return new Function(
    `"use strict";
    class StackPool {
      constructor() { this.stack = []; this.head = -1; }
      reset() { this.stack.length = 0; this.head = -1; }
      push(x) { this.stack[++this.head] = x; }
      get length() { return this.head + 1; }
    }
    class Decoder {
      constructor() {
        this.pos = 0;
        this.stack = ${release === 2 ? "[]" : "new StackPool()"};
        ${release === 3 ? "this.maxDepth = 64;" : ""}
      }
      reinitializeState() { ${release === 2 ? "this.stack.length = 0" : "this.stack.reset()"}; }
      decode(xs) { this.reinitializeState(); for (const x of xs) this.stack.push(x); return this.stack.length; }
    }
    return Decoder;`,
  )() as DecoderClass;
}

const kindChanges = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_FIELD_KIND_CHANGED");

function upgrade(
  policy: "eager" | "lazy" | "progressive",
  migrator?: (old: unknown, target: Record<string, unknown>) => void,
) {
  const [a, b] = [decoder(2), decoder(3)];
  const ns = new Namespace(`kind-migrators-${policy}`);
  const D = ns.registerClass(a, { name: "Decoder" }) as unknown as DecoderClass;
  const dec = new D();
  dec.decode([1, 2]);
  let p = patch("3").replaceImplementation("Decoder", b);
  if (migrator !== undefined) p = p.migrate("Decoder", migrator as never);
  const result = updateSync(ns, p.build(), { policy });
  return { dec, warnings: kindChanges(result.warnings) };
}

describe.each(["eager", "lazy", "progressive"] as const)(
  "msgpack's Decoder#stack (%s)",
  (policy) => {
    test("with no migrator, the array becoming a StackPool of the new module is named", () => {
      const { dec, warnings } = upgrade(policy);
      expect(warnings.map((w) => w.field)).toEqual(["stack"]);
      expect(warnings[0]!.note).toBe(
        "field `stack` starts as a StackPool in the new version (`new StackPool()`), as an array in the running one (`[]`)",
      );
      expect(warnings[0]!.message).toMatch(/give the patch a migrator that converts it/);
      // What it warns of.
      expect(() => dec.decode([1, 2, 3])).toThrow(/this\.stack\.reset is not a function/);
    });

    test("a migrator that sets another field does not speak for `stack`", () => {
      const { dec, warnings } = upgrade(policy, (_old, target) => {
        target.maxDepth = 16;
      });
      expect(warnings.map((w) => w.field)).toEqual(["stack"]);
      expect(warnings[0]!.message).toMatch(
        /the migrator of Decoder does not name `stack`: unless it sets it by other means, set it there \(`target\.stack = …`\)/,
      );
      expect(() => dec.decode([1, 2, 3])).toThrow(/this\.stack\.reset is not a function/);
    });

    test("a migrator that sets `stack` to the new release's object: nothing said, and the object works", () => {
      const b = decoder(3);
      const { dec, warnings } = upgrade(policy, (_old, target) => {
        target.stack = new b().stack;
      });
      expect(warnings).toEqual([]);
      expect(dec.decode([1, 2, 3])).toBe(3);
    });
  },
);

/**
 * Over the ways a migrator may write fields (a member, a quoted key, an
 * object literal handed to Object.assign) and which fields it writes: the
 * warning about `stack` is said exactly where the migrator's text does not
 * write `stack`, and names the migrator where there is one.
 */
test("said exactly where the migration code does not name the field", () => {
  const writes = {
    member: (f: string) => `target.${f} = fresh.${f};`,
    quoted: (f: string) => `target["${f}"] = fresh["${f}"];`,
    literal: (f: string) => `Object.assign(target, { ${f}: fresh.${f} });`,
  };
  fc.assert(
    fc.property(
      fc.subarray(["stack", "pos", "maxDepth"]),
      fc.constantFrom(...(Object.keys(writes) as (keyof typeof writes)[])),
      fc.boolean(),
      fc.constantFrom("eager", "lazy") as fc.Arbitrary<"eager" | "lazy">,
      (fields, style, withMigrator, policy) => {
        const b = decoder(3);
        const body = fields.map(writes[style]).join("\n");
        const migrator = withMigrator
          ? (new Function("B", `return (old, target) => { const fresh = new B(); ${body} };`)(
              b,
            ) as (old: unknown, target: Record<string, unknown>) => void)
          : undefined;
        const { dec, warnings } = upgrade(policy, migrator);
        const sets = withMigrator && fields.includes("stack");
        expect(warnings.map((w) => w.field)).toEqual(sets ? [] : ["stack"]);
        if (!sets) expect(/does not name `stack`/.test(warnings[0]!.message)).toBe(withMigrator);
        if (sets) expect(dec.decode([1, 2, 3])).toBe(3);
        else expect(() => dec.decode([1])).toThrow(/this\.stack\.reset is not a function/);
      },
    ),
    { seed: 20831, numRuns: 24 },
  );
});

type DateTime = { ts: number; loc: object; readonly isWeekend: boolean };

/** luxon's pattern: DateTime keeps a Locale of its module in `loc`; the next release reads `weekendDays()` on it. */
function dateTime(next: boolean): new (ts: number) => DateTime {
  return new Function(
    `"use strict";
    class Locale { ${next ? "weekendDays() { return [6, 7]; }" : ""} }
    class DateTime {
      constructor(ts) { this.ts = ts; this.loc = new Locale(); }
      get isWeekend() { return ${next ? "this.loc.weekendDays().includes(6)" : "false"}; }
    }
    return DateTime;`,
  )() as new (
    ts: number,
  ) => DateTime;
}

/**
 * Eager only: what the objects hold is looked at on the objects the commit
 * migrated; a lazy update samples no object of a class with a migrator
 * (prepare.ts), and what `loc` lacks cannot be told without one.
 */
describe.each(["eager"] as const)("MM_OLD_RELEASE_VALUE with a migrator (%s)", (policy) => {
  const upgradeDates = (
    migrator: (old: { ts: number }, target: Record<string, unknown>) => void,
  ) => {
    const [a, b] = [dateTime(false), dateTime(true)];
    const ns = new Namespace(`old-value-migrator-${policy}`);
    const DT = ns.registerClass(a, { name: "DateTime" }) as unknown as new (ts: number) => DateTime;
    const dt = new DT(1);
    const result = updateSync(
      ns,
      patch("next")
        .replaceImplementation("DateTime", b)
        .migrate("DateTime", migrator as never)
        .build(),
      { policy },
    );
    return { dt, b, said: result.warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE") };
  };

  test("one that sets another field leaves `loc` named, with the migrator in the advice", () => {
    const { dt, said } = upgradeDates((old, target) => {
      target.ts = old.ts * 1000;
    });
    expect(said.map((w) => w.field)).toEqual(["loc"]);
    expect(said[0]!.note).toMatch(/the new release reads `weekendDays` on it/);
    expect(said[0]!.message).toMatch(/the migrator of DateTime does not name `loc`/);
    expect(() => dt.isWeekend).toThrow(/weekendDays is not a function/);
  });

  test("one that sets `loc` says nothing more", () => {
    const b = dateTime(true);
    const { dt, said } = upgradeDates((_old, target) => {
      target.loc = new b(0).loc;
    });
    expect(said).toEqual([]);
    expect(dt.isWeekend).toBe(true);
  });
});
