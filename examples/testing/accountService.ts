/**
 * Updates at every point of a workload: an account service, updated while
 * it serves calls (the check is in accountService.test.ts).
 *
 * In your project, import from "metamorph" and "metamorph/testing" instead
 * of the relative paths below.
 *
 * Version 2 renames `Account.balance` to `amount` and adds a derived field,
 * `overdrawn`, which the new methods keep equal to `amount < 0`. The
 * workload property generates sequences of calls on a live service (open,
 * deposit, withdraw, balance), applies the update before a generated call —
 * eagerly, lazily or progressively — and checks that every call still
 * answers what the model says and that the invariant holds after every step.
 * A failure shrinks to the shortest workload and the earliest point that
 * still fail (see test/testing/workload.test.ts for one).
 */
import fc from "fast-check";
import { expect } from "vitest";
import { patch } from "../../src/index.js";
import type { LiveWorld, Workload } from "../../src/testing/index.js";

// 1. The classes as they run in production today.
interface Account {
  owner: string;
  balance: number;
  deposit(amount: number): void;
  withdraw(amount: number): void;
  current(): number;
}

export const AccountV1 = {
  name: "Account",
  fields: [
    { name: "owner", initializer: '""' },
    { name: "balance", initializer: "0" },
  ],
  methods: {
    deposit(this: Account, amount: number) {
      this.balance += amount;
    },
    withdraw(this: Account, amount: number) {
      this.balance -= amount;
    },
    current(this: Account) {
      return this.balance;
    },
  },
};

interface Bank {
  accounts: Record<string, Account>;
  open(account: Account): void;
  deposit(owner: string, amount: number): void;
  withdraw(owner: string, amount: number): void;
  balanceOf(owner: string): number;
}

export const BankV1 = {
  name: "Bank",
  fields: [{ name: "accounts", initializer: "{}" }],
  methods: {
    open(this: Bank, account: Account) {
      this.accounts[account.owner] = account;
    },
    deposit(this: Bank, owner: string, amount: number) {
      this.accounts[owner]!.deposit(amount);
    },
    withdraw(this: Bank, owner: string, amount: number) {
      this.accounts[owner]!.withdraw(amount);
    },
    balanceOf(this: Bank, owner: string) {
      return this.accounts[owner]!.current();
    },
  },
};

// 2. The patch: a rename, and a derived field computed from the old state.
interface AccountV2 {
  owner: string;
  amount: number;
  overdrawn: boolean;
}

export const accountsV2 = patch("accounts-v2")
  .renameField("Account", "balance", "amount")
  // `initial` derives it for migrated accounts, `default` gives new accounts their value.
  .addField("Account", "overdrawn", {
    default: false,
    initial: (old) => (old.balance as number) < 0,
  })
  .replaceMethods("Account", {
    deposit(this: AccountV2, amount: number) {
      this.amount += amount;
      this.overdrawn = this.amount < 0;
    },
    withdraw(this: AccountV2, amount: number) {
      this.amount -= amount;
      this.overdrawn = this.amount < 0;
    },
    current(this: AccountV2) {
      return this.amount;
    },
  })
  .build();

// 3. The workload: a model of the service (owner → balance) and the calls,
//    as fast-check commands. Each call checks its answer against the model.
type Model = Map<string, number>;
interface Real {
  readonly bank: Bank;
  readonly newAccount: (owner: string) => Account;
}

class Open implements fc.Command<Model, Real> {
  constructor(readonly owner: string) {}
  check = (m: Readonly<Model>) => !m.has(this.owner);
  run(m: Model, r: Real) {
    r.bank.open(r.newAccount(this.owner));
    m.set(this.owner, 0);
  }
  toString = () => `open(${this.owner})`;
}

class Deposit implements fc.Command<Model, Real> {
  constructor(
    readonly owner: string,
    readonly amount: number,
  ) {}
  check = (m: Readonly<Model>) => m.has(this.owner);
  run(m: Model, r: Real) {
    r.bank.deposit(this.owner, this.amount);
    m.set(this.owner, m.get(this.owner)! + this.amount);
  }
  toString = () => `deposit(${this.owner}, ${this.amount})`;
}

class Withdraw implements fc.Command<Model, Real> {
  constructor(
    readonly owner: string,
    readonly amount: number,
  ) {}
  check = (m: Readonly<Model>) => m.has(this.owner);
  run(m: Model, r: Real) {
    r.bank.withdraw(this.owner, this.amount);
    m.set(this.owner, m.get(this.owner)! - this.amount);
  }
  toString = () => `withdraw(${this.owner}, ${this.amount})`;
}

class BalanceOf implements fc.Command<Model, Real> {
  constructor(readonly owner: string) {}
  check = (m: Readonly<Model>) => m.has(this.owner);
  run(m: Model, r: Real) {
    expect(r.bank.balanceOf(this.owner)).toBe(m.get(this.owner));
  }
  toString = () => `balanceOf(${this.owner})`;
}

const owner = fc.constantFrom("ann", "bob", "cy");
const amount = fc.integer({ min: 1, max: 100 });

export const accountWorkload: Workload<Model, Real> = {
  setup(world: LiveWorld) {
    const ns = world.namespace;
    const BankClass = ns.classNamed("Bank") as unknown as new () => Bank;
    const AccountClass = ns.classNamed("Account") as unknown as new (init: {
      owner: string;
    }) => Account;
    return {
      model: new Map(),
      real: { bank: new BankClass(), newAccount: (o) => new AccountClass({ owner: o }) },
    };
  },
  commands: [
    owner.map((o) => new Open(o)),
    fc.tuple(owner, amount).map(([o, n]) => new Deposit(o, n)),
    fc.tuple(owner, amount).map(([o, n]) => new Withdraw(o, n)),
    owner.map((o) => new BalanceOf(o)),
  ],
  // The derived field agrees with the amount on every migrated account
  // (an account not migrated yet, under a lazy update, still has `balance`).
  invariant({ bank }) {
    for (const account of Object.values(bank.accounts) as unknown as Record<string, unknown>[]) {
      if ("amount" in account && account.overdrawn !== (account.amount as number) < 0) {
        return `${String(account.owner)}: overdrawn ${String(account.overdrawn)} with amount ${String(account.amount)}`;
      }
    }
    return true;
  },
};
