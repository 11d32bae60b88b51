// Building and composing patches, and reading them from JSON: refusals that
// happen before a patch ever meets a namespace. The world is still a live
// shop, so each refusal also proves that building a patch touched nothing.
import {
  InvalidPatchError,
  NotHydratedError,
  Patch,
  PatchConflictError,
  patch,
  updateSync,
  UntrustedPatchError,
} from "../../../src/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const INVALID = { error: InvalidPatchError, code: "MM_INVALID_PATCH" } as const;

type Loose = {
  [K in keyof ReturnType<typeof patch>]: (...args: unknown[]) => Loose;
};
/** The builder without its compile-time checks: what a JavaScript caller can pass. */
const loose = (name: string): Loose => patch(name) as unknown as Loose;

const json = (operations: unknown[], extra: Record<string, unknown> = {}) => ({
  format: "metamorph.patch/1",
  name: "from-json",
  operations,
  ...extra,
});

/** A migrator that would set a global if its source were ever compiled and run. */
const sideEffectMigrator = {
  op: "migrator",
  className: "Item",
  migrator: { source: "(old, t) => { globalThis.catalogueJsonRan = true; }" },
};

export const builderCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "a patch with an empty name",
    setup: shopWorld,
    act: () => patch(""),
    refuse: { ...INVALID, names: ["non-empty name"] },
  }),
  kase<ShopWorld>({
    name: "a patch whose name is not a string",
    setup: shopWorld,
    act: () => patch(42 as unknown as string),
    refuse: { ...INVALID, names: ["name"] },
  }),
  kase<ShopWorld>({
    name: "addField with an empty field name",
    setup: shopWorld,
    act: () => patch("p").addField("Item", ""),
    refuse: { ...INVALID, names: ["addField", "field name is empty"] },
  }),
  kase<ShopWorld>({
    name: "addField named __proto__",
    setup: shopWorld,
    act: () => patch("p").addField("Item", "__proto__"),
    refuse: { ...INVALID, names: ["__proto__"] },
  }),
  kase<ShopWorld>({
    name: "addField named #secret (a private name)",
    setup: shopWorld,
    act: () => patch("p").addField("Item", "#secret"),
    refuse: { ...INVALID, names: ["#secret", "private"] },
  }),
  kase<ShopWorld>({
    name: "addField with both default and defaultSource",
    setup: shopWorld,
    act: () => patch("p").addField("Item", "stock", { default: 0, defaultSource: "1" }),
    refuse: { ...INVALID, names: ["stock", "default", "defaultSource"] },
  }),
  kase<ShopWorld>({
    name: "addField whose default is not JSON data (a Map)",
    setup: shopWorld,
    act: () => patch("p").addField("Item", "tags", { default: new Map() }),
    refuse: { ...INVALID, names: ["tags", "defaultSource"] },
  }),
  kase<ShopWorld>({
    name: "addField whose options are not an object",
    setup: shopWorld,
    act: () => loose("p").addField("Item", "stock", 7),
    refuse: { ...INVALID, names: ["addField", "options"] },
  }),
  kase<ShopWorld>({
    name: "addField on a class named with a reserved word",
    setup: shopWorld,
    act: () => patch("p").addField("class", "x"),
    refuse: { ...INVALID, names: ['"class"'] },
  }),
  kase<ShopWorld>({
    name: "a class name that is not a string",
    setup: shopWorld,
    act: () => loose("p").removeClass(12),
    refuse: { ...INVALID, names: ["removeClass", "class name"] },
  }),
  kase<ShopWorld>({
    name: "renameClass to its own name",
    setup: shopWorld,
    act: () => patch("p").renameClass("Item", "Item"),
    refuse: { ...INVALID, names: ["Item", "its own name"] },
  }),
  kase<ShopWorld>({
    name: "renameField to its own name",
    setup: shopWorld,
    act: () => patch("p").renameField("Item", "price", "price"),
    refuse: { ...INVALID, names: ["Item.price", "its own name"] },
  }),
  kase<ShopWorld>({
    name: "changeSuperclass of a class to itself",
    setup: shopWorld,
    act: () => patch("p").changeSuperclass("Item", "Item"),
    refuse: { ...INVALID, names: ["Item", "extend itself"] },
  }),
  kase<ShopWorld>({
    name: "insertSuperclass named like the class",
    setup: shopWorld,
    act: () => patch("p").insertSuperclass("Book", { name: "Book" }),
    refuse: { ...INVALID, names: ["Book", "above itself"] },
  }),
  kase<ShopWorld>({
    name: "reorderFields with an empty order",
    setup: shopWorld,
    act: () => patch("p").reorderFields("Item", []),
    refuse: { ...INVALID, names: ["Item", "empty"] },
  }),
  kase<ShopWorld>({
    name: "reorderFields listing a field twice",
    setup: shopWorld,
    act: () => patch("p").reorderFields("Item", ["price", "price"]),
    refuse: { ...INVALID, names: ["price", "more than once"] },
  }),
  kase<ShopWorld>({
    name: "splitClass moving no field",
    setup: shopWorld,
    act: () => patch("p").splitClass("Item", [], { into: "Price", via: "pricing" }),
    refuse: { ...INVALID, names: ["Item", "at least one field"] },
  }),
  kase<ShopWorld>({
    name: "splitClass into the class itself",
    setup: shopWorld,
    act: () => patch("p").splitClass("Item", ["price"], { into: "Item", via: "pricing" }),
    refuse: { ...INVALID, names: ["Item", "into itself"] },
  }),
  kase<ShopWorld>({
    name: "splitClass without { into, via }",
    setup: shopWorld,
    act: () => loose("p").splitClass("Item", ["price"], null),
    refuse: { ...INVALID, names: ["splitClass", "into"] },
  }),
  kase<ShopWorld>({
    name: "a validation without a name",
    setup: shopWorld,
    act: () => patch("p").validate("  ", () => true),
    refuse: { ...INVALID, names: ["validation has no name"] },
  }),
  kase<ShopWorld>({
    name: "a migrator that is not a function",
    setup: shopWorld,
    act: () => loose("p").migrate("Item", "old.price * 2"),
    refuse: { ...INVALID, names: ["migrate", "migrator"] },
  }),
  kase<ShopWorld>({
    name: "a migrator that is a bound function (no source to carry)",
    setup: shopWorld,
    act: () => patch("p").migrate("Item", ((_o: unknown, _t: unknown) => {}).bind(null)),
    refuse: { ...INVALID, names: ["native or bound"] },
  }),
  kase<ShopWorld>({
    name: "addMethods with an arrow function member",
    setup: shopWorld,
    act: () => patch("p").addMethods("Item", { half: () => 1 }),
    refuse: { ...INVALID, names: ["half", "arrow function"] },
  }),
  kase<ShopWorld>({
    name: "addMethod declared as a getter whose source is a method",
    setup: shopWorld,
    act: () =>
      patch("p").addMethod("Item", {
        key: "cost",
        kind: "get",
        static: false,
        source: "cost() { return 1; }",
      }),
    refuse: { ...INVALID, names: ["cost", "getter"] },
  }),
  kase<ShopWorld>({
    name: "addMethod whose source is a class",
    setup: shopWorld,
    act: () =>
      patch("p").addMethod("Item", {
        key: "Inner",
        kind: "method",
        static: false,
        source: "class Inner {}",
      }),
    refuse: { ...INVALID, names: ["Inner", "is a class"] },
  }),
  kase<ShopWorld>({
    name: "addMethod with an empty name",
    setup: shopWorld,
    act: () =>
      patch("p").addMethod("Item", { key: "", kind: "method", static: false, source: "x() {}" }),
    refuse: { ...INVALID, names: ["member name is empty"] },
  }),
  kase<ShopWorld>({
    name: "addClass declaring a field twice",
    setup: shopWorld,
    act: () => patch("p").addClass({ name: "Pair", fields: ["a", "a"] }),
    refuse: { ...INVALID, names: ["Pair", "a", "twice"] },
  }),
  kase<ShopWorld>({
    name: "addClass that extends itself",
    setup: shopWorld,
    act: () => patch("p").addClass({ name: "Loop", superclass: "Loop" }),
    refuse: { ...INVALID, names: ["Loop", "extend itself"] },
  }),
  kase<ShopWorld>({
    name: "policy turbo through the builder",
    item: 9,
    setup: shopWorld,
    act: () => loose("p").policy("turbo"),
    refuse: { ...INVALID, names: ["turbo", "eager, lazy or progressive"] },
  }),
  kase<ShopWorld>({
    name: "andThen with something that is not a patch",
    setup: shopWorld,
    act: () =>
      patch("p")
        .addField("Item", "stock")
        .build()
        .andThen({} as Patch),
    refuse: { ...INVALID, names: ["andThen expects a Patch"] },
  }),
  kase<ShopWorld>({
    name: "andThen of a patch that adds a field to a class the first removes",
    setup: shopWorld,
    act: () =>
      patch("p1")
        .removeClass("Book")
        .build()
        .andThen(patch("p2").addField("Book", "pages").build()),
    refuse: { error: PatchConflictError, code: "MM_PATCH_CONFLICT", names: ["Book"] },
  }),
  kase<ShopWorld>({
    name: "andThen of two patches adding the same field",
    setup: shopWorld,
    act: () =>
      patch("p1")
        .addField("Item", "stock")
        .build()
        .andThen(patch("p2").addField("Item", "stock").build()),
    refuse: { error: PatchConflictError, code: "MM_PATCH_CONFLICT", names: ["stock"] },
  }),
  kase<ShopWorld>({
    name: "Patch.compose of an empty list",
    setup: shopWorld,
    act: () => Patch.compose([], "nothing"),
    accept: (result) => {
      const p = result as Patch;
      if (p.name !== "nothing" || p.operations.length !== 0) throw new Error("not the empty patch");
    },
  }),
  kase<ShopWorld>({
    name: "hydrate with a scope name that is not an identifier",
    setup: shopWorld,
    act: () => patch("p").addField("Item", "stock").build().hydrate({ "not-an-id": 1 }),
    refuse: { ...INVALID, names: ["not-an-id", "not an identifier"] },
  }),
];

