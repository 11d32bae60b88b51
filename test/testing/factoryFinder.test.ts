/**
 * A `namespace:` factory that registers its classes plainly
 * (`ns.registerClass(Account)`) switched every world's namespace to the heap
 * finder, so each update of each run made a heap query: a check of 5 runs
 * per property took 44 s instead of 1.7 s. The kit builds its worlds'
 * instances through the handles and registers the factory's classes as
 * such; what it builds otherwise (a `construct` through a static factory)
 * it records, so the update still finds every instance. The workload
 * property, which runs the program's own calls, gets the namespace as the
 * factory writes it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Workload } from "../../src/testing/index.js";
import { Namespace, patch } from "../../src/index.js";
import { checkMigration, formatMigrationReport } from "../../src/testing/index.js";

interface Made {
  readonly namespaces: Namespace[];
  readonly factory: () => Namespace;
}

function plainFactory(
  options?: { constructedOnlyThroughHandle: boolean },
  opensItself = false,
): Made {
  const namespaces: Namespace[] = [];
  const factory = () => {
    const ns = new Namespace("plain");
    const cls = opensItself
      ? class Account {
          balance = 0;
          owner = "";
          static open(owner: string) {
            // The class itself, not the handle: the registry never sees this construction.
            const a = new Account();
            a.owner = owner;
            return a;
          }
        }
      : class Account {
          balance = 0;
          owner = "";
        };
    if (options) ns.registerClass(cls, options);
    else ns.registerClass(cls);
    namespaces.push(ns);
    return ns;
  };
  return { namespaces, factory };
}

const v2 = patch("v2").renameField("Account", "balance", "amount").build();
const kept = (old: Record<string, unknown>, now: Record<string, unknown>) =>
  now.amount === old.balance || `amount ${String(now.amount)} for balance ${String(old.balance)}`;

describe("a namespace factory that registers its classes plainly", () => {
  test("its worlds answer updates from the registry, not with a heap query per update", async () => {
    const made = plainFactory();
    const report = await checkMigration(v2, {
      namespace: made.factory,
      postcondition: kept,
      properties: ["totality", "policy-independence", "postcondition"],
      seed: 5,
      numRuns: 5,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
    const kinds = made.namespaces.map((ns) => ns.finder.kind);
    expect(kinds.filter((k) => k === "registry").length).toBeGreaterThan(10);
    // One namespace as written, read once for the classes its own code builds.
    expect(kinds.filter((k) => k === "heap")).toHaveLength(1);
  });

  test("a class whose own code builds its instances stays as written: what `construct` builds so is migrated", async () => {
    const made = plainFactory(undefined, true);
    const report = await checkMigration(v2, {
      namespace: made.factory,
      construct: {
        Account: ({ owner, balance }, Class) => {
          const a = (Class as unknown as { open(o: unknown): Record<string, unknown> }).open(owner);
          a.balance = balance;
          return a;
        },
      },
      postcondition: kept,
      properties: ["postcondition"],
      minInstances: 1,
      seed: 6,
      // The heap query per update: few runs.
      numRuns: 3,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
    expect(new Set(made.namespaces.map((ns) => ns.finder.kind))).toEqual(new Set(["heap"]));
  });

  test("a factory that says constructedOnlyThroughHandle: false is taken at its word", async () => {
    const made = plainFactory({ constructedOnlyThroughHandle: false });
    await checkMigration(v2, {
      namespace: made.factory,
      properties: ["totality"],
      seed: 5,
      numRuns: 2,
      minChecked: 0,
    });
    expect(new Set(made.namespaces.map((ns) => ns.finder.kind))).toEqual(new Set(["heap"]));
  });

  test("the workload runs in the namespace as written: accounts its calls open with the class itself migrate", async () => {
    const made = plainFactory(undefined, true);
    type Real = { accounts: Record<string, unknown>[]; open(owner: string): void };
    const open = fc.constantFrom("ann", "bob").map((owner) => ({
      check: () => true,
      run: (_m: object, r: Real) => r.open(owner),
      toString: () => `open(${owner})`,
    }));
    const workload: Workload<object, Real> = {
      setup(world) {
        const Account = world.namespace.classNamed("Account") as unknown as {
          open(o: string): Record<string, unknown>;
        };
        const accounts: Record<string, unknown>[] = [];
        return { model: {}, real: { accounts, open: (o) => void accounts.push(Account.open(o)) } };
      },
      commands: [open],
      invariant: ({ accounts }, world) =>
        world.namespace.version === 0 ||
        accounts.every((a) => "amount" in a || `${String(a.owner)} not migrated`),
    };
    const report = await checkMigration(v2, {
      namespace: made.factory,
      workload: workload as Workload<object, unknown>,
      properties: ["workload"],
      instantiate: [],
      seed: 7,
      numRuns: 5,
    });
    expect(report.ok, formatMigrationReport(report)).toBe(true);
  });
});
