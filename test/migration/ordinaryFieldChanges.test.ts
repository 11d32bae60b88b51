/**
 * Issue 16, item 3: field operations on an ordinary class (one the program
 * wrote and registered) work directly. The engine derives the new version
 * from the running one: construction runs the program's constructor, then
 * the field change; unchanged methods stay the running ones (closures
 * intact); name, statics and `instanceof` are kept; rollback restores both
 * the objects and construction.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;

/** A module-level helper: recompiling a method from its source would lose it. */
const double = (n: number) => n * 2;
const hook = () => "hooked";

type Acct = {
  owner: string;
  balance?: number;
  amount?: number;
  currency?: string;
  months?: number;
  hook?: () => string;
  twice(): number;
  readonly label: string;
};

/** A fresh class per test: a registered ordinary class keeps its own prototype. */
function accountClass() {
  class Account {
    owner: string;
    balance: number;
    months = 12;
    declare hook?: () => string;
    static KIND = "account";
    constructor(owner: string, balance = 0, options: { hook?: () => string } = {}) {
      this.owner = owner;
      this.balance = balance;
      if (options.hook) this.hook = options.hook;
    }
    twice(): number {
      return double(this.balance);
    }
    get label(): string {
      return `${this.owner}!`;
    }
    static open(owner: string) {
      return `opened ${owner}`;
    }
  }
  return Account;
}

function bank() {
  const ns = new Namespace("bank");
  const Account = ns.registerClass(accountClass());
  const Make = Account as unknown as new (
    owner: string,
    balance?: number,
    options?: { hook?: () => string },
  ) => Acct;
  const old = [new Make("ann", 10, { hook }), new Make("bob", 5)];
  return { ns, Account, Make, old };
}

const v2 = (policy: (typeof POLICIES)[number] = "eager") =>
  patch("v2")
    .renameField("Account", "balance", "amount")
    .addField("Account", "currency", { default: "EUR" })
    .removeField("Account", "months")
    .replaceMethods("Account", {
      twice(this: { amount: number }) {
        return this.amount * 2;
      },
    })
    .policy(policy)
    .build();

describe.each(POLICIES)("field operations on an ordinary class (%s)", (policy) => {
  test("old objects migrate; new ones run the constructor, then the field change", () => {
    const { ns, Account, Make, old } = bank();
    const result = updateSync(ns, v2(policy));
    for (const o of old) o.twice();
    expect(old.map((o) => ({ ...o }))).toEqual([
      { owner: "ann", amount: 10, currency: "EUR", hook },
      { owner: "bob", amount: 5, currency: "EUR" },
    ]);
    const fresh = new Make("cy", 7, { hook });
    expect(fresh).toBeInstanceOf(Account);
    expect(Object.getPrototypeOf(fresh)).toBe(Object.getPrototypeOf(old[0]));
    expect({ ...fresh }).toEqual({ owner: "cy", amount: 7, currency: "EUR", hook });
    expect("balance" in fresh || "months" in fresh).toBe(false);
    expect(fresh.twice()).toBe(14);
    expect(fresh.label).toBe("cy!");
    expect(Account.name).toBe("Account");
    expect((Account as unknown as { KIND: string }).KIND).toBe("account");
    expect((Account as unknown as { open(o: string): string }).open("dee")).toBe("opened dee");
    result.rollback();
    expect(old.map((o) => ({ ...o }))).toEqual([
      { owner: "ann", balance: 10, months: 12, hook },
      { owner: "bob", balance: 5, months: 12 },
    ]);
    const after = new Make("eve", 3);
    expect({ ...after }).toEqual({ owner: "eve", balance: 3, months: 12 });
    expect(after.twice()).toBe(6);
  });
});