export const jsonCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "JSON that is not an object",
    setup: shopWorld,
    act: () => Patch.fromJSON([]),
    refuse: { ...INVALID, names: ["(root)", "an array"] },
  }),
  kase<ShopWorld>({
    name: "JSON without a format",
    setup: shopWorld,
    act: () => Patch.fromJSON({ name: "x", operations: [] }),
    refuse: { ...INVALID, names: ["format", "metamorph.patch/1"] },
  }),
  kase<ShopWorld>({
    name: "JSON of an unsupported format",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([], { format: "metamorph.patch/0" })),
    refuse: { ...INVALID, names: ["format", "metamorph.patch/0"] },
  }),
  kase<ShopWorld>({
    name: "JSON with an unknown top-level property",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([], { author: "eve" })),
    refuse: { ...INVALID, names: ["author", "unknown property"] },
  }),
  kase<ShopWorld>({
    name: "JSON with an empty name",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([], { name: "" })),
    refuse: { ...INVALID, names: ["name"] },
  }),
  kase<ShopWorld>({
    name: "JSON whose operations are not an array",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([], { operations: { op: "removeClass" } })),
    refuse: { ...INVALID, names: ["operations", "expected an array"] },
  }),
  kase<ShopWorld>({
    name: "JSON with an unknown operation",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "explode", className: "Item" }])),
    refuse: { ...INVALID, names: ["operations[0].op", "explode"] },
  }),
  kase<ShopWorld>({
    name: "JSON operation missing its class name",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "removeField", field: "price" }])),
    refuse: { ...INVALID, names: ["operations[0].className", "missing"] },
  }),
  kase<ShopWorld>({
    name: "JSON operation with an extra property",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "removeClass", className: "Book", force: true }])),
    refuse: { ...INVALID, names: ["operations[0].force", "unknown property"] },
  }),
  kase<ShopWorld>({
    name: "JSON field name that is a number",
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "removeField", className: "Item", field: 3 }])),
    refuse: { ...INVALID, names: ["operations[0].field", "number 3"] },
  }),
  kase<ShopWorld>({
    name: "JSON policy turbo",
    item: 9,
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "policy", policy: "turbo" }])),
    refuse: { ...INVALID, names: ["operations[0].policy", "turbo"] },
  }),
  kase<ShopWorld>({
    name: "JSON function carrying a live fn",
    setup: shopWorld,
    act: () =>
      Patch.fromJSON(
        json([
          { op: "migrator", className: "Item", migrator: { source: "() => {}", fn: () => {} } },
        ]),
      ),
    refuse: { ...INVALID, names: ["operations[0].migrator.fn", "sources only"] },
  }),
  kase<ShopWorld>({
    name: "JSON operation with a __proto__ key",
    item: 14,
    setup: shopWorld,
    act: () =>
      Patch.fromJSON(
        JSON.parse(
          '{"format":"metamorph.patch/1","name":"x","operations":[{"op":"removeClass","className":"Book","__proto__":{"x":1}}]}',
        ),
      ),
    refuse: { ...INVALID, names: ["__proto__"] },
  }),
  kase<ShopWorld>({
    name: "JSON operation with a toString key",
    item: 14,
    setup: shopWorld,
    act: () => Patch.fromJSON(json([{ op: "removeClass", className: "Book", toString: "x" }])),
    refuse: { ...INVALID, names: ["toString"] },
  }),
  kase<ShopWorld>({
    name: "requireHydrated on a patch read from JSON",
    setup: shopWorld,
    act: () =>
      Patch.fromJSON(
        json([{ op: "migrator", className: "Item", migrator: { source: "(old, t) => {}" } }]),
      ).requireHydrated(),
    refuse: {
      error: NotHydratedError,
      code: "MM_NOT_HYDRATED",
      names: ["operations[0]", "hydrate"],
    },
  }),
  kase<ShopWorld>({
    name: "applying a patch read from JSON that nobody vouched for",
    setup: shopWorld,
    act: (w) => updateSync(w.ns, Patch.fromJSON(json([sideEffectMigrator]))),
    refuse: {
      error: UntrustedPatchError,
      code: "MM_UNTRUSTED_PATCH",
      names: ["from-json", "not trusted", "operations[0]"],
    },
  }),
  kase<ShopWorld>({
    name: "hydrating a patch read from JSON that nobody vouched for",
    setup: shopWorld,
    // The migrator would leave a global behind if it were compiled and run; the snapshot sees globals.
    act: () => Patch.fromJSON(json([sideEffectMigrator])).hydrate(),
    refuse: {
      error: UntrustedPatchError,
      code: "MM_UNTRUSTED_PATCH",
      names: ["from-json", "not trusted"],
    },
  }),
  kase<ShopWorld>({
    name: "applying a trusted patch read from JSON without hydrating it",
    setup: shopWorld,
    act: (w) =>
      updateSync(w.ns, Patch.fromJSON(json([sideEffectMigrator]), { trust: "in-process" })),
    refuse: { ...INVALID, names: ["not hydrated", "hydrate()"] },
  }),
  kase<ShopWorld>({
    name: "hydrating a function source that does not compile",
    setup: shopWorld,
    act: () =>
      Patch.fromJSON(
        json([
          { op: "migrator", className: "Item", migrator: { source: "(old, t) => { t.x = ; }" } },
        ]),
        {
          trust: "in-process",
        },
      ).hydrate(),
    refuse: { ...INVALID, names: ["operations[0]", "does not compile"] },
  }),
  kase<ShopWorld>({
    name: "hydrating a source that is not a function",
    setup: shopWorld,
    act: () =>
      Patch.fromJSON(json([{ op: "migrator", className: "Item", migrator: { source: "42" } }]), {
        trust: "in-process",
      }).hydrate(),
    refuse: { ...INVALID, names: ["operations[0]", "not a function"] },
  }),
  kase<ShopWorld>({
    name: "an untrusted patch composed with a trusted one stays untrusted",
    setup: shopWorld,
    act: (w) => {
      const trusted = patch("mine")
        .addClass({ name: "Tag", fields: ["label"] })
        .build();
      return updateSync(w.ns, trusted.andThen(Patch.fromJSON(json([sideEffectMigrator]))));
    },
    refuse: { error: UntrustedPatchError, code: "MM_UNTRUSTED_PATCH", names: ["not trusted"] },
  }),
  kase<ShopWorld>({
    name: "a round trip through JSON keeps every operation",
    setup: shopWorld,
    act: () => {
      const p = patch("rt")
        .addField("Item", "stock", { default: 0 })
        .renameField("Item", "price", "cost")
        .policy("lazy")
        .build();
      return [p, Patch.fromJSON(JSON.parse(JSON.stringify(p)))];
    },
    accept: (result) => {
      const [a, b] = result as [Patch, Patch];
      if (JSON.stringify(a) !== JSON.stringify(b) || b.policy !== "lazy")
        throw new Error("round trip lost data");
    },
  }),
];
