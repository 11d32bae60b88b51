/**
 * A method's source names the method: a function reused from another object
 * under another key (`addMethods("Account", { grandTotal: reports.total })`)
 * printed as `total() { … }`, and the class body compiled from it replaced
 * `total` on every object and added no `grandTotal`, while the patch's
 * summary said "add method grandTotal()". And names a class body treats
 * specially are no method names.
 */
import { expect, test } from "vitest";
import { Namespace, Patch, patch, updateSync } from "../../src/index.js";

function account() {
  const ns = new Namespace("bank");
  const Account = ns.defineClass({
    name: "Account",
    fields: [{ name: "balance", initializer: "100" }],
    methods: {
      total(this: { balance: number }) {
        return this.balance;
      },
    },
  });
  return { ns, acct: new Account() as unknown as Record<string, () => unknown> };
}

test("a method reused under another key is added under that key (the builder renames its source)", () => {
  const { ns, acct } = account();
  const reports = {
    total() {
      return -1;
    },
    get size() {
      return 7;
    },
  };
  const p = patch("reuse").addMethods("Account", { grandTotal: reports.total }).build();
  updateSync(ns, p);
  expect([acct.total!(), acct.grandTotal!()]).toEqual([100, -1]);
  expect(p.summary()).toContain("add method grandTotal()");
});

test("a JSON patch whose method source names another method is refused before anything changes", () => {
  const { ns, acct } = account();
  const json = {
    format: "metamorph.patch/1",
    name: "mismatch",
    operations: [
      {
        op: "addMethod",
        className: "Account",
        method: { key: "helper", kind: "method", static: false, source: "total() { return 0; }" },
      },
    ],
  };
  expect(() => updateSync(ns, Patch.fromJSON(json, { trust: "in-process" }).hydrate())).toThrow(
    expect.objectContaining({
      code: "MM_INVALID_PATCH",
      message: expect.stringContaining("defines total()"),
    }),
  );
  expect(acct.total!()).toBe(100);
});

test.each([
  ["constructor", false],
  ["__proto__", false],
])("an instance method named %s is refused", (key) => {
  const { ns } = account();
  expect(() =>
    updateSync(
      ns,
      patch("bad")
        .addMethods("Account", {
          [key]() {
            return 1;
          },
        })
        .build(),
    ),
  ).toThrow(expect.objectContaining({ code: "MM_INVALID_PATCH" }));
});

test("a class registered again while another namespace runs another version of it is refused", () => {
  class Counter {
    n = 0;
    inc() {
      return ++this.n;
    }
  }
  class CounterV2 {
    n = 0;
    inc() {
      return (this.n += 10);
    }
  }
  Object.defineProperty(CounterV2, "name", { value: "Counter" });
  const a = new Namespace("tenant-a");
  a.registerClass(Counter);
  updateSync(a, patch("v2").replaceImplementation("Counter", CounterV2).build());
  expect(() => new Namespace("tenant-b").registerClass(Counter)).toThrow(
    expect.objectContaining({
      code: "MM_DUPLICATE_BINDING",
      message: expect.stringContaining("namespace tenant-a"),
    }),
  );
});

test("a method named beyond ASCII keeps its name; a reused one takes its key", () => {
  const { ns, acct } = account();
  const helpers = {
    größe(this: { balance: number }) {
      return this.balance * 2;
    },
  };
  updateSync(
    ns,
    patch("unicode").addMethods("Account", { größe: helpers.größe, café: helpers.größe }).build(),
  );
  expect([acct.größe!(), acct.café!()]).toEqual([200, 200]);
});
