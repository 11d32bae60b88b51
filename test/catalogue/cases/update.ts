// Running updates: patches that do not fit the namespace, migrations that
// throw, validations that fail, commits that break, options that make no
// sense. Every refusal must leave the world exactly as it was.
import {
  AfterCommitError,
  CommitError,
  InvalidClassDefinitionError,
  InvalidPatchError,
  MigrationError,
  MigrationSideEffectError,
  type Namespace,
  type Patch,
  PrivateStateError,
  patch,
  type UpdateEvent,
  type UpdateOptions,
  UnswappableObjectError,
  updateSync,
  ValidationError,
} from "../../../src/index.js";
// Not exported from an entry point yet: programs match on their codes.
import { InvalidOptionError, NestedUpdateError } from "../../../src/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const INVALID = { error: InvalidPatchError, code: "MM_INVALID_PATCH" } as const;
const VALIDATION = { error: ValidationError, code: "MM_VALIDATION_FAILED" } as const;
const MIGRATION = { error: MigrationError, code: "MM_MIGRATION_FAILED" } as const;

const builder = patch("type only");
/** The builder as `patch(name)` returns it (untyped schema). */
type Builder = typeof builder;

/** An update of the shop's namespace. */
const apply =
  (build: (p: Builder) => { build(): Patch }, options?: UpdateOptions) => (w: { ns: Namespace }) =>
    updateSync(w.ns, build(patch("p")).build(), options);

/**
 * For options the engine should refuse: when it accepts them instead, the
 * update is rolled back at once, so that a sweep that never ends (sliceSize 0)
 * or lazy guards do not outlive the case; the case then fails as "accepted".
 */
const applyThenUndo =
  (build: (p: Builder) => { build(): Patch }, options: UpdateOptions) => (w: { ns: Namespace }) => {
    const result = updateSync(w.ns, build(patch("p")).build(), options);
    result.completion.catch(() => {});
    result.rollback();
    return result;
  };

