/**
 * Issue 12, engine items: each test is named after its item and asserts the
 * exact state afterwards (values, identities, prototypes, namespace version),
 * for both instance finders where instances are found.
 */
import { describe, expect, test } from "vitest";
import { InvalidPatchError, MigrationError } from "../../src/index.js";
import { InvalidOptionError, NestedUpdateError } from "../../src/index.js";
import type { UpdateEvent } from "../../src/index.js";
import { update, updateSync } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { patch } from "../../src/index.js";
import type { Patch } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

type Item = { id: number; price: number; bump(): number; read(): number };
const FINDERS = ["registry", "heap"] as const;

function shop(finder: (typeof FINDERS)[number], n = 5) {
  const ns = new Namespace("shop", { instanceFinder: finder });
  const Item = ns.defineClass<Item>({
    name: "Item",
    fields: [
      { name: "id", initializer: "0" },
      { name: "price", initializer: "0" },
    ],
    methods: {
      bump(this: Item) {
        return ++this.price;
      },
      read(this: Item) {
        return this.price;
      },
    },
  });
  const items = Array.from({ length: n }, (_, i) => new Item({ id: i, price: i + 1.5 }));
  return { ns, Item, items, proto: Object.getPrototypeOf(items[0]!) as object };
}

/** Renames price → cost, with a migrator that throws on item `failOn` (when given). */
function renamePrice(policy: "eager" | "lazy" | "progressive", failOn?: number): Patch {
  return patch("cost")
    .renameField("Item", "price", "cost")
    .migrate("Item", function failOnOne(old) {
      if (old.id === failOn) throw new Error(`item ${failOn} cannot be migrated`);
    })
    .replaceMethods("Item", {
      bump(this: { cost: number }) {
        return (this.cost += 100);
      },
      read(this: { cost: number }) {
        return this.cost;
      },
    })
    .policy(policy)
    .build();
}

type Shop = ReturnType<typeof shop>;

/** Every item back on the old version: its own fields, values, prototype, fast mode. */
function expectOldVersion(world: Shop, version: number, prices: readonly number[]) {
  expect(world.ns.version).toBe(version);
  world.items.forEach((item, i) => {
    expect(Object.keys(item)).toEqual(["id", "price"]);
    expect({ ...item }).toEqual({ id: i, price: prices[i] });
    expect(Object.getPrototypeOf(item)).toBe(world.proto);
    expect(hasFastProperties(item)).toBe(true);
  });
  // The old methods are installed again, without guards.
  expect(world.items[0]!.read()).toBe(prices[0]);
  expect(new world.Item({ id: 9, price: 2 }).bump()).toBe(3);
}

/**
 * An update of `world` started from inside another one (a migrator, a
 * validation, a health check): `start` records what it threw and throws it on.
 */
function nestedUpdate(world: Shop): { start(): void; readonly error: unknown } {
  const attempt = {
    error: undefined as unknown,
    start(): void {
      try {
        updateSync(world.ns, patch("inner").addField("Item", "w").build());
      } catch (error) {
        attempt.error = error;
        throw error;
      }
    },
  };
  return attempt;
}

const initialPrices = (n = 5) => Array.from({ length: n }, (_, i) => i + 1.5);

