/**
 * A private-state update (the export/import hooks) migrates eagerly only. A
 * patch asking for lazy or progressive was applied eagerly with no word
 * (`applied.policy` "eager", no reason): now refused before anything
 * changes, naming the classes and the policy.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, type Policy } from "../../src/index.js";
import { Adoptable, applyUpdate, runUpdate } from "../../src/lifecycle/index.js";

/** A class is managed by one namespace: each world gets its own releases. */
function releases() {
  class Wallet {
    #b = 0;
    constructor(b = 0) {
      this.#b = b;
    }
    static metamorphExport(w: Wallet) {
      return { b: w.#b };
    }
    show() {
      return this.#b;
    }
  }
  class Wallet2 extends Adoptable {
    #c = 0;
    static metamorphImport(w: Wallet2, s: { b: number }) {
      w.#c = s.b * 100;
    }
    show() {
      return this.#c;
    }
  }
  return { Wallet, Wallet2 };
}

function wallets() {
  const { Wallet, Wallet2 } = releases();
  const app = new Namespace("wallets");
  const W = app.registerClass(Wallet);
  return { app, w: new W(42), Wallet2 };
}

describe.each(["lazy", "progressive"] as const)("asked %s", (policy: Policy) => {
  test("in the patch: refused, nothing changed", async () => {
    const { app, w, Wallet2 } = wallets();
    const p = patch("p").replaceImplementation("Wallet", Wallet2).policy(policy).build();
    const report = await runUpdate({ namespace: app, patch: p });
    expect(report.status).toBe("failed");
    expect(report.error).toMatchObject({
      code: "MM_INVALID_PATCH",
      details: { classes: ["Wallet"], policy },
    });
    expect([app.version, w.show()]).toEqual([1, 42]);
  });

  test("in the options: refused, nothing changed", () => {
    const { app, w, Wallet2 } = wallets();
    const p = patch("p").replaceImplementation("Wallet", Wallet2).build();
    expect(() => applyUpdate(app, p, { policy })).toThrow(
      expect.objectContaining({ code: "MM_INVALID_PATCH" }),
    );
    expect([app.version, w.show()]).toEqual([1, 42]);
  });
});

test("eager, asked or by default, adopts the state", () => {
  const { app, w, Wallet2 } = wallets();
  const applied = applyUpdate(app, patch("p").replaceImplementation("Wallet", Wallet2).build());
  expect([applied.policy, w.show()]).toEqual(["eager", 4200]);
});