export const patchFitCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "addField to a class the namespace does not have",
    setup: shopWorld,
    act: apply((p) => p.addField("Basket", "size")),
    refuse: { ...INVALID, names: ['"Basket"', "Item, Book"] },
  }),
  kase<ShopWorld>({
    name: "removeField of a field the class does not have",
    setup: shopWorld,
    act: apply((p) => p.removeField("Item", "stock")),
    refuse: { ...INVALID, names: ["Item", '"stock"'] },
  }),
  kase<ShopWorld>({
    name: "removeField of an inherited field on the subclass",
    setup: shopWorld,
    act: apply((p) => p.removeField("Book", "price")),
    refuse: { ...INVALID, names: ["Book", '"price"', "of its own"] },
  }),
  kase<ShopWorld>({
    name: "addField of a field the class already has",
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "price")),
    refuse: { ...INVALID, names: ["Item", '"price"', "already has"] },
  }),
  kase<ShopWorld>({
    name: "addField to a subclass of a field its superclass has",
    setup: shopWorld,
    act: apply((p) => p.addField("Book", "name")),
    refuse: { ...VALIDATION, rule: "duplicate-field", names: ["Book", "name"] },
  }),
  kase<ShopWorld>({
    name: "addField named like a method of the class",
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "total")),
    refuse: { ...VALIDATION, rule: "field-shadows-method", names: ["Item", '"total"'] },
  }),
  kase<ShopWorld>({
    name: "addMethods of a method named like a field of a subclass",
    setup: shopWorld,
    act: apply((p) =>
      p.addMethods("Item", {
        isbn() {
          return "";
        },
      }),
    ),
    refuse: { ...VALIDATION, rule: "field-shadows-method", names: ["Book", '"isbn"'] },
  }),
  kase<ShopWorld>({
    name: "renameField of a field the class does not have",
    setup: shopWorld,
    act: apply((p) => p.renameField("Item", "cost", "price2")),
    refuse: { ...INVALID, names: ["Item", '"cost"'] },
  }),
  kase<ShopWorld>({
    name: "addClass of a name already taken",
    setup: shopWorld,
    act: apply((p) => p.addClass({ name: "Book" })),
    refuse: { ...INVALID, names: ['"Book"', "already exists"] },
  }),
  kase<ShopWorld>({
    name: "addClass extending a class that does not exist",
    item: 13,
    setup: shopWorld,
    act: apply((p) => p.addClass({ name: "Comic", superclass: "Magazine" })),
    refuse: { ...VALIDATION, rule: "unknown-superclass", names: ["Comic", "Magazine"] },
  }),
  kase<ShopWorld>({
    name: "addClass named Object",
    item: 14,
    setup: shopWorld,
    act: apply((p) => p.addClass({ name: "Object" })),
    refuse: { ...INVALID, names: ["Object", "cannot name a class"] },
  }),
  kase<ShopWorld>({
    name: "renameClass to a name already taken",
    setup: shopWorld,
    act: apply((p) => p.renameClass("Item", "Book")),
    refuse: { ...INVALID, names: ["Item", "Book", "taken"] },
  }),
  kase<ShopWorld>({
    name: "renameClass to __proto__",
    item: 13,
    setup: shopWorld,
    act: apply((p) => p.renameClass("Book", "__proto__")),
    refuse: { ...INVALID, names: ["__proto__", "cannot name a class"] },
  }),
  kase<ShopWorld>({
    name: "reorderFields that leaves a field out",
    setup: shopWorld,
    act: apply((p) => p.reorderFields("Item", ["price"])),
    refuse: { ...INVALID, names: ["Item", "name, price"] },
  }),
  kase<ShopWorld>({
    name: "pullUpField from a root class",
    setup: shopWorld,
    act: apply((p) => p.pullUpField("Item", "price")),
    refuse: { ...INVALID, names: ["Item", "no superclass", '"price"'] },
  }),
  kase<ShopWorld>({
    name: "changeSuperclass making a cycle",
    setup: shopWorld,
    act: apply((p) => p.changeSuperclass("Item", "Book")),
    refuse: { ...VALIDATION, rule: "cyclic-superclass", names: ["Item", "Book"] },
  }),
  kase<ShopWorld>({
    name: "addMethods of a method the class already has",
    setup: shopWorld,
    act: apply((p) =>
      p.addMethods("Item", {
        total() {
          return 0;
        },
      }),
    ),
    refuse: { ...INVALID, names: ["Item", "total", "replaceMethod"] },
  }),
  kase<ShopWorld>({
    name: "replaceMethods of a method the class does not have",
    setup: shopWorld,
    act: apply((p) =>
      p.replaceMethods("Item", {
        discount() {
          return 0;
        },
      }),
    ),
    refuse: { ...INVALID, names: ["Item", "discount", "to replace"] },
  }),
  kase<ShopWorld>({
    name: "removeMethod of a method the class does not have",
    setup: shopWorld,
    act: apply((p) => p.removeMethod("Book", "total")),
    refuse: { ...INVALID, names: ["Book", "total", "to remove"] },
  }),
  kase<ShopWorld>({
    name: "splitClass then removeClass of the class holding the split fields",
    setup: shopWorld,
    act: apply((p) =>
      p.splitClass("Item", ["price"], { into: "Pricing", via: "pricing" }).removeClass("Pricing"),
    ),
    refuse: { ...INVALID, names: ["Pricing", "split off"] },
  }),
  kase<ShopWorld>({
    name: "removeClass of a class a binding still refers to",
    setup: shopWorld,
    act: apply((p) => p.removeClass("Book")),
    refuse: { ...VALIDATION, rule: "removed-class-reference", names: ["featured", "Book"] },
  }),
  kase<ShopWorld>({
    name: "removeClass of a class that still has a subclass",
    item: 13,
    setup: shopWorld,
    act: apply((p) => p.removeClass("Item")),
    refuse: { ...VALIDATION, rule: "unknown-superclass", names: ["Item", "Book"] },
  }),
  kase<ShopWorld>({
    name: "a default expression that does not compile",
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "stock", { defaultSource: "1 +" })),
    // The class is compiled with the default inside it, so the refusal is the class's.
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["Item", "does not compile"],
    },
  }),
  kase<ShopWorld>({
    name: "fields moved out of a registered ordinary class without a new implementation",
    setup: () => {
      const w = shopWorld();
      class Shelf {
        slots = 3;
      }
      const S = w.ns.registerClass(Shelf);
      const shelf = new S();
      return { ...w, objects: [...w.objects, shelf] };
    },
    // Its own field changes (addField, …) get a derived version
    // (test/migration/ordinaryFieldChanges.test.ts); moving fields out does not.
    act: apply((p) => p.splitClass("Shelf", ["slots"], { into: "Slots", via: "holder" })),
    refuse: { ...INVALID, names: ["Shelf", "ordinary class", "new implementation"] },
  }),
  kase<ShopWorld>({
    name: "a new implementation of a class with private # state",
    setup: () => {
      const w = shopWorld();
      class Safe {
        #code = 1;
        opened = 0;
        code() {
          return this.#code;
        }
      }
      const S = w.ns.registerClass(Safe);
      return { ...w, objects: [...w.objects, new S()] };
    },
    act: (w) => {
      class Safe {
        #code = 2;
        opened = 0;
        code() {
          return this.#code;
        }
      }
      return updateSync(w.ns, patch("p").replaceImplementation("Safe", Safe).build());
    },
    refuse: { error: PrivateStateError, code: "MM_PRIVATE_STATE", names: ["Safe", "private"] },
  }),
];

