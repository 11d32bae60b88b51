/**
 * Objects of a `defineClass` class the program makes without its handle —
 * a deserialiser's `Object.assign(Object.create(Acc.prototype), json)`, or
 * `Object.setPrototypeOf(json, Acc.prototype)` — are instances (instanceof,
 * the class's methods), and the heap finder finds them. The registry records
 * what the handle constructs and nothing else: such an object is unknown to
 * it (and to the adaptive finder while it answers from the registry) until
 * the program records it (`namespace.finder.record`), after which every
 * policy migrates it (review advZ12; docs/design.md, "Finding instances").
 */
import { describe, expect, test } from "vitest";
import { allInstances, Namespace, patch, update, updateSync } from "../../src/index.js";

type Finder = "registry" | "heap" | "adaptive";
type Apply = "updateSync" | "eager" | "lazy" | "progressive";

interface Account {
  balance: number;
  get(): unknown;
}

function world(finder: Finder) {
  const ns = new Namespace("revived", { instanceFinder: finder });
  const Acc = ns.defineClass<Account>({
    name: "Acc",
    fields: [{ name: "balance", initializer: "0" }],
    methods: {
      get(this: Account) {
        return this.balance;
      },
    },
  });
  const built = new Acc({ balance: 1 });
  const created: Account = Object.assign(Object.create(Acc.prototype), JSON.parse('{"balance":7}'));
  const reparented: Account = Object.setPrototypeOf(JSON.parse('{"balance":9}'), Acc.prototype);
  return { ns, Acc, built, revived: [created, reparented] };
}

const rename = patch("amount")
  .renameField("Acc", "balance", "amount")
  .replaceMethods("Acc", {
    get(this: { amount: number }) {
      return this.amount;
    },
  })
  .build();

/** Applies `rename` and waits until no object is left to migrate, touching none. */
async function apply(ns: Namespace, how: Apply): Promise<number> {
  if (how === "updateSync") return updateSync(ns, rename).instancesMigrated;
  const result = await update(ns, rename, { policy: how });
  if (how === "lazy") result.completeMigration();
  await result.completion;
  return result.instancesMigrated;
}

const APPLIES: Apply[] = ["updateSync", "eager", "lazy", "progressive"];

describe("the heap finder", () => {
  test.each(APPLIES)("finds them, and %s migrates them", async (how) => {
    const { ns, Acc, built, revived } = world("heap");
    expect(revived.every((o) => o instanceof Acc && o.get() !== undefined)).toBe(true);
    expect(new Set(allInstances(Acc))).toEqual(new Set([built, ...revived]));
    await apply(ns, how);
    expect([built, ...revived].map((o) => o.get())).toEqual([1, 7, 9]);
    for (const o of [built, ...revived]) expect(Object.keys(o)).toEqual(["amount"]);
  });
});

describe.each<Finder>(["registry", "adaptive"])("the %s finder", (finder) => {
  test("does not know them: the handle constructed them not", () => {
    const { Acc, built, revived } = world(finder);
    expect(revived.every((o) => o instanceof Acc)).toBe(true);
    expect(allInstances(Acc)).toEqual([built]);
  });

  test.each(APPLIES)("knows them once recorded, and %s migrates them", async (how) => {
    const { ns, Acc, built, revived } = world(finder);
    for (const o of revived) ns.finder.record(o);
    expect(new Set(allInstances(Acc))).toEqual(new Set([built, ...revived]));
    await apply(ns, how);
    expect([built, ...revived].map((o) => o.get())).toEqual([1, 7, 9]);
    for (const o of [built, ...revived]) expect(Object.keys(o)).toEqual(["amount"]);
  });
});

describe.each<Finder>(["registry", "heap", "adaptive"])(
  "a subclass the program made of the class, %s finder",
  (finder) => {
    test("an object revived on its prototype and recorded is refused as a constructed one is (MM_UNMANAGED_CLASS), nothing changed", () => {
      const { ns, Acc, built } = world(finder);
      class Special extends (Acc as new () => Account) {}
      // Never constructed: recording it was ignored, and the update committed over it.
      const special: Account = Object.assign(Object.create(Special.prototype), { balance: 5 });
      ns.finder.record(special);
      expect(allInstances(Acc, { includeSubclasses: true })).toContain(special);
      expect(() => updateSync(ns, rename)).toThrow(
        expect.objectContaining({ code: "MM_UNMANAGED_CLASS" }),
      );
      expect([built.get(), special.get()]).toEqual([1, 5]);
      expect([Object.keys(built), Object.keys(special)]).toEqual([["balance"], ["balance"]]);
    });
  },
);
