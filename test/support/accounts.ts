/**
 * Accounts (`id`, `balance`, `get()`) of the tests of updates and
 * rollbacks meeting what the program did since (review advZ12); p1 renames
 * balance → amount, its migrator failing on #2 if asked, and p2 is written
 * against p1's world.
 */
import type { Policy } from "../../src/index.js";
import { Namespace, patch } from "../../src/index.js";

export interface Account {
  id: number;
  balance: number;
  get(): unknown;
}

export function accounts(
  options: {
    readonly name?: string;
    readonly instanceFinder?: "registry" | "heap" | "adaptive";
    readonly count?: number;
  } = {},
) {
  const { name = "accounts", instanceFinder, count = 4 } = options;
  const ns = new Namespace(name, instanceFinder ? { instanceFinder } : {});
  const Acc = ns.defineClass<Account>({
    name: "Acc",
    fields: [
      { name: "id", initializer: "0" },
      { name: "balance", initializer: "0" },
    ],
    methods: {
      get(this: Account) {
        return this.balance;
      },
    },
  });
  const objects = Array.from({ length: count }, (_, i) => new Acc({ id: i, balance: i * 10 + 1 }));
  return { ns, Acc, objects };
}

/** p1: balance → amount; its migrator fails on object #2 when `failOn2`. */
export const renamed = (failOn2: boolean) =>
  patch("p1")
    .renameField("Acc", "balance", "amount")
    .migrate("Acc", (old) => {
      if (failOn2 && old.id === 2) throw new Error("cannot migrate #2");
    })
    .replaceMethods("Acc", {
      get(this: { amount: number }) {
        return this.amount;
      },
    })
    .build();

/** p2, written against p1's world: it reads `amount`. */
export const noted = (policy?: Policy) => {
  const p = patch("p2")
    .addField("Acc", "note", { default: "n" })
    .replaceMethods("Acc", {
      get(this: { amount: number; note: string }) {
        return `${this.amount}/${this.note}`;
      },
    });
  return (policy ? p.policy(policy) : p).build();
};

/**
 * balance → amount with get() answering amount + 1000 (what the new code
 * answers tells it from the old), its migrator failing on object #`failAt`
 * (none by default); the builder, to add steps or build.
 */
export const renamedFailingAt = (failAt = -1) =>
  patch("v2")
    .renameField("Acc", "balance", "amount")
    .migrate("Acc", (old) => {
      if (old.id === failAt) throw new Error(`cannot migrate #${failAt}`);
    })
    .replaceMethods("Acc", {
      get(this: { amount: number }) {
        return this.amount + 1000;
      },
    });