export const staticFieldCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "removeStaticField of a static field the class does not have",
    item: 21,
    setup: shopWorld,
    act: apply((p) => p.removeStaticField("Item", "VERSION")),
    refuse: { ...INVALID, names: ["Item", '"VERSION"'] },
  }),
  kase<ShopWorld>({
    name: "addStaticField twice",
    item: 21,
    setup: shopWorld,
    act: apply((p) =>
      p
        .addStaticField("Item", "VERSION", { default: "1" })
        .addStaticField("Item", "VERSION", { default: "2" }),
    ),
    refuse: { ...INVALID, names: ["Item", '"VERSION"', "already has"] },
  }),
  kase<ShopWorld>({
    name: "renameStaticField of a static field the class does not have",
    item: 21,
    setup: shopWorld,
    act: apply((p) => p.renameStaticField("Item", "VERSION", "RELEASE")),
    refuse: { ...INVALID, names: ["Item", '"VERSION"'] },
  }),
  kase<ShopWorld>({
    name: "a static field added then rolled back",
    item: 21,
    setup: shopWorld,
    restores: true,
    act: (w) =>
      updateSync(
        w.ns,
        patch("s").addStaticField("Item", "VERSION", { default: "2" }).build(),
      ).rollback(),
  }),
  kase<ShopWorld>({
    name: "a static field's value survives a new version",
    item: 21,
    setup: shopWorld,
    act: (w) => {
      updateSync(w.ns, patch("s").addStaticField("Item", "count", { default: 0 }).build());
      (w.Item as unknown as { count: number }).count = 5;
      updateSync(w.ns, patch("t").addField("Item", "stock").build());
      return (w.Item as unknown as { count: number }).count;
    },
    accept: (count) => {
      if (count !== 5) throw new Error(`count ${String(count)}`);
    },
  }),
];

