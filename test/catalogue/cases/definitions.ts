// Defining and registering classes, and the namespace's own API: what a
// program can get wrong before any update runs.
import {
  createClass,
  DuplicateBindingError,
  InvalidClassDefinitionError,
  Namespace,
  UnknownBindingError,
  UnmanagedClassError,
  InvalidBindingNameError,
} from "../../../src/index.js";
import { patch, updateSync } from "../../../src/index.js";
import { definitionFromSpec } from "../../../src/mop/index.js";
import { ExternalSuperclassError } from "../../../src/namespace/errors.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const DEFINITION = { error: InvalidClassDefinitionError, code: "MM_INVALID_DEFINITION" } as const;

const BINDING_NAME = { error: InvalidBindingNameError, code: "MM_INVALID_BINDING_NAME" } as const;

export const definitionCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "define a value under the empty name",
    setup: shopWorld,
    act: (w) => w.ns.define("", 1),
    refuse: { ...BINDING_NAME, names: ["shop"] },
  }),
  kase<ShopWorld>({
    name: "define a value under __proto__",
    setup: shopWorld,
    act: (w) => w.ns.define("__proto__", { polluted: true }),
    refuse: { ...BINDING_NAME, names: ["shop", "__proto__"] },
  }),
  kase<ShopWorld>({
    name: "define a value under a name that is not a string",
    setup: shopWorld,
    act: (w) => w.ns.define(7 as unknown as string, 1),
    refuse: { ...BINDING_NAME, names: ["shop"] },
  }),
  kase<ShopWorld>({
    name: "defineClass with an empty name",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "" }),
    refuse: { ...DEFINITION, names: ["shop", "class name cannot be empty"] },
  }),
  kase<ShopWorld>({
    name: "defineClass named with a reserved word",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "class" }),
    refuse: { ...DEFINITION, names: ['"class"'] },
  }),
  kase<ShopWorld>({
    name: "defineClass with a superclass name that is not an identifier",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Odd", superclass: "not a name" }),
    refuse: { error: UnknownBindingError, code: "MM_UNKNOWN_BINDING", names: ["not a name"] },
  }),
  kase<ShopWorld>({
    name: "defineClass declaring a field twice",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Pair", fields: ["left", "left"] }),
    refuse: { ...DEFINITION, names: ["Pair", '"left"', "twice"] },
  }),
  kase<ShopWorld>({
    name: "defineClass declaring a method twice",
    setup: shopWorld,
    act: (w) =>
      w.ns.defineClass({
        name: "Twice",
        methods: [
          { key: "run", kind: "method", static: false, source: "run() { return 1; }" },
          { key: "run", kind: "method", static: false, source: "run() { return 2; }" },
        ],
      }),
    refuse: { ...DEFINITION, names: ["Twice", "run", "twice"] },
  }),
  kase<ShopWorld>({
    name: "defineClass with a field named __proto__",
    item: 14,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Protoed", fields: ["__proto__"] }),
    refuse: { ...DEFINITION, names: ["Protoed", "__proto__"] },
  }),
  kase<ShopWorld>({
    name: "defineClass with a method source that does not compile",
    setup: shopWorld,
    act: (w) =>
      w.ns.defineClass({
        name: "Broken",
        methods: [{ key: "run", kind: "method", static: false, source: "run() { return ; ) }" }],
      }),
    refuse: { ...DEFINITION, names: ["Broken", "does not compile"] },
  }),
  kase<ShopWorld>({
    name: "defineClass extending a class the namespace does not have",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Comic", superclass: "Magazine" }),
    refuse: { error: UnknownBindingError, code: "MM_UNKNOWN_BINDING", names: ["Magazine", "shop"] },
  }),
  kase<ShopWorld>({
    name: "defineClass extending a value binding",
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Coin", superclass: "currency" }),
    refuse: {
      error: UnknownBindingError,
      code: "MM_UNKNOWN_BINDING",
      names: ["currency", "not a class"],
    },
  }),
  kase<ShopWorld>({
    name: "defineClass of a name already bound",
    item: 10,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Item" }),
    refuse: {
      error: DuplicateBindingError,
      code: "MM_DUPLICATE_BINDING",
      names: ["shop", '"Item"'],
    },
  }),
  kase<ShopWorld>({
    name: "defineClass named __proto__",
    item: 10,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "__proto__" }),
    refuse: { ...DEFINITION, names: ["__proto__"] },
  }),
  kase<ShopWorld>({
    name: "defineClass named undefined",
    item: 14,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "undefined", fields: ["x"] }),
    refuse: { ...DEFINITION, names: ["undefined"] },
  }),
  kase<ShopWorld>({
    name: "defineClass named Object",
    item: 14,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Object", fields: ["x"] }),
    refuse: { ...DEFINITION, names: ["Object"] },
  }),
  kase<ShopWorld>({
    name: "defineClass with a field named constructor",
    item: 14,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Ctor", fields: ["constructor"] }),
    refuse: { ...DEFINITION, names: ["Ctor", "constructor"] },
  }),
  kase<ShopWorld>({
    name: "define a value under a name already bound",
    setup: shopWorld,
    act: (w) => w.ns.define("currency", "USD"),
    refuse: {
      error: DuplicateBindingError,
      code: "MM_DUPLICATE_BINDING",
      names: ["shop", '"currency"'],
    },
  }),
  kase<ShopWorld>({
    name: "lookup of a name the namespace does not bind",
    setup: shopWorld,
    act: (w) => w.ns.lookup("Basket"),
    refuse: { error: UnknownBindingError, code: "MM_UNKNOWN_BINDING", names: ["shop", '"Basket"'] },
  }),
  kase<ShopWorld>({
    name: "lookup of toString (an Object.prototype name)",
    item: 14,
    setup: shopWorld,
    act: (w) => w.ns.lookup("toString"),
    refuse: { error: UnknownBindingError, code: "MM_UNKNOWN_BINDING", names: ['"toString"'] },
  }),
  kase<ShopWorld>({
    name: "classNamed of a value binding",
    setup: shopWorld,
    act: (w) => w.ns.classNamed("currency"),
    refuse: {
      error: UnknownBindingError,
      code: "MM_UNKNOWN_BINDING",
      names: ['"currency"', "not a class"],
    },
  }),
  kase<ShopWorld>({
    name: "registerClass of a class whose superclass is not registered",
    setup: shopWorld,
    act: (w) => {
      class Base {
        id = 0;
      }
      class Derived extends Base {
        extra = 1;
      }
      return w.ns.registerClass(Derived);
    },
    refuse: {
      error: UnmanagedClassError,
      code: "MM_UNMANAGED_CLASS",
      names: ["Derived", "Base", "register Base first"],
    },
  }),
  kase<ShopWorld>({
    name: "registerClass of a class named like a bound class",
    setup: shopWorld,
    act: (w) => {
      class Item {
        sku = "";
      }
      return w.ns.registerClass(Item);
    },
    refuse: { error: DuplicateBindingError, code: "MM_DUPLICATE_BINDING", names: ['"Item"'] },
  }),
  kase<ShopWorld>({
    name: "registerClass of a class extending Map",
    item: 22,
    setup: shopWorld,
    act: (w) => {
      class Registry extends Map<string, number> {
        label = "r";
      }
      const R = w.ns.registerClass(Registry);
      return new R([["a", 1]]);
    },
    accept: (result) => {
      const r = result as Map<string, number> & { label: string };
      if (!(r instanceof Map) || r.get("a") !== 1 || r.label !== "r")
        throw new Error("not a working Map subclass");
    },
  }),
  kase<ShopWorld>({
    name: "registerClass of a class extending a package's class without declaring it external",
    item: 22,
    setup: shopWorld,
    act: (w) => {
      class Emitter {
        listeners = [];
      }
      class Channel extends Emitter {
        topic = "t";
      }
      return w.ns.registerClass(Channel);
    },
    refuse: {
      error: UnmanagedClassError,
      code: "MM_UNMANAGED_CLASS",
      names: ["Channel", "Emitter", "externalSuperclass: true"],
    },
  }),
  kase<ShopWorld & { Bag: new () => Map<string, number> }>({
    name: "changeSuperclass moving a Map subclass under a managed class",
    item: 22,
    setup: () => {
      const w = shopWorld();
      class Bag extends Map<string, number> {
        label = "b";
      }
      const B = w.ns.registerClass(Bag);
      const bag = new B();
      bag.set("a", 1);
      return { ...w, Bag: B, extra: [...(w.extra ?? []), bag] };
    },
    act: (w) => updateSync(w.ns, patch("under").changeSuperclass("Bag", "Item").build()),
    refuse: {
      error: ExternalSuperclassError,
      code: "MM_EXTERNAL_SUPERCLASS",
      names: ["Bag", "Map", "internal slots"],
    },
  }),
  kase<ShopWorld>({
    name: "a field change of an Array subclass whose instances hold elements keeps them",
    item: 22,
    setup: () => {
      const w = shopWorld();
      class Row extends Array<number> {
        kind = "row";
      }
      const R = w.ns.registerClass(Row);
      return { ...w, extra: [...(w.extra ?? []), R.from([1, 2])] };
    },
    act: (w) => {
      class Row extends Array<number> {
        kind = "row";
        width = 0;
      }
      return updateSync(w.ns, patch("v2").replaceImplementation("Row", Row).build());
    },
    accept: (_r, w) => {
      const row = w.extra?.at(-1) as number[] & { width: number };
      if (row.length !== 2 || row[0] !== 1 || row[1] !== 2 || row.width !== 0)
        throw new Error(`the row is now ${JSON.stringify(Object.entries(row))}`);
    },
  }),
  kase<ShopWorld>({
    name: "createClass with a superclass name but no superclass constructor",
    setup: shopWorld,
    act: () => createClass(definitionFromSpec({ name: "Orphan", superclass: "Item" })),
    refuse: { ...DEFINITION, names: ["Orphan", "Item", "no superclass constructor"] },
  }),
  kase<ShopWorld>({
    name: "createClass extending an ordinary class",
    setup: shopWorld,
    act: () => {
      class Plain {}
      return createClass(definitionFromSpec({ name: "Child", superclass: "Plain" }), {
        superclass: Plain,
      });
    },
    refuse: { ...DEFINITION, names: ["Child", "Plain"] },
  }),
  kase<ShopWorld>({
    name: "calling a class handle without new",
    setup: shopWorld,
    act: (w) => {
      const before = w.ns.allInstances(w.Item).length;
      try {
        (w.Item as unknown as () => unknown)();
        return [undefined, before];
      } catch (error) {
        return [error, before];
      }
    },
    // As for a native class: a TypeError, nothing made.
    accept: (result, w) => {
      const [error, before] = result as [unknown, number];
      if (!(error instanceof TypeError) || !error.message.includes("Item"))
        throw new Error(`got ${String(error)}`);
      if (w.ns.allInstances(w.Item).length !== before) throw new Error("an instance was made");
    },
  }),
  kase<ShopWorld>({
    name: "a second namespace defining a class of the same name",
    setup: shopWorld,
    act: (w) => {
      const other = new Namespace("other");
      const Item = other.defineClass({ name: "Item", fields: ["x"] });
      return [other, Item, w];
    },
    accept: (result) => {
      const [other, Item, w] = result as [Namespace, new () => object, ShopWorld];
      if (Item === w.Item || !other.owns(Item) || w.ns.owns(Item))
        throw new Error("namespaces share a class");
    },
  }),
];