describe("the derived version keeps what the patch does not change", () => {
  test("a method the patch leaves alone keeps its closure (a module-level helper)", () => {
    const { ns, Make } = bank();
    updateSync(ns, patch("add").addField("Account", "note", { default: "" }).build());
    const fresh = new Make("fay", 21);
    expect(fresh.twice()).toBe(42);
    expect({ ...fresh }).toEqual({ owner: "fay", balance: 21, months: 12, note: "" });
  });

  test("members assigned to the prototype or the class after its body stay, and a patch may replace or remove them", () => {
    const make = () => {
      class Item {
        constructor(public n: number) {}
        who() {
          return `who ${this.n}`;
        }
      }
      (Item.prototype as unknown as Record<string, unknown>).helper = function (this: Item) {
        return `helper ${this.n}`;
      };
      (Item as unknown as Record<string, unknown>).create = (n: number) => new Item(n);
      return Item as typeof Item & { create(n: number): Item };
    };
    type Helped = { helper?(): string; z?: number };
    const Item = make();
    const ns = new Namespace("assigned-after-body");
    ns.registerClass(Item);
    const a = new Item(1) as InstanceType<typeof Item> & Helped;
    const added = updateSync(ns, patch("f").addField("Item", "z", { default: 1 }).build());
    expect([a.helper?.(), a.z, (Item.create(2) as Helped).helper?.()]).toEqual([
      "helper 1",
      1,
      "helper 2",
    ]);
    added.makePermanent();
    updateSync(
      ns,
      patch("replaced")
        .replaceMethods("Item", {
          helper(this: { n: number }) {
            return `new helper ${this.n}`;
          },
        })
        .addField("Item", "y", { default: 0 })
        .build(),
    ).makePermanent();
    expect(a.helper?.()).toBe("new helper 1");
    updateSync(ns, patch("removed").removeMethod("Item", "helper").build());
    expect(a.helper).toBeUndefined();
  });

  test("a methods-only patch keeps the program's constructor (its parameters and conditional fields)", () => {
    const { ns, Make } = bank();
    updateSync(
      ns,
      patch("m")
        .replaceMethods("Account", {
          twice(this: { balance: number }) {
            return this.balance * 20;
          },
        })
        .build(),
    );
    const fresh = new Make("gus", 2, { hook });
    expect({ ...fresh }).toEqual({ owner: "gus", balance: 2, months: 12, hook });
    expect(fresh.twice()).toBe(40);
  });

  test("two updates in turn derive from each other, and roll back in turn", () => {
    const { ns, Make, old } = bank();
    const first = updateSync(ns, patch("a").addField("Account", "x", { default: 1 }).build());
    const second = updateSync(ns, patch("b").renameField("Account", "x", "y").build());
    expect({ ...new Make("hal", 4) }).toEqual({ owner: "hal", balance: 4, months: 12, y: 1 });
    expect(old[1]).toEqual(expect.objectContaining({ y: 1 }));
    second.rollback();
    expect({ ...new Make("hal", 4) }).toEqual({ owner: "hal", balance: 4, months: 12, x: 1 });
    first.rollback();
    expect({ ...new Make("hal", 4) }).toEqual({ owner: "hal", balance: 4, months: 12 });
    expect({ ...old[1] }).toEqual({ owner: "bob", balance: 5, months: 12 });
  });

  test("the user's class object is not touched", () => {
    const ns = new Namespace("bank");
    const cls = accountClass();
    const before = Reflect.ownKeys(cls).map(String);
    const methods = Reflect.ownKeys(cls.prototype).map(String);
    ns.registerClass(cls);
    updateSync(ns, patch("add").addField("Account", "note").build());
    expect(Reflect.ownKeys(cls).map(String)).toEqual(before);
    expect((cls as unknown as { KIND: string }).KIND).toBe("account");
    expect(Reflect.ownKeys(cls.prototype).map(String)).toEqual(methods);
  });
});

describe("ordinary subclasses of a class whose fields change", () => {
  function accounts(extendHandle: boolean) {
    const ns = new Namespace("bank");
    class Account {
      owner: string;
      balance = 0;
      constructor(owner: string) {
        this.owner = owner;
      }
    }
    const A = ns.registerClass(Account);
    const Base = (extendHandle ? A : Account) as typeof Account;
    class Savings extends Base {
      rate: number;
      constructor(owner: string, rate: number) {
        super(owner);
        this.rate = rate;
      }
    }
    const S = ns.registerClass(Savings);
    return { ns, A, S, old: new S("ann", 2) };
  }

  test.each([
    ["the class itself", false],
    ["its handle", true],
  ])(
    "a subclass extending %s gets the new layout, old and fresh objects alike",
    (_, extendHandle) => {
      const { ns, A, S, old } = accounts(extendHandle);
      const result = updateSync(
        ns,
        patch("v2")
          .renameField("Account", "balance", "amount")
          .addField("Account", "currency", { default: "EUR" })
          .build(),
      );
      const layout = ["owner", "amount", "currency", "rate"];
      expect(Object.keys(old)).toEqual(layout);
      const fresh = new S("bob", 3);
      expect(Object.keys(fresh)).toEqual(layout);
      expect({ ...fresh }).toEqual({ owner: "bob", amount: 0, currency: "EUR", rate: 3 });
      expect(fresh).toBeInstanceOf(A);
      expect({ ...new A("cy") }).toEqual({ owner: "cy", amount: 0, currency: "EUR" });
      result.rollback();
      expect({ ...old }).toEqual({ owner: "ann", balance: 0, rate: 2 });
      expect({ ...new S("dee", 1) }).toEqual({ owner: "dee", balance: 0, rate: 1 });
    },
  );
});

test("a field operation on a class with a conditional field: carried, constructed, and warned about", () => {
  class Store {
    declare items: Map<string, number>;
    declare onDrop?: () => void;
    constructor(o: { onDrop?: () => void } = {}) {
      this.items = new Map();
      if (o.onDrop) this.onDrop = o.onDrop;
    }
  }
  const ns = new Namespace("cache");
  const S = ns.registerClass(Store);
  const old = new S({ onDrop: hook });
  const result = updateSync(ns, patch("v2").addField("Store", "drops", { default: 0 }).build());
  expect({ ...old }).toEqual({ items: new Map(), drops: 0, onDrop: hook });
  expect({ ...new S({ onDrop: hook }) }).toEqual({ items: new Map(), onDrop: hook, drops: 0 });
  expect(result.warnings).toEqual([
    expect.objectContaining({ code: "MM_UNSEEN_STATE", className: "Store", field: "onDrop" }),
    // `new Store()` by the class itself (not the handle) builds the old fields.
    expect.objectContaining({
      code: "MM_CLASS_BUILDS_OLD_LAYOUT",
      className: "Store",
      message: expect.stringContaining("lack `drops`"),
    }),
  ]);
});