export const migrationCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "a migrator that throws on one object",
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "vat").migrate("Item", (old, t) => {
        if (old.name === "ink") throw new Error("no VAT for ink");
        t.vat = 0.2;
      }),
    ),
    refuse: { ...MIGRATION, names: ["Item", "no VAT for ink"] },
  }),
  kase<ShopWorld>({
    name: "a field initialiser that throws",
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "unit", {
        initial: (old) => {
          if ((old.price as number) > 10) throw new RangeError("too dear");
          return 1;
        },
      }),
    ),
    refuse: { ...MIGRATION, names: ["Book", "unit", "too dear"] },
  }),
  kase<ShopWorld>({
    name: "a frozen instance",
    setup: () => {
      const w = shopWorld();
      Object.freeze(w.items[1]);
      return w;
    },
    act: apply((p) => p.addField("Item", "stock")),
    refuse: {
      error: UnswappableObjectError,
      code: "MM_UNSWAPPABLE_OBJECT",
      names: ["Item", "frozen", "instance handle"],
    },
  }),
  kase<ShopWorld>({
    name: "a sealed instance",
    setup: () => {
      const w = shopWorld();
      Object.seal(w.items[2]);
      return w;
    },
    act: apply((p) => p.renameField("Item", "price", "cost")),
    refuse: { error: UnswappableObjectError, code: "MM_UNSWAPPABLE_OBJECT", names: ["sealed"] },
  }),
  kase<ShopWorld>({
    name: "an instance with an own getter that throws",
    item: 13,
    setup: () => {
      const w = shopWorld();
      Object.defineProperty(w.items[0], "name", {
        get() {
          throw new Error("name is unavailable");
        },
        enumerable: true,
        configurable: true,
      });
      return w;
    },
    act: apply((p) => p.addField("Item", "stock")),
    refuse: {
      error: UnswappableObjectError,
      code: "MM_UNSWAPPABLE_OBJECT",
      names: ["Item", '"name"', "name is unavailable"],
    },
  }),
  kase<ShopWorld>({
    name: "an instance that is a Proxy whose ownKeys trap throws",
    item: 13,
    setup: () => {
      const w = shopWorld();
      class Veil {
        seen = 0;
        constructor() {
          // biome-ignore lint/correctness/noConstructorReturn: the misuse under test
          return new Proxy(this, {
            ownKeys() {
              throw new Error("keys are secret");
            },
          });
        }
      }
      const V = w.ns.registerClass(Veil, { fields: ["seen"] });
      const veil = new V();
      return { ...w, extra: [...(w.extra ?? []), veil] };
    },
    act: (w) => {
      class Veil {
        seen = 0;
        more = 1;
      }
      return updateSync(w.ns, patch("p").replaceImplementation("Veil", Veil).build());
    },
    refuse: {
      error: UnswappableObjectError,
      code: "MM_UNSWAPPABLE_OBJECT",
      names: ["Veil", "keys are secret"],
    },
  }),
  kase<ShopWorld>({
    name: "an async migrator",
    item: 5,
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "vat").migrate("Item", async (_old, t) => {
        await null;
        t.vat = 0.2;
      }),
    ),
    refuse: { ...INVALID, names: ["Item", "async function"] },
  }),
  kase<ShopWorld>({
    name: "an async field initialiser",
    item: 5,
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "vat", { initial: async () => 0.2 })),
    refuse: { ...INVALID, names: ["Item.vat", "async function"] },
  }),
  kase<ShopWorld>({
    name: "a migrator that writes to another live object, then a failed validation",
    item: 16,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("p")
          .addField("Item", "vat")
          .migrate("Book", (_old, t) => {
            (w.items[0] as unknown as Record<string, unknown>).name = "touched";
            t.vat = 0;
          })
          .validate("never", () => "refused on purpose")
          .build(),
      ),
    refuse: { ...VALIDATION, rule: "never", names: ["refused on purpose"] },
  }),
  kase<ShopWorld>({
    name: "a migrator that writes to another live object",
    item: 16,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("p")
          .addField("Item", "vat")
          .migrate("Book", (_old, t) => {
            (w.items[1] as unknown as Record<string, unknown>).price = 0;
            t.vat = 0;
          })
          .build(),
      ),
    refuse: {
      error: MigrationSideEffectError,
      code: "MM_MIGRATION_SIDE_EFFECT",
      names: ["Item instance", '"price"', "undone"],
    },
  }),
  kase<ShopWorld>({
    name: "a migrator that writes to Object.prototype",
    item: 16,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("p")
          .addField("Item", "vat", { initial: () => 0 })
          .migrate("Item", () => {
            (Object.prototype as Record<string, unknown>).polluted = true;
          })
          .build(),
      ),
    refuse: {
      error: MigrationSideEffectError,
      code: "MM_MIGRATION_SIDE_EFFECT",
      names: ["Object.prototype", '"polluted"'],
    },
  }),
  kase<ShopWorld>({
    name: "a migrator that writes to the class prototype, then a failed validation",
    item: 16,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("p")
          .addField("Item", "vat")
          .migrate("Item", (_old, t) => {
            (Object.getPrototypeOf(t) as Record<string, unknown>).leak = 1;
          })
          .validate("never", () => "refused on purpose")
          .build(),
      ),
    refuse: { ...VALIDATION, rule: "never", names: ["refused on purpose"] },
  }),
  kase<ShopWorld>({
    name: "a migrator that starts another update",
    item: 7,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("outer")
          .addField("Item", "vat")
          .migrate("Book", () => {
            updateSync(w.ns, patch("inner").addField("Item", "stock").build());
          })
          .build(),
      ),
    refuse: { ...MIGRATION, names: ["inner", "still running"] },
  }),
  kase<ShopWorld>({
    name: "a lazy migrator that calls a method of its target",
    item: 15,
    setup: shopWorld,
    act: (w) => {
      const r = updateSync(
        w.ns,
        patch("p")
          .addField("Item", "shown")
          .migrate("Item", (_old, t) => {
            t.shown = (t as unknown as { total(): number }).total();
          })
          .policy("lazy")
          .build(),
      );
      r.completion.catch(() => {});
      return (w.items[1] as unknown as { shown: number; total(): number }).total();
    },
    accept: (value, w) => {
      if (value !== 4.5 || (w.items[1] as unknown as { shown: number }).shown !== 4.5) {
        throw new Error(`total ${String(value)}`);
      }
    },
  }),
];

