/**
 * MM_MIGRATOR_READS_MIGRATING: a lazy or progressive migrator runs against
 * the live graph, where an object it reaches from `old` may already be
 * migrated. Renaming Account.balance to amount and adding Order.snapshot
 * with `initial: old => old.account.balance` gave 5 eager, 5 lazy with the
 * order touched first, `undefined` with the account touched first, without
 * a word (review advZ19).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Obj = Record<string, unknown> & { get(): unknown; q(): unknown };
type Initial = (old: never) => unknown;

function world() {
  const ns = new Namespace("app");
  const Account = ns.defineClass<Obj>({
    name: "Account",
    fields: [{ name: "balance", initializer: "0" }],
    methods: {
      get(this: Obj) {
        return this.balance;
      },
    },
  });
  const Order = ns.defineClass<Obj>({
    name: "Order",
    fields: [
      { name: "account", initializer: "null" },
      { name: "balance", initializer: "0" },
    ],
    methods: {
      q(this: Obj) {
        return this.account;
      },
    },
  });
  const account = new Account({ balance: 5 });
  const order = new Order({ account, balance: 1 });
  return { ns, account, order };
}

function update(initial: Initial, policy: Policy, remove = false) {
  const w = world();
  const base = remove
    ? patch("v2").removeField("Account", "balance")
    : patch("v2")
        .renameField("Account", "balance", "amount")
        .replaceMethods("Account", {
          get(this: Obj) {
            return this.amount;
          },
        });
  const r = updateSync(
    w.ns,
    base.addField("Order", "snapshot", { initial: initial as (old: unknown) => unknown }).build(),
    { policy },
  );
  return { ...w, r };
}

const said = (ws: readonly UpdateWarning[]) =>
  ws.filter((w) => w.code === "MM_MIGRATOR_READS_MIGRATING");

type Old = { account: Obj; balance: number };

describe("a migrator reading a field of another migrating object", () => {
  test("lazy: named, and the value it warns of depends on which object was touched first", () => {
    const initial = (old: Old) => old.account.balance;
    const first = update(initial as Initial, "lazy");
    expect(said(first.r.warnings)).toMatchObject([
      { className: "Order", field: "balance", message: expect.stringContaining("amount") },
    ]);
    first.account.get();
    first.order.q();
    expect(first.order.snapshot).toBeUndefined();
    const second = update(initial as Initial, "lazy");
    second.order.q();
    expect(second.order.snapshot).toBe(5);
  });

  test("eager, or reading both names, or its own field: nothing said", () => {
    expect(said(update(((o: Old) => o.account.balance) as Initial, "eager").r.warnings)).toEqual(
      [],
    );
    const both = (o: Old) => o.account.amount ?? o.account.balance;
    const r = update(both as Initial, "lazy");
    expect(said(r.r.warnings)).toEqual([]);
    r.account.get();
    r.order.q();
    expect(r.order.snapshot).toBe(5);
    expect(said(update(((o: Old) => o.balance) as Initial, "lazy").r.warnings)).toEqual([]);
  });

  test("a removed field, through a local name, on the progressive policy: named", async () => {
    const initial = (old: Old) => {
      const a = old.account;
      return a.balance;
    };
    const { r } = update(initial as Initial, "progressive", true);
    expect(said(r.warnings)).toMatchObject([{ field: "balance" }]);
    expect(said(r.warnings)[0]!.message).toContain("`a.balance`");
    expect(said(r.warnings)[0]!.message).toContain("removes");
    await r.completion;
  });

  const forms: readonly [string, Initial, boolean][] = [
    ["direct", ((old: Old) => old.account.balance) as Initial, true],
    ["optional", ((old: Old) => old?.account?.balance) as Initial, true],
    ["destructured", (({ account }: Old) => account.balance) as Initial, true],
    [
      "local",
      ((old: Old) => {
        const acc = old.account;
        return acc.balance;
      }) as Initial,
      true,
    ],
    ["both names", ((old: Old) => old.account.amount ?? old.account.balance) as Initial, false],
    ["own field", ((old: Old) => old.balance) as Initial, false],
    ["in a string", ((_old: Old) => "old.account.balance") as Initial, false],
    ["another field", ((old: Old) => old.account.owner) as Initial, false],
  ];

  test("property: said exactly for a read on a reached object under lazy/progressive (seeded)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...forms),
        fc.constantFrom<Policy>("eager", "lazy", "progressive"),
        ([, initial, hazardous], policy) => {
          const { r } = update(initial, policy);
          expect(said(r.warnings).length).toBe(hazardous && policy !== "eager" ? 1 : 0);
          if (policy !== "eager") r.completeMigration();
        },
      ),
      { seed: 1923, numRuns: 40 },
    );
  });
});
