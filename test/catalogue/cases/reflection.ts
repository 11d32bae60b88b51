// The reflective operations: field access by name, identity exchange,
// instance handles, shadows and bulk replace, instance finding.
import {
  allInstances,
  cloneNamespace,
  readInstanceVariable,
  replaceNamespace,
  StaleShadowError,
  SwapArgumentError,
  swapObjects,
  UndoError,
  UnknownFieldError,
  UnmanagedClassError,
  UnswappableObjectError,
  writeInstanceVariable,
  DuplicateBindingError,
  UnknownBindingError,
} from "../../../src/index.js";
import {
  createInstanceHandle,
  forwardObjects,
  retargetInstanceHandle,
} from "../../../src/mop/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const SWAP_ARGS = { error: SwapArgumentError, code: "MM_SWAP_ARGUMENTS" } as const;
const UNSWAPPABLE = { error: UnswappableObjectError, code: "MM_UNSWAPPABLE_OBJECT" } as const;

interface SwapWorld extends ShopWorld {
  readonly a: Record<string, unknown>;
  readonly b: Record<string, unknown>;
}
function swapWorld(): SwapWorld {
  const w = shopWorld();
  const a = { x: 1 };
  const b = { y: 2 };
  return { ...w, a, b, objects: [...w.objects, a, b] };
}