export const validationCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "an update started inside another update's migrator",
    item: 7,
    setup: shopWorld,
    act: (w) => {
      let nested: unknown;
      try {
        updateSync(
          w.ns,
          patch("outer")
            .addField("Item", "vat")
            .migrate("Book", () => {
              try {
                updateSync(w.ns, patch("inner").addField("Item", "stock").build());
              } catch (error) {
                nested = error;
              }
            })
            .validate("never", () => false)
            .build(),
        );
      } catch {
        // the outer update is refused by its validation; the nested refusal is the one under test
      }
      throw nested;
    },
    refuse: {
      error: NestedUpdateError,
      code: "MM_NESTED_UPDATE",
      names: ["inner", "outer", "shop"],
    },
  }),
  kase<ShopWorld>({
    name: "a namespace validation that returns a message",
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "stock", { default: 0 }).validate("stock-known", () => "stock is unknown"),
    ),
    refuse: { ...VALIDATION, rule: "stock-known", names: ["stock is unknown"] },
  }),
  kase<ShopWorld>({
    name: "an instance validation that fails on one object",
    setup: shopWorld,
    act: apply((p) =>
      p
        .renameField("Item", "price", "cost")
        .validateInstances("cheap", "Item", (o) => (o.cost as number) < 10),
    ),
    refuse: { ...VALIDATION, rule: "cheap", names: ["cheap"] },
  }),
  kase<ShopWorld>({
    name: "a validation that throws",
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "stock").validate("explodes", () => {
        throw new Error("validation crashed");
      }),
    ),
    refuse: { ...VALIDATION, rule: "explodes", names: ["validation crashed"] },
  }),
  kase<ShopWorld>({
    name: "a migrator leaving an instance without a field of its class",
    setup: shopWorld,
    act: apply((p) =>
      p.addField("Item", "vat").migrate("Item", (_old, t) => {
        delete t.vat;
      }),
    ),
    refuse: { ...VALIDATION, rule: "conformance", names: ["Item", '"vat"'] },
  }),
  kase<ShopWorld>({
    name: "an instance validation writing to a live object of a class that does not migrate",
    item: 16,
    setup: shopWorld,
    act: apply((p) =>
      p
        .replaceMethods("Item", {
          total() {
            return 0;
          },
        })
        .validateInstances("writes", "Item", (o) => {
          (o as Record<string, unknown>).name = "written";
          return false;
        }),
    ),
    refuse: { ...VALIDATION, rule: "writes", names: ["writes"] },
  }),
  kase<ShopWorld>({
    name: "a validation that starts another update",
    item: 7,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("outer")
          .addField("Item", "vat")
          .validate("nests", () => {
            updateSync(w.ns, patch("inner").addField("Item", "stock").build());
            return true;
          })
          .build(),
      ),
    refuse: { ...VALIDATION, rule: "nests", names: ["inner", "still running"] },
  }),
  kase<ShopWorld>({
    name: "a class added and a validation failing: no scope left behind",
    item: 10,
    setup: shopWorld,
    act: apply((p) =>
      p.addClass({ name: "Tag", fields: ["label"] }).validate("never", () => false),
    ),
    refuse: { ...VALIDATION, rule: "never", names: ["never"] },
  }),
  kase<ShopWorld & { events: UpdateEvent[] }>({
    name: "a refused update reports its pause",
    item: 17,
    setup: () => ({ ...shopWorld(), events: [] as UpdateEvent[] }),
    act: (w: ShopWorld & { events: UpdateEvent[] }) =>
      updateSync(
        w.ns,
        patch("p")
          .addField("Item", "stock")
          .validate("never", () => false)
          .build(),
        {
          onEvent: (e) => w.events.push(e),
        },
      ),
    refuse: { ...VALIDATION, rule: "never", names: ["never"] },
    // The pause of the synchronous block that refused, on the "failed" event.
    after: (w: ShopWorld & { events: UpdateEvent[] }) => {
      const failed = w.events.find((e) => e.status === "failed");
      if (typeof failed?.detail?.pauseMs !== "number") throw new Error(JSON.stringify(failed));
    },
  }),
];

