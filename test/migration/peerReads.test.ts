/**
 * MM_PENDING_FIELD_READ: a method a lazy patch adds, reading a renamed
 * field on another object of its class (`compare(o) { return this.amount -
 * o.amount }`), got NaN from `b.compare(a)` while `a` was pending (eager:
 * 2), and the update said nothing (review advZ19). A direct field read does
 * not migrate the object it reads.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Account = Record<string, unknown> & {
  get(): unknown;
  compare(o: Account): number;
};

function update(methods: object, policy: Policy, add = false) {
  const ns = new Namespace("app");
  const A = ns.defineClass<Account>({
    name: "Account",
    fields: [
      { name: "balance", initializer: "0" },
      { name: "owner", initializer: '""' },
    ],
    methods: {
      get(this: Account) {
        return this.balance;
      },
    },
  });
  const a = new A({ balance: 5, owner: "ann" });
  const b = new A({ balance: 7, owner: "bob" });
  const base = add
    ? patch("v2").addField("Account", "fee", { default: 1 })
    : patch("v2")
        .renameField("Account", "balance", "amount")
        .replaceMethods("Account", {
          get(this: Account) {
            return this.amount;
          },
        });
  const r = updateSync(ns, base.addMethods("Account", methods).build(), { policy });
  return { a, b, r };
}

const said = (ws: readonly UpdateWarning[]) => ws.filter((w) => w.code === "MM_PENDING_FIELD_READ");

const direct = {
  compare(this: Account, o: Account) {
    return (this.amount as number) - (o.amount as number);
  },
};

describe("a new method reading a renamed or added field on another object", () => {
  test("lazy: named with the method and the field; the read it warns of is NaN", () => {
    const { a, b, r } = update(direct, "lazy");
    expect(said(r.warnings)).toMatchObject([{ className: "Account", field: "amount" }]);
    expect(said(r.warnings)[0]!.message).toContain("compare()");
    expect(said(r.warnings)[0]!.message).toContain("`o.amount`");
    expect(b.compare(a)).toBeNaN();
  });

  test("eager: nothing said, and the read is right", () => {
    const { a, b, r } = update(direct, "eager");
    expect(said(r.warnings)).toEqual([]);
    expect(b.compare(a)).toBe(2);
  });

  test("an added field read on a parameter under progressive: named", async () => {
    const fee = {
      compare(this: Account, o: Account) {
        return (this.fee as number) - (o.fee as number);
      },
    };
    const { r } = update(fee, "progressive", true);
    expect(said(r.warnings)).toMatchObject([{ field: "fee" }]);
    await r.completion;
  });

  const forms: readonly [string, object, boolean][] = [
    ["direct", direct, true],
    [
      "through a method",
      {
        compare(this: Account, o: Account) {
          return (this.amount as number) - (o.get() as number);
        },
      },
      false,
    ],
    [
      "both names",
      {
        compare(this: Account, o: Account) {
          return (this.amount as number) - ((o.amount ?? o.balance) as number);
        },
      },
      false,
    ],
    [
      "a field kept",
      {
        compare(this: Account, o: Account) {
          return String(this.owner).localeCompare(String(o.owner));
        },
      },
      false,
    ],
    [
      "in a string",
      {
        compare(this: Account, _o: Account) {
          return "o.amount".length;
        },
      },
      false,
    ],
  ];

  test("property: said exactly for a direct read on a parameter under lazy/progressive (seeded)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...forms),
        fc.constantFrom<Policy>("eager", "lazy", "progressive"),
        ([, methods, hazardous], policy) => {
          const { r } = update(methods, policy);
          expect(said(r.warnings).length).toBe(hazardous && policy !== "eager" ? 1 : 0);
          if (policy !== "eager") r.completeMigration();
        },
      ),
      { seed: 1931, numRuns: 40 },
    );
  });
});
