/**
 * runUpdate waits (quiescence, hooks) between its call and its apply step; if
 * the version it was asked on is rolled back meanwhile — an earlier lazy
 * update rolling itself back at a first touch — the run fails with
 * MM_STALE_SHADOW and nothing changed, as update() does
 * (src/migration/phases/requested.ts). It reported "committed" over the
 * world before the earlier update, and every object answered "undefined/n"
 * (review advZ12, found again in the lifecycle by fixU2).
 */
import { expect, test } from "vitest";
import { Namespace, patch, update } from "../../src/index.js";
import { runUpdate } from "../../src/lifecycle/index.js";

interface Account {
  id: number;
  balance: number;
  get(): unknown;
}

async function race(touch: boolean, failOn2 = true) {
  const ns = new Namespace("accounts");
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
  const first = await update(
    ns,
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
      .build(),
    { policy: "lazy" },
  );
  first.completion.catch(() => {});
  const run = runUpdate({
    namespace: ns,
    patch: patch("p2")
      .addField("Acc", "note", { default: "n" })
      .replaceMethods("Acc", {
        get(this: { amount: number; note: string }) {
          return `${this.amount}/${this.note}`;
        },
      })
      .build(),
  });
  // A request touches #2 while the run waits: p1 rolls itself back.
  if (touch) expect(objects[2]!.get()).toBe(21);
  const report = await run;
  return { ns, objects, report };
}

test("an earlier lazy update rolled back while the run waits: refused, nothing changed", async () => {
  const { ns, objects, report } = await race(true);
  expect(report.status).toBe("failed");
  expect(report.error).toMatchObject({
    code: "MM_STALE_SHADOW",
    details: { patch: "p2", requestedVersion: 2, version: 1 },
  });
  expect(ns.version).toBe(1);
  expect(objects.map((o) => o.get())).toEqual([1, 11, 21, 31]);
});

test("an earlier lazy update still pending is completed first, and the run commits over it", async () => {
  const { ns, objects, report } = await race(true, false);
  expect(report.status).toBe("committed");
  expect(ns.version).toBe(3);
  expect(objects.map((o) => o.get())).toEqual(["1/n", "11/n", "21/n", "31/n"]);
});