export const commitCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "a commit that fails part-way",
    setup: shopWorld,
    act: apply(
      (p) => p.renameField("Item", "price", "cost").addField("Item", "stock", { default: 1 }),
      {
        onCommitStep: (step) => {
          if (step === 2) throw new Error("power cut");
        },
      },
    ),
    refuse: {
      error: CommitError,
      code: "MM_COMMIT_FAILED",
      names: ["p", "after 2 of 3", "power cut"],
    },
  }),
  kase<ShopWorld>({
    name: "a commit that fails on its first object",
    setup: shopWorld,
    act: apply((p) => p.removeField("Item", "name"), {
      onCommitStep: () => {
        throw new Error("no");
      },
    }),
    refuse: { error: CommitError, code: "MM_COMMIT_FAILED", names: ["after 0 of 3"] },
  }),
  kase<ShopWorld>({
    name: "an afterCommit hook that throws after writing to the migrated objects",
    item: 24,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("rearm")
          .renameField("Item", "price", "cost")
          .addField("Item", "timer", { default: null })
          .afterCommit("arm", (ctx) => {
            const live = ctx.instancesOf("Item") as Record<string, unknown>[];
            live[0]!.cost = 0;
            live[1]!.timer = "armed";
            // A new own property (deleting one from the middle would leave the
            // object in dictionary mode, which no rollback can undo).
            live[2]!.handle = 7;
            throw new Error("timer service down");
          })
          .build(),
      ),
    refuse: {
      error: AfterCommitError,
      code: "MM_AFTER_COMMIT_FAILED",
      names: ["rearm", '"arm"', "timer service down", "rolled back"],
    },
  }),
  kase<ShopWorld>({
    name: "a lazy update whose afterCommit hook touches objects, then throws",
    item: 24,
    setup: shopWorld,
    act: (w) =>
      updateSync(
        w.ns,
        patch("rearm")
          .policy("lazy")
          .addField("Item", "stock", { default: 1 })
          .afterCommit("arm", (ctx) => {
            const live = ctx.instancesOf("Item") as { total(): number; stock: number }[];
            live[0]!.total();
            live[0]!.stock = 99;
            throw new Error("timer service down");
          })
          .build(),
      ),
    refuse: {
      error: AfterCommitError,
      code: "MM_AFTER_COMMIT_FAILED",
      names: ["rearm", "timer service down"],
    },
  }),
  kase<ShopWorld>({
    name: "an async afterCommit hook",
    item: 24,
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "stock").afterCommit("later", async () => {})),
    refuse: { ...INVALID, names: ["afterCommit hook", "async function"] },
  }),
  kase<ShopWorld>({
    name: "an onEvent listener that throws on the commit event",
    item: 8,
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "stock", { default: 5 }), {
      onEvent: (e) => {
        if (e.phase === "commit" && e.status === "end") throw new Error("listener broke");
      },
    }),
    accept: (result, w) => {
      const r = result as ReturnType<typeof updateSync>;
      if (r.outcome !== "committed" || (w.items[0] as unknown as { stock: number }).stock !== 5) {
        throw new Error("not committed");
      }
    },
  }),
  kase<ShopWorld>({
    name: "an onEvent listener that throws on the first event",
    item: 8,
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "stock", { default: 5 }), {
      onEvent: () => {
        throw new Error("listener broke");
      },
    }),
    accept: (result) => {
      if ((result as ReturnType<typeof updateSync>).outcome !== "committed")
        throw new Error("not committed");
    },
  }),
];

