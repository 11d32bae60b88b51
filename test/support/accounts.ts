/**
 * The accounts of the "update requested on a version rolled back since"
 * tests (review advZ12): four accounts, p1 renaming balance → amount whose
 * migrator can fail on #2, and p2 written against p1's world.
 */
import type { Policy } from "../../src/index.js";
import { Namespace, patch } from "../../src/index.js";

export interface Account {
  id: number;
  balance: number;
  get(): unknown;
}

export function accounts(instanceFinder?: "registry" | "heap" | "adaptive") {
  const ns = new Namespace("accounts", instanceFinder ? { instanceFinder } : {});
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
  const objects = Array.from({ length: 4 }, (_, i) => new Acc({ id: i, balance: i * 10 + 1 }));
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
