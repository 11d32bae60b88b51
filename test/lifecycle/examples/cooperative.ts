// Docs example (docs/lifecycle.md): cooperative components (two-phase) and a
// class with private state carried over by its export hook.
import { Namespace, patch } from "../../../src/index.js";
import type { Cooperative } from "../../../src/lifecycle/index.js";
import { Adoptable, runUpdate } from "../../../src/lifecycle/index.js";

export async function main(log: (line: string) => void): Promise<void> {
  // Version 1 ships with an export hook: only code inside the class can read #balance.
  class Wallet {
    #balance = 0;
    owner: string;
    constructor(owner = "") {
      this.owner = owner;
    }
    deposit(amount: number) {
      this.#balance += amount;
    }
    show() {
      return `${this.owner}: ${this.#balance}`;
    }
    static metamorphExport(wallet: Wallet) {
      return { balance: wallet.#balance };
    }
  }
  const app = new Namespace("bank");
  const WalletClass = app.registerClass(Wallet);
  const wallet = new WalletClass("ada");
  wallet.deposit(42);

  // Version 2: private state in cents. `extends Adoptable` lets its private
  // fields be installed on the existing objects; the import hook fills them.
  class Wallet2 extends Adoptable {
    #cents = 0;
    owner = "";
    deposit(amount: number) {
      this.#cents += amount * 100;
    }
    show() {
      return `${this.owner}: ${this.#cents / 100} (${this.#cents} cents)`;
    }
    static metamorphImport(wallet: Wallet2, state: { balance: number }) {
      wallet.#cents = state.balance * 100;
    }
  }

  // A component with pending work: it parks it and hands it over.
  const ledger: Cooperative<{ pending: string[] }> & { pending: string[] } = {
    name: "ledger",
    pending: ["audit"],
    prepareForUpdate() {
      const state = { pending: this.pending };
      this.pending = [];
      return { ready: true, state };
    },
    resumeAfterUpdate(state, notice) {
      this.pending = state?.pending ?? this.pending;
      log(`ledger resumes (committed: ${notice.committed}) with ${this.pending.join(", ")}`);
    },
  };

  const report = await runUpdate({
    namespace: app,
    patch: patch("cents").replaceImplementation("Wallet", Wallet2).build(),
    components: [ledger],
    transferState: (state) => ({
      pending: [...(state as { pending: string[] }).pending, "recount"],
    }),
  });
  log(`${report.status}: ${wallet.show()}`);
  wallet.deposit(1);
  log(wallet.show());
  log(`objects still holding v1's private fields: ${report.retirement?.retiredPrivateState}`);

  // Without an export hook, the update is refused before anything changes.
  class Vault {
    #code = 1234;
    check(code: number) {
      return code === this.#code;
    }
  }
  const VaultClass = app.registerClass(Vault);
  class Vault2 extends Adoptable {
    #code = 0;
    check(code: number) {
      return code === this.#code;
    }
  }
  const refused = await runUpdate({
    namespace: app,
    patch: patch("vault").replaceImplementation("Vault", Vault2).build(),
  });
  log(`${refused.status}: ${(refused.error as { code: string }).code}`);
  log(`still works: ${new VaultClass().check(1234)}`);
}