export const optionCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "policy turbo in the options",
    item: 9,
    setup: shopWorld,
    act: applyThenUndo((p) => p.addField("Item", "stock"), { policy: "turbo" as "lazy" }),
    refuse: { error: InvalidOptionError, code: "MM_INVALID_OPTION", names: ["turbo"] },
  }),
  kase<ShopWorld>({
    name: "sliceSize NaN",
    item: 9,
    setup: shopWorld,
    act: applyThenUndo((p) => p.addField("Item", "stock"), {
      policy: "progressive",
      sliceSize: Number.NaN,
    }),
    refuse: { error: InvalidOptionError, code: "MM_INVALID_OPTION", names: ["sliceSize"] },
  }),
  kase<ShopWorld>({
    name: "sliceSize 0",
    item: 9,
    setup: shopWorld,
    act: applyThenUndo((p) => p.addField("Item", "stock"), { policy: "progressive", sliceSize: 0 }),
    refuse: { error: InvalidOptionError, code: "MM_INVALID_OPTION", names: ["sliceSize"] },
  }),
  kase<ShopWorld>({
    name: "sliceSize -5",
    item: 9,
    setup: shopWorld,
    act: applyThenUndo((p) => p.addField("Item", "stock"), {
      policy: "progressive",
      sliceSize: -5,
    }),
    refuse: { error: InvalidOptionError, code: "MM_INVALID_OPTION", names: ["sliceSize"] },
  }),
  kase<ShopWorld>({
    name: "a healthCheck that is not a function",
    item: 9,
    setup: shopWorld,
    act: applyThenUndo((p) => p.addField("Item", "stock"), {
      healthCheck: true as unknown as () => boolean,
    }),
    refuse: { error: InvalidOptionError, code: "MM_INVALID_OPTION", names: ["healthCheck"] },
  }),
  kase<ShopWorld>({
    name: "an options policy overriding the patch's",
    setup: shopWorld,
    act: apply((p) => p.addField("Item", "stock", { default: 2 }).policy("lazy"), {
      policy: "eager",
    }),
    accept: (result, w) => {
      const r = result as ReturnType<typeof updateSync>;
      if (r.policy !== "eager" || r.instancesMigrated !== 3) throw new Error(`policy ${r.policy}`);
      if (!Object.hasOwn(w.items[2]!, "stock")) throw new Error("not migrated eagerly");
    },
  }),
];