describe.each(FINDERS)(
  "item 2: lazy and progressive updates are transactional until complete (%s finder)",
  (finder) => {
    test("item 2: a failure at first touch rolls the update back before the call, which runs on the old version", async () => {
      const world = shop(finder);
      const version = world.ns.version;
      const events: UpdateEvent[] = [];
      const result = updateSync(world.ns, renamePrice("lazy", 3), {
        onEvent: (e) => events.push(e),
      });
      expect(result.state()).toBe("committed");
      expect(world.items[1]!.bump()).toBe(102.5); // migrated, runs v2
      // The triggering call: migration fails, everything goes back, the call runs on v1.
      expect(world.items[3]!.bump()).toBe(5.5);
      expect(result.state()).toBe("rolled-back");
      const prices = initialPrices();
      prices[1] = 102.5; // written since the commit to a field both versions have: kept
      prices[3] = 5.5;
      expectOldVersion(world, version, prices);
      const error = await result.completion.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).details).toMatchObject({
        object: world.items[3],
        className: "Item",
        migrators: ["failOnOne"],
        during: "first-touch",
      });
      expect(events).toContainEqual(
        expect.objectContaining({
          phase: "rollback",
          status: "end",
          detail: expect.objectContaining({ reason: "migration-failed", during: "first-touch" }),
        }),
      );
      expect(result.pendingInstances()).toBe(0);
    });

    test("item 2: a failure in the progressive sweep rolls the update back and completion rejects", async () => {
      const world = shop(finder, 50);
      const version = world.ns.version;
      const result = updateSync(world.ns, renamePrice("progressive", 37), { sliceSize: 10 });
      const error = await result.completion.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).details).toMatchObject({
        object: world.items[37],
        during: "sweep",
      });
      expect(result.state()).toBe("rolled-back");
      expectOldVersion(world, version, initialPrices(50));
    });

    test("item 2: a failure in completeMigration rolls the update back and reports it", async () => {
      const world = shop(finder);
      const version = world.ns.version;
      const result = updateSync(world.ns, renamePrice("lazy", 4));
      world.items[0]!.read(); // one object migrated before
      const done = result.completeMigration();
      expect(done.failed).toHaveLength(1);
      expect(done.failed[0]!.object).toBe(world.items[4]);
      expect(result.state()).toBe("rolled-back");
      expectOldVersion(world, version, initialPrices());
      await expect(result.completion).rejects.toMatchObject({
        code: "MM_MIGRATION_FAILED",
        details: expect.objectContaining({ during: "complete" }),
      });
      // A rolled-back update cannot be rolled back again, nor made permanent.
      expect(() => result.rollback()).toThrow(/rolled-back/);
    });

    test("item 2: a frozen object at first touch rolls the update back; the call runs on the old version", () => {
      const world = shop(finder);
      const version = world.ns.version;
      Object.freeze(world.items[2]);
      const result = updateSync(world.ns, renamePrice("lazy"));
      expect(world.items[0]!.bump()).toBe(101.5);
      expect(world.items[2]!.read()).toBe(3.5);
      expect(result.state()).toBe("rolled-back");
      const prices = initialPrices();
      prices[0] = 101.5;
      expect(world.ns.version).toBe(version);
      expect(world.items.map((item) => ({ ...item }))).toEqual(
        prices.map((price, id) => ({ id, price })),
      );
    });

    test("item 2: a successful lazy completion resolves completion", async () => {
      const world = shop(finder);
      const result = updateSync(world.ns, renamePrice("lazy"));
      result.completeMigration();
      await expect(result.completion).resolves.toMatchObject({ migrated: 5, failed: [] });
      expect(world.items.map((i) => ({ ...i }))).toEqual(
        initialPrices().map((cost, id) => ({ id, cost })),
      );
    });
  },
);

describe.each(FINDERS)(
  "item 3: an earlier lazy update that cannot complete (%s finder)",
  (finder) => {
    test("item 3: a later update rolls the earlier one back and is refused; no value is lost", () => {
      const world = shop(finder);
      const version = world.ns.version;
      const earlier = updateSync(world.ns, renamePrice("lazy", 3));
      expect(world.items[0]!.bump()).toBe(101.5);
      const later = patch("z")
        .addField("Item", "z", { defaultSource: "0" })
        .policy("eager")
        .build();
      let error: unknown;
      try {
        updateSync(world.ns, later);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).details).toMatchObject({ earlier: "cost", patch: "z" });
      expect(earlier.state()).toBe("rolled-back");
      const prices = initialPrices();
      prices[0] = 101.5;
      expectOldVersion(world, version, prices);
      expect(world.items[3]!.price).toBe(4.5);
    });
  },
);

