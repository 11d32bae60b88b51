// Arguments of the wrong kind given to the entry points (what a JavaScript
// caller, or a TypeScript caller through `any`, can pass): each must be a
// typed refusal naming the argument, not a TypeError from deep inside.
import {
  allInstances,
  InvalidClassDefinitionError,
  InvalidPatchError,
  MetamorphError,
  Namespace,
  patch,
  readClassDefinition,
  readInstanceVariable,
  updateSync,
} from "../../../src/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const UNTYPED = "catalogue: an untyped TypeError from inside instead of a typed refusal";

export const argumentCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "updateSync with something that is not a patch",
    known: UNTYPED,
    setup: shopWorld,
    act: (w) => updateSync(w.ns, {} as never),
    refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: ["Patch"] },
  }),
  kase<ShopWorld>({
    name: "updateSync with something that is not a namespace",
    known: UNTYPED,
    setup: shopWorld,
    act: () => updateSync({} as never, patch("p").addField("Item", "z").build()),
    refuse: { error: MetamorphError, names: ["Namespace"] },
  }),
  kase<ShopWorld>({
    name: "allInstances of null",
    known: UNTYPED,
    setup: shopWorld,
    act: () => allInstances(null as never),
    refuse: { error: MetamorphError, code: "MM_UNMANAGED_CLASS", names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "readInstanceVariable of null",
    known: UNTYPED,
    setup: shopWorld,
    act: () => readInstanceVariable(null as never, "price"),
    refuse: { error: MetamorphError, names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "defineClass of null",
    known: UNTYPED,
    setup: shopWorld,
    act: (w) => w.ns.defineClass(null as never),
    refuse: { error: InvalidClassDefinitionError, code: "MM_INVALID_DEFINITION", names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "defineClass whose fields are not an array",
    known: UNTYPED,
    setup: shopWorld,
    act: (w) => w.ns.defineClass({ name: "Quirk", fields: "abc" as never }),
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["Quirk", "fields"],
    },
  }),
  kase<ShopWorld>({
    name: "a namespace with an unknown instance finder",
    item: 9,
    known: "item 9 (same family): an unknown instanceFinder silently becomes the registry",
    setup: shopWorld,
    act: () => new Namespace("odd", { instanceFinder: "bogus" as never }),
    refuse: { error: MetamorphError, names: ["bogus"] },
  }),
  kase<ShopWorld>({
    name: "readClassDefinition of a number",
    setup: shopWorld,
    act: () => readClassDefinition(42 as never),
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["expects a class", "number"],
    },
  }),
  kase<ShopWorld>({
    name: "registerClass of an arrow function",
    setup: shopWorld,
    act: (w) => w.ns.registerClass((() => 1) as never),
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["not a single class", "() => 1"],
    },
  }),
  kase<ShopWorld>({
    name: "constructing with an initialiser object naming unknown fields",
    setup: shopWorld,
    act: (w) => new w.Item({ bogus: 1 } as never),
    // The class's fields only: an unknown key is ignored, not added.
    accept: (item) => {
      if (JSON.stringify(item) !== '{"name":"","price":0}') throw new Error(JSON.stringify(item));
    },
  }),
];
