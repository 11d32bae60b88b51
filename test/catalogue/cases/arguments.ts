// Arguments of the wrong kind given to the entry points (what a JavaScript
// caller, or a TypeScript caller through `any`, can pass): each must be a
// typed refusal naming the argument, not a TypeError from deep inside.
import {
  allInstances,
  InvalidArgumentError,
  InvalidClassDefinitionError,
  InvalidOptionError,
  InvalidPatchError,
  Namespace,
  patch,
  readClassDefinition,
  readInstanceVariable,
  UnmanagedClassError,
  updateSync,
} from "../../../src/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

export const argumentCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "updateSync with something that is not a patch",
    setup: shopWorld,
    act: (w) => updateSync(w.ns, {} as never),
    refuse: {
      error: InvalidPatchError,
      code: "MM_INVALID_PATCH",
      names: ["Patch", "plain object"],
    },
  }),
  kase<ShopWorld>({
    name: "updateSync with something that is not a namespace",
    setup: shopWorld,
    act: () => updateSync({} as never, patch("p").addField("Item", "z").build()),
    refuse: {
      error: InvalidArgumentError,
      code: "MM_INVALID_ARGUMENT",
      names: ["Namespace", "plain object"],
    },
  }),
  kase<ShopWorld>({
    name: "allInstances of null",
    setup: shopWorld,
    act: () => allInstances(null as never),
    refuse: { error: UnmanagedClassError, code: "MM_UNMANAGED_CLASS", names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "readInstanceVariable of null",
    setup: shopWorld,
    act: () => readInstanceVariable(null as never, "price"),
    refuse: { error: InvalidArgumentError, code: "MM_INVALID_ARGUMENT", names: ["null", "price"] },
  }),
  kase<ShopWorld>({
    name: "defineClass of null",
    setup: shopWorld,
    act: (w) => w.ns.defineClass(null as never),
    refuse: { error: InvalidClassDefinitionError, code: "MM_INVALID_DEFINITION", names: ["null"] },
  }),
  kase<ShopWorld>({
    name: "defineClass whose fields are not an array",
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
    setup: shopWorld,
    act: () => new Namespace("odd", { instanceFinder: "bogus" as never }),
    refuse: {
      error: InvalidOptionError,
      code: "MM_INVALID_OPTION",
      names: ["odd", "instanceFinder", "bogus"],
    },
  }),
  kase<ShopWorld>({
    name: "readClassDefinition of a number",
    setup: shopWorld,
    act: () => readClassDefinition(42 as never),
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["expected a class", "number"],
    },
  }),
  kase<ShopWorld>({
    name: "registerClass of an arrow function",
    setup: shopWorld,
    act: (w) => w.ns.registerClass((() => 1) as never),
    refuse: {
      error: InvalidClassDefinitionError,
      code: "MM_INVALID_DEFINITION",
      names: ["not a class", "() => 1"],
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