describe("item 5: asynchronous migrators are refused before anything changes", () => {
  test("item 5: an async migrator or initialiser is refused at build", () => {
    for (const policy of ["eager", "lazy"] as const) {
      const world = shop("registry");
      const version = world.ns.version;
      const withMigrator = patch("async")
        .addField("Item", "vat", { defaultSource: "0" })
        .migrate("Item", async (_old, target) => {
          target.vat = 1;
        })
        .policy(policy)
        .build();
      expect(() => updateSync(world.ns, withMigrator)).toThrow(InvalidPatchError);
      const withInitial = patch("async")
        .addField("Item", "vat", { initial: async () => 1 })
        .policy(policy)
        .build();
      expect(() => updateSync(world.ns, withInitial)).toThrow(/async function/);
      expectOldVersion(world, version, initialPrices());
    }
  });

  test("item 5: a migrator that returns a rejecting promise is refused (eager) and no rejection goes unhandled", async () => {
    const world = shop("registry");
    const version = world.ns.version;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const p = patch("promise")
        .addField("Item", "vat", { defaultSource: "0" })
        .migrate("Item", (() => Promise.reject(new Error("late"))) as () => void)
        .build();
      expect(() => updateSync(world.ns, p)).toThrow(/returned a promise/);
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
      expectOldVersion(world, version, initialPrices());
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

test("a field that holds a promise is carried over, not refused as an asynchronous initialiser (yjs Doc.whenLoaded), with a migrator and a validation", () => {
  class Doc {
    ready: Promise<string> = Promise.resolve("loaded");
    count = 1;
  }
  const ns = new Namespace("promise-field");
  const D = ns.registerClass(Doc);
  const doc = new D();
  const ready = doc.ready;
  updateSync(
    ns,
    patch("up")
      .addField("Doc", "extra", { default: 0 })
      .migrate("Doc", (old, target) => {
        target.extra = (old.count as number) + 1;
      })
      .validateInstances("ready kept", "Doc", (o) => o.ready === ready)
      .build(),
  );
  expect([doc.ready === ready, (doc as unknown as { extra: number }).extra]).toEqual([true, 2]);
});

describe("item 7: nested updates are refused with a typed error", () => {
  test("item 7: an update started from a migrator is refused; the outer one is refused; nothing changed", () => {
    const world = shop("registry");
    const version = world.ns.version;
    const inner = nestedUpdate(world);
    const outer = patch("outer")
      .addField("Item", "vat", { defaultSource: "0" })
      .migrate("Item", () => {
        inner.start();
      })
      .build();
    expect(() => updateSync(world.ns, outer)).toThrow(MigrationError);
    expect(inner.error).toBeInstanceOf(NestedUpdateError);
    expect((inner.error as NestedUpdateError).code).toBe("MM_NESTED_UPDATE");
    expectOldVersion(world, version, initialPrices());
  });

  test("item 7: an update started from a validation is refused", () => {
    const world = shop("registry");
    const version = world.ns.version;
    const inner = nestedUpdate(world);
    const outer = patch("outer")
      .addField("Item", "vat", { defaultSource: "0" })
      .validate("nested", () => {
        try {
          inner.start();
          return true;
        } catch {
          return "nested update refused";
        }
      })
      .build();
    expect(() => updateSync(world.ns, outer)).toThrow(/failed validation/);
    expect(inner.error).toBeInstanceOf(NestedUpdateError);
    expectOldVersion(world, version, initialPrices());
  });

  test("item 7: a health check that applies an update: the inner one is refused, the outer rolled back", async () => {
    const world = shop("registry");
    const version = world.ns.version;
    const inner = nestedUpdate(world);
    const result = await update(world.ns, renamePrice("eager"), {
      healthCheck: () => {
        inner.start();
        return true;
      },
    });
    expect(inner.error).toBeInstanceOf(NestedUpdateError);
    expect(result.outcome).toBe("rolled-back");
    expectOldVersion(world, version, initialPrices());
  });

  test("item 7: a lazy migrator that starts an update is refused, and the lazy update rolls back", () => {
    const world = shop("registry");
    const version = world.ns.version;
    const inner = nestedUpdate(world);
    const p = patch("lazy")
      .addField("Item", "vat", { defaultSource: "0" })
      .migrate("Item", () => {
        inner.start();
      })
      .policy("lazy")
      .build();
    const result = updateSync(world.ns, p);
    expect(world.items[0]!.read()).toBe(1.5);
    expect(inner.error).toBeInstanceOf(NestedUpdateError);
    expect(result.state()).toBe("rolled-back");
    expectOldVersion(world, version, initialPrices());
  });
});

describe("item 8: a listener's error never changes the outcome", () => {
  test("item 8: a listener throwing on the commit event: committed, and the error reported", () => {
    const world = shop("registry");
    const version = world.ns.version;
    const boom = new Error("listener");
    const result = updateSync(world.ns, renamePrice("eager"), {
      onEvent: (e) => {
        if (e.phase === "commit" && e.status === "end") throw boom;
      },
    });
    expect(result.state()).toBe("committed");
    expect(world.ns.version).toBe(version + 1);
    expect(world.items.map((i) => ({ ...i }))).toEqual(
      initialPrices().map((cost, id) => ({ id, cost })),
    );
    expect(result.listenerErrors).toEqual([
      { event: expect.objectContaining({ phase: "commit", status: "end" }), error: boom },
    ]);
  });

  test("item 8: a listener throwing on every event of a refused update: the refusal is the typed one", () => {
    const world = shop("registry");
    const version = world.ns.version;
    expect(() =>
      updateSync(world.ns, renamePrice("eager", 2), {
        onEvent: () => {
          throw new Error("listener");
        },
      }),
    ).toThrow(MigrationError);
    expectOldVersion(world, version, initialPrices());
  });
});

describe("item 9: every option is validated before anything happens", () => {
  const bad: [string, Record<string, unknown>][] = [
    ["policy turbo", { policy: "turbo" }],
    ["sliceSize NaN", { sliceSize: Number.NaN }],
    ["sliceSize 0", { sliceSize: 0 }],
    ["sliceSize -1", { sliceSize: -1 }],
    ["sliceSize 1.5", { sliceSize: 1.5 }],
    ["sliceSize Infinity", { sliceSize: Number.POSITIVE_INFINITY }],
    ["sliceSize '10'", { sliceSize: "10" }],
    ["onEvent not a function", { onEvent: 42 }],
    ["healthCheck not a function", { healthCheck: true }],
    ["onCommitStep not a function", { onCommitStep: {} }],
  ];
  test.each(bad)(
    "item 9: %s is refused with MM_INVALID_OPTION, nothing changed",
    (_name, options) => {
      const world = shop("registry");
      const version = world.ns.version;
      let error: unknown;
      try {
        updateSync(world.ns, renamePrice("progressive"), options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe("MM_INVALID_OPTION");
      expectOldVersion(world, version, initialPrices());
    },
  );
});

describe("item 17: every refusal and rollback reports its pause", () => {
  test("item 17: a refused update's failed event carries the pause of the whole block", () => {
    const world = shop("registry");
    const events: UpdateEvent[] = [];
    expect(() =>
      updateSync(world.ns, renamePrice("eager", 1), { onEvent: (e) => events.push(e) }),
    ).toThrow(MigrationError);
    const failed = events.filter((e) => e.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.phase).toBe("migrate");
    expect(typeof failed[0]!.detail?.pauseMs).toBe("number");
    // The block includes every phase that ran before the failing one.
    const before = events.filter((e) => e.status === "end").reduce((n, e) => n + (e.ms ?? 0), 0);
    expect(failed[0]!.detail!.pauseMs as number).toBeGreaterThanOrEqual(before);
  });

  test("item 17: a rollback (requested or after a failed health check) is in timings and pauseMs", async () => {
    const world = shop("registry");
    const result = updateSync(world.ns, renamePrice("eager"));
    expect(result.timings.rollback).toBeUndefined();
    result.rollback();
    expect(typeof result.timings.rollback).toBe("number");
    expect(result.pauseMs).toBe(Math.max(result.timings.total, result.timings.rollback!));
    const again = shop("registry");
    const checked = await update(again.ns, renamePrice("eager"), { healthCheck: () => false });
    expect(checked.outcome).toBe("rolled-back");
    expect(typeof checked.timings.rollback).toBe("number");
    expect(checked.pauseMs).toBe(Math.max(checked.timings.total, checked.timings.rollback!));
  });
});

describe("item 15: a lazy migrator that calls a method on its target", () => {
  test.each(FINDERS)("item 15: migrates once, without recursing (%s finder)", (finder) => {
    const world = shop(finder);
    let calls = 0;
    const p = patch("calls")
      .addField("Item", "label", { defaultSource: "''" })
      .migrate("Item", (_old, target) => {
        calls++;
        target.label = `#${(target as unknown as Item).read()}`;
      })
      .policy("lazy")
      .build();
    const result = updateSync(world.ns, p);
    expect(world.items[2]!.read()).toBe(3.5);
    expect(calls).toBe(1);
    expect({ ...world.items[2]! }).toEqual({ id: 2, price: 3.5, label: "#3.5" });
    expect(result.state()).toBe("committed");
    result.completeMigration();
    expect(calls).toBe(5);
    expect(world.items.map((i) => (i as unknown as { label: string }).label)).toEqual(
      initialPrices().map((p) => `#${p}`),
    );
  });
});

describe("item 18: an accessor that becomes a data field", () => {
  test("item 18: the new field is computed without running the old accessor", () => {
    const ns = new Namespace("cache");
    type Cache = { limit: number; readonly max: number };
    const Cache = ns.defineClass<Cache>({
      name: "Cache",
      fields: [{ name: "limit", initializer: "10" }],
      methods: {
        get max() {
          return (this as unknown as Cache).limit;
        },
        set max(_value: number) {
          throw new Error("max is read-only");
        },
      },
    });
    const caches = [new Cache({ limit: 5 }), new Cache({ limit: 7 })];
    const version = ns.version;
    const p = patch("max-field")
      .removeMethod("Cache", "max", { kind: "get" })
      .removeMethod("Cache", "max", { kind: "set" })
      .addField("Cache", "max", { initial: (old) => (old.limit as number) * 2 })
      .validateInstances("max is twice the limit", "Cache", (c) => {
        const cache = c as { limit: number; max: number };
        return cache.max === cache.limit * 2;
      })
      .build();
    const result = updateSync(ns, p);
    expect(result.state()).toBe("committed");
    expect(ns.version).toBe(version + 1);
    expect(caches.map((c) => ({ ...c }))).toEqual([
      { limit: 5, max: 10 },
      { limit: 7, max: 14 },
    ]);
  });
});

describe("item 11: shadow copies are never found as instances (heap finder)", () => {
  const validated = (policy: "eager" | "lazy", failOn?: number) =>
    patch("validated")
      .addField("Item", "vat", { defaultSource: "0.2" })
      .migrate("Item", (old) => {
        if (old.id === failOn) throw new Error("refused");
      })
      .validateInstances("vat set", "Item", (i) => (i as { vat: number }).vat === 0.2)
      .policy(policy)
      .build();
  const found = (world: Shop) => world.ns.finder.find(world.proto);

  test("item 11: after a commit, a rollback and a refusal the heap finder finds exactly the live objects", () => {
    const world = shop("heap");
    const committed = updateSync(world.ns, validated("eager"));
    expect(new Set(found(world))).toEqual(new Set(world.items));
    committed.rollback();
    expect(new Set(found(world))).toEqual(new Set(world.items));
    expect(() => updateSync(world.ns, validated("eager", 2))).toThrow(MigrationError);
    expect(new Set(found(world))).toEqual(new Set(world.items));
    const lazy = updateSync(world.ns, validated("lazy"));
    expect(found(world)).toHaveLength(5);
    lazy.completeMigration();
    expect(new Set(found(world))).toEqual(new Set(world.items));
    expect(world.items.map((i) => (i as unknown as { vat: number }).vat)).toEqual([
      0.2, 0.2, 0.2, 0.2, 0.2,
    ]);
  });
});

describe("item 16: validations never see a live object", () => {
  test("item 16: a validation of a class that does not migrate writes to a copy; the live objects keep their values", () => {
    const world = shop("registry");
    const version = world.ns.version;
    let seen: object[] = [];
    const methodsOnly = patch("methods")
      .replaceMethods("Item", {
        read(this: { price: number }) {
          return this.price * 2;
        },
      })
      .validateInstances("pokes", "Item", (i) => {
        seen.push(i);
        (i as { price: number }).price = -1;
        return true;
      })
      .build();
    updateSync(world.ns, methodsOnly);
    expect(seen).toHaveLength(5);
    expect(seen.some((o) => world.items.includes(o as Item))).toBe(false);
    expect(world.items.map((i) => ({ ...i }))).toEqual(
      initialPrices().map((price, id) => ({ id, price })),
    );
    expect(world.ns.version).toBe(version + 1);
    expect(world.items[1]!.read()).toBe(5);
    // A failure still names the live object.
    seen = [];
    const failing = patch("fails")
      .replaceMethods("Item", {
        read(this: { price: number }) {
          return this.price;
        },
      })
      .validateInstances("id 2 is bad", "Item", (i) => (i as { id: number }).id !== 2)
      .build();
    let error: unknown;
    try {
      updateSync(world.ns, failing);
    } catch (e) {
      error = e;
    }
    expect(
      (error as { report: { failures: { object?: object }[] } }).report.failures[0]!.object,
    ).toBe(world.items[2]);
  });
});