test("a class whose static initialisers construct it takes a field change: its statics keep their objects, and no initialiser runs again", () => {
  let constructed = 0;
  class Config {
    static main = new Config("main");
    static all = [Config.main];
    constructor(public label: string) {
      constructed++;
    }
  }
  const ns = new Namespace("statics", { instanceFinder: "heap" });
  const Handle = ns.registerClass(Config);
  const other = new Handle("other");
  const main = Config.main;
  const before = constructed;
  for (const policy of POLICIES) {
    const result = updateSync(
      ns,
      patch(`shade ${policy}`)
        .addField("Config", `shade_${policy}`, { default: 1 })
        .policy(policy)
        .build(),
    );
    expect(result.outcome).toBe("committed");
    result.completeMigration();
    expect((Handle as unknown as { main: Config }).main).toBe(main);
    expect((main as unknown as Record<string, unknown>)[`shade_${policy}`]).toBe(1);
    expect((other as unknown as Record<string, unknown>)[`shade_${policy}`]).toBe(1);
  }
  expect(constructed).toBe(before);
});

test("a subclass declaring again a field of its superclass (p2-es's `GSSolver { type = Solver.GS }`) is no duplicate: updates of either class apply", () => {
  class Solver {
    type = 1;
    eq: number[] = [];
    solve() {
      return this.type;
    }
  }
  class GS extends Solver {
    override type = 2;
    it = 10;
  }
  const ns = new Namespace("redeclared");
  const S = ns.registerClass(Solver);
  ns.registerClass(GS);
  expect(readClassDefinition(GS).fields.map((f) => f.name)).toEqual(["it"]);
  const g = new GS();
  updateSync(
    ns,
    patch("subclass")
      .replaceImplementation(
        "GS",
        class GS extends S {
          override type = 2;
          it = 10;
          tol = 1e-7;
        },
      )
      .build(),
  );
  updateSync(
    ns,
    patch("superclass")
      .replaceImplementation(
        "Solver",
        class Solver {
          type = 1;
          eq: number[] = [];
          sorted = false;
          solve() {
            return this.type;
          }
        },
      )
      .build(),
  );
  expect([Object.keys(g), g.solve(), new GS().solve()]).toEqual([
    ["type", "eq", "sorted", "it", "tol"],
    2,
    2,
  ]);
});

test("a patch taking out of the superclass a field a subclass declares again is refused before anything changes, the subclass's objects keeping it", () => {
  class Solver {
    type = 1;
    solve() {
      return this.type;
    }
  }
  class GS extends Solver {
    override type = 2;
    it = 10;
  }
  const ns = new Namespace("redeclared-dropped");
  ns.registerClass(Solver);
  const G = ns.registerClass(GS);
  const g = new G();
  for (const p of [
    patch("drop").removeField("Solver", "type"),
    patch("release").replaceImplementation(
      "Solver",
      class Solver {
        solve() {
          return (this as unknown as { type?: number }).type;
        }
      },
    ),
  ]) {
    expect(() => updateSync(ns, p.build())).toThrow(
      /^class GS declares field "type" again over a superclass's .* so GS's objects would lose it/,
    );
    expect([Object.keys(g), g.solve()]).toEqual([["type", "it"], 2]);
  }
});

test.each([
  [
    "a named function expression",
    (p: Record<string, unknown>) =>
      (p.m = function helper() {
        return "h";
      }),
    "h",
  ],
  [
    "a generator",
    (p: Record<string, unknown>) =>
      (p.m = function* () {
        yield "g";
      }),
    "g",
  ],
  ["an arrow", (p: Record<string, unknown>) => (p.m = () => "a"), "a"],
  [
    "a shared built-in function",
    (p: Record<string, unknown>) => (p.m = Object.prototype.toString),
    "[object Object]",
  ],
] as const)(
  "a field patch on a class given %s on its prototype after its body compiles, and keeps that member",
  (_, add, answer) => {
    class Item {
      x = 1;
    }
    add(Item.prototype as unknown as Record<string, unknown>);
    const ns = new Namespace("members-after-body");
    const I = ns.registerClass(Item);
    const o = new I() as unknown as { m(): unknown; y?: number };
    updateSync(ns, patch("p").addField("Item", "y", { default: 2 }).build());
    const got = o.m();
    expect([typeof got === "object" ? (got as Iterator<string>).next().value : got, o.y]).toEqual([
      answer,
      2,
    ]);
  },
);
