import { applyPatches } from "immer";
import { describe, expect, test } from "vitest";
import {
  DuplicateBindingError,
  StaleShadowError,
  UndoError,
  UnknownBindingError,
  UnmanagedClassError,
} from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import { replaceNamespace } from "../../src/index.js";
import { allInstances, Namespace } from "../../src/index.js";
import { cloneNamespace } from "../../src/index.js";
import { collectGarbage } from "../support/v8.js";

type Account = { owner: string; balance: number; deposit(n: number): number; kind(): string };

function bank(finder: "registry" | "heap" = "registry") {
  const ns = new Namespace("bank", { instanceFinder: finder });
  const Account = ns.defineClass<Account>({
    name: "Account",
    fields: [
      { name: "owner", initializer: '""' },
      { name: "balance", initializer: "0" },
    ],
    methods: {
      deposit(this: Account, n: number) {
        this.balance += n;
        return this.balance;
      },
      kind() {
        return "plain";
      },
    },
  });
  return { ns, Account };
}

describe("Namespace", () => {
  test("binds classes, functions and values under a versioned, immutable snapshot", () => {
    const { ns, Account } = bank();
    const config = { limit: 10 };
    ns.define("config", config);
    ns.define("fee", (n: number) => n * 0.01);
    expect(ns.lookup("Account")).toBe(Account);
    expect(ns.lookup("config")).toBe(config);
    expect(Object.isFrozen(config)).toBe(false); // the program's objects are never frozen
    expect(Object.isFrozen(ns.snapshot)).toBe(true);
    expect(ns.version).toBe(3);
    expect(ns.history.map((s) => s.version)).toEqual([0, 1, 2, 3]);
    expect(ns.bindingNames()).toEqual(["Account", "config", "fee"]);
    expect(() => ns.define("config", 1)).toThrow(DuplicateBindingError);
    expect(() => ns.lookup("nope")).toThrow(UnknownBindingError);
    expect(ns.version).toBe(3);
  });

  test("registers ordinary classes: earlier instances become instances of the handle; subclasses need a registered superclass", () => {
    const ns = new Namespace("shop", { instanceFinder: "heap" });
    class Item {
      name = "";
      price = 0;
      label() {
        return `${this.name}: ${this.price}`;
      }
    }
    class Book extends Item {
      isbn = "";
    }
    const early = new Item();
    expect(() => ns.registerClass(Book)).toThrow(UnmanagedClassError);
    const ItemHandle = ns.registerClass(Item);
    const BookHandle = ns.registerClass(Book);
    expect(early).toBeInstanceOf(ItemHandle);
    const b = new BookHandle();
    expect(b).toBeInstanceOf(ItemHandle);
    expect(Object.keys(b)).toEqual(["name", "price", "isbn"]);
    expect(ns.allInstances(ItemHandle)).toEqual([early]);
    expect(ns.allInstances(ItemHandle, { includeSubclasses: true })).toHaveLength(2);
    expect(
      ns.snapshot.bindings.Book?.kind === "class" && ns.snapshot.bindings.Book.definition.fields,
    ).toEqual([{ name: "isbn", initializer: '""' }]);
  });

  test.each(["registry", "heap"] as const)(
    "allInstances (%s) reports live instances only",
    (finder) => {
      const { ns, Account } = bank(finder);
      const kept = [new Account(), new Account()];
      (() => {
        for (let i = 0; i < 50; i++) new Account();
      })();
      collectGarbage();
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          collectGarbage();
          const found = allInstances(Account);
          expect(new Set(found)).toEqual(new Set(kept));
          expect(ns.allInstances(Account)).toHaveLength(2);
          resolve();
        }, 0),
      );
    },
  );

  test("a class not managed by a namespace is refused by allInstances", () => {
    class Loose {}
    expect(() => allInstances(Loose)).toThrow(UnmanagedClassError);
    const { ns } = bank();
    const other = new Namespace("other");
    const Foreign = other.defineClass({ name: "Foreign" });
    expect(() => ns.allInstances(Foreign)).toThrow(UnmanagedClassError);
  });
});