export const reflectionCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "readInstanceVariable of a field the class does not define",
    setup: shopWorld,
    act: (w) => readInstanceVariable(w.items[0]!, "stock"),
    refuse: { error: UnknownFieldError, code: "MM_UNKNOWN_FIELD", names: ["Item", '"stock"'] },
  }),
  kase<ShopWorld>({
    name: "writeInstanceVariable of a field the class does not define",
    setup: shopWorld,
    act: (w) => writeInstanceVariable(w.items[2]!, "pages", 300),
    refuse: { error: UnknownFieldError, code: "MM_UNKNOWN_FIELD", names: ["Book", '"pages"'] },
  }),
  kase<SwapWorld>({
    name: "readInstanceVariable of a plain object's missing key",
    setup: swapWorld,
    act: (w) => readInstanceVariable(w.a, "y"),
    refuse: { error: UnknownFieldError, code: "MM_UNKNOWN_FIELD", names: ["Object", '"y"'] },
  }),
  kase<ShopWorld>({
    name: "readInstanceVariable of an inherited field",
    setup: shopWorld,
    act: (w) => readInstanceVariable(w.items[2]!, "price"),
    accept: (value) => {
      if (value !== 30) throw new Error(`read ${String(value)}`);
    },
  }),
  kase<ShopWorld>({
    name: "writeInstanceVariable of an inherited field",
    setup: shopWorld,
    act: (w) => {
      writeInstanceVariable(w.items[2]!, "price", 31);
      return w.items[2]!.price;
    },
    accept: (value) => {
      if (value !== 31) throw new Error(`wrote ${String(value)}`);
    },
  }),
  kase<SwapWorld>({
    name: "swapObjects with arguments that are not arrays",
    setup: swapWorld,
    act: (w) => swapObjects(w.a as unknown as object[], [w.b]),
    refuse: { ...SWAP_ARGS, names: ["arrays"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects with lists of different lengths",
    setup: swapWorld,
    act: (w) => swapObjects([w.a], [w.b, w.items[0]!]),
    refuse: { ...SWAP_ARGS, names: ["olds has 1", "news 2"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects with an object on both sides",
    setup: swapWorld,
    act: (w) => swapObjects([w.a], [w.a]),
    refuse: { ...SWAP_ARGS, names: ["news[0]", "same object"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects with a primitive",
    setup: swapWorld,
    act: (w) => swapObjects([w.a], [7 as unknown as object]),
    refuse: { ...SWAP_ARGS, names: ["news[0]", "not an object"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects with a frozen object",
    setup: () => {
      const w = swapWorld();
      Object.freeze(w.a);
      return w;
    },
    act: (w) => swapObjects([w.a], [w.b]),
    refuse: { ...UNSWAPPABLE, names: ["frozen"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects with a sealed object, after the first pair succeeded",
    setup: () => {
      const w = swapWorld();
      Object.seal(w.items[1]);
      return w;
    },
    act: (w) => swapObjects([w.a, w.items[1]!], [w.b, w.items[0]!]),
    refuse: { ...UNSWAPPABLE, names: ["sealed"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects of an array with a plain object",
    setup: () => {
      const w = swapWorld();
      const list = [1, 2];
      return { ...w, a: list as unknown as Record<string, unknown>, objects: [...w.objects, list] };
    },
    act: (w) => swapObjects([w.a], [w.b]),
    refuse: { ...UNSWAPPABLE, names: ["array"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects of a function",
    setup: swapWorld,
    act: (w) => swapObjects([w.a], [(() => 1) as unknown as object]),
    refuse: { ...UNSWAPPABLE, names: ["news[0]", "function"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects of a Proxy whose ownKeys trap throws",
    item: 13,
    setup: swapWorld,
    act: (w) => {
      const proxy = new Proxy(w.b, {
        ownKeys() {
          throw new Error("no keys today");
        },
      });
      return swapObjects([w.a], [proxy]);
    },
    refuse: { ...UNSWAPPABLE, names: ["news[0]", "no keys today"] },
  }),
  kase<SwapWorld>({
    name: "swapObjects of an object with a throwing own getter",
    item: 13,
    setup: () => {
      const w = swapWorld();
      Object.defineProperty(w.b, "bad", {
        get() {
          throw new Error("getter says no");
        },
        enumerable: true,
        configurable: true,
      });
      return w;
    },
    act: (w) => swapObjects([w.a], [w.b]),
    accept: (_r, w) => {
      // Accessors are exchanged as accessors, never called.
      if (!("bad" in w.a) || w.b.x !== 1) throw new Error("not exchanged");
    },
  }),
  kase<SwapWorld>({
    name: "swapObjects exchanges contents and keeps identities",
    setup: swapWorld,
    act: (w) => {
      const holder = { ref: w.a };
      swapObjects([w.a], [w.b]);
      return holder;
    },
    accept: (holder, w) => {
      const h = holder as { ref: Record<string, unknown> };
      if (h.ref !== w.a || h.ref.y !== 2 || w.b.x !== 1 || "x" in w.a)
        throw new Error("not swapped");
    },
  }),
  kase<SwapWorld>({
    name: "forwardObjects with lists of different lengths",
    setup: swapWorld,
    act: (w) => forwardObjects([w.a, w.b], [w.items[0]!]),
    refuse: { ...SWAP_ARGS, names: ["olds has 2", "news 1"] },
  }),
  kase<SwapWorld>({
    name: "forwardObjects onto a frozen object",
    setup: () => {
      const w = swapWorld();
      Object.freeze(w.a);
      return w;
    },
    act: (w) => forwardObjects([w.a], [w.b]),
    refuse: { ...UNSWAPPABLE, names: ["frozen"] },
  }),
  kase<SwapWorld>({
    name: "retargetInstanceHandle of something that is not an instance handle",
    setup: swapWorld,
    act: (w) => retargetInstanceHandle(w.a, w.b),
    refuse: { ...SWAP_ARGS, names: ["not an instance handle"] },
  }),
  kase<SwapWorld>({
    name: "createInstanceHandle of null",
    setup: swapWorld,
    act: () => createInstanceHandle(null as unknown as object),
    refuse: { ...SWAP_ARGS, names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "allInstances of an ordinary class",
    setup: shopWorld,
    act: () => {
      class Loose {}
      return allInstances(Loose);
    },
    refuse: {
      error: UnmanagedClassError,
      code: "MM_UNMANAGED_CLASS",
      names: ["Loose", "not managed"],
    },
  }),
  kase<ShopWorld>({
    name: "namespace.allInstances of another namespace's class",
    setup: shopWorld,
    act: (w) => shopWorld("other").ns.allInstances(w.Item),
    refuse: { error: UnmanagedClassError, code: "MM_UNMANAGED_CLASS", names: ["Item", "other"] },
  }),
  kase<ShopWorld>({
    name: "replaceNamespace with a shadow made before another change",
    setup: shopWorld,
    act: (w) => {
      const shadow = cloneNamespace(w.ns);
      shadow.define("late", 1);
      const other = cloneNamespace(w.ns);
      other.define("first", 1);
      const record = replaceNamespace(w.ns, other);
      try {
        return replaceNamespace(w.ns, shadow);
      } finally {
        record.undo();
      }
    },
    refuse: { error: StaleShadowError, code: "MM_STALE_SHADOW", names: ["shop", "version"] },
  }),
  kase<ShopWorld>({
    name: "undoing a bulk replace twice",
    setup: shopWorld,
    act: (w) => {
      const shadow = cloneNamespace(w.ns);
      shadow.define("extra", 1);
      const record = replaceNamespace(w.ns, shadow);
      record.undo();
      record.undo();
    },
    refuse: { error: UndoError, code: "MM_UNDO", names: ["shop", "already undone"] },
  }),
  kase<ShopWorld>({
    name: "a shadow's lookup of a name it does not bind",
    setup: shopWorld,
    act: (w) => cloneNamespace(w.ns).lookup("Basket"),
    refuse: { error: UnknownBindingError, code: "MM_UNKNOWN_BINDING", names: ["shop", '"Basket"'] },
  }),
  kase<ShopWorld>({
    name: "a shadow defining a name already bound",
    setup: shopWorld,
    act: (w) => cloneNamespace(w.ns).renameBinding("Book", "Item"),
    refuse: { error: DuplicateBindingError, code: "MM_DUPLICATE_BINDING", names: ['"Item"'] },
  }),
];