describe("shadows and bulk replace", () => {
  test("nothing done in a shadow is visible before the replace; everything is after; undo restores exactly", () => {
    const { ns, Account } = bank();
    const a = new Account({ owner: "ann", balance: 5 });
    const before = ns.snapshot;
    const shadow = cloneNamespace(ns);
    const v2 = definitionFromSpec({
      name: "Account",
      fields: [
        { name: "owner", initializer: '""' },
        { name: "balance", initializer: "0" },
      ],
      methods: {
        deposit(this: Account, n: number) {
          this.balance += 2 * n;
          return this.balance;
        },
        kind() {
          return "doubled";
        },
      },
    });
    shadow.changeClass("Account", v2);
    const Audit = shadow.addClass(definitionFromSpec({ name: "Audit", fields: ["entries"] }));
    shadow.define("rate", 3);
    // Invisible before commit.
    expect(ns.has("Audit")).toBe(false);
    expect(ns.has("rate")).toBe(false);
    expect(a.kind()).toBe("plain");
    expect(ns.snapshot).toBe(before);
    expect(shadow.lookup("Audit")).toBe(Audit);

    const record = replaceNamespace(ns, shadow);
    expect(a.kind()).toBe("doubled");
    expect(a.deposit(1)).toBe(7);
    expect(ns.lookup("Audit")).toBe(Audit);
    expect(ns.lookup("rate")).toBe(3);
    expect(ns.version).toBe(before.version + 1);
    // The inverse patches take the new bindings back to the old ones.
    expect(
      applyPatches(
        ns.snapshot.bindings,
        record.inversePatches.map((p) => ({ ...p, path: p.path.slice(1) })),
      ),
    ).toEqual(before.bindings);

    record.undo();
    expect(ns.snapshot).toBe(before);
    expect(a.kind()).toBe("plain");
    expect(ns.has("Audit")).toBe(false);
    expect(() => record.undo()).toThrow(UndoError);
  });

  test("a shadow made before another change is stale and refused before anything changes", () => {
    const { ns, Account } = bank();
    const shadow = cloneNamespace(ns);
    shadow.define("x", 1);
    ns.define("y", 2);
    const version = ns.version;
    expect(() => replaceNamespace(ns, shadow)).toThrow(StaleShadowError);
    expect(ns.version).toBe(version);
    expect(ns.has("x")).toBe(false);
    expect(new Account().kind()).toBe("plain");
  });

  test("a shadow made before a rollback and another commit is stale, though the version number is the same again", () => {
    const { ns, Account } = bank();
    const first = cloneNamespace(ns);
    first.define("x", 1);
    const record = replaceNamespace(ns, first);
    const shadow = cloneNamespace(ns);
    shadow.define("fromShadow", 3);
    record.undo();
    const other = cloneNamespace(ns);
    other.define("y", 2);
    replaceNamespace(ns, other);
    expect(ns.version).toBe(shadow.baseVersion);
    expect(() => replaceNamespace(ns, shadow)).toThrow(/has changed since/);
    expect(() => replaceNamespace(ns, shadow)).toThrow(StaleShadowError);
    expect([ns.has("x"), ns.has("y"), ns.has("fromShadow")]).toEqual([false, true, false]);
    expect(new Account().kind()).toBe("plain");
  });

  test("namespaces are isolated: replacing one never touches another's classes", () => {
    const one = bank();
    const two = bank();
    const shadow = cloneNamespace(one.ns);
    shadow.changeClass(
      "Account",
      definitionFromSpec({
        name: "Account",
        fields: ["owner", "balance"],
        methods: {
          kind() {
            return "changed";
          },
        },
      }),
    );
    expect(() => replaceNamespace(two.ns, shadow)).toThrow(StaleShadowError);
    replaceNamespace(one.ns, shadow);
    expect(new two.Account().kind()).toBe("plain");
  });

  test("a shadow's cost follows what changes: unchanged bindings are shared with the live snapshot", () => {
    const ns = new Namespace("big");
    for (let i = 0; i < 200; i++) ns.define(`v${i}`, { i });
    const shadow = cloneNamespace(ns);
    shadow.define("v0", { i: -1 });
    const record = replaceNamespace(ns, shadow);
    expect(record.patches).toHaveLength(1);
    expect(ns.snapshot.bindings.v1).toBe(ns.history[ns.history.length - 2]!.bindings.v1);
  });
});
