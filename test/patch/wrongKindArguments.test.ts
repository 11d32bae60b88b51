// An entry point given an argument of the wrong kind (what a JavaScript caller,
// or a TypeScript one through `any`, can pass) refuses it with a typed error
// and a stable code, before anything is read from it or changed. Before, most
// threw raw TypeErrors from deep inside: `update(ns, null)` "reading 'name'",
// `update(null, p)` "Invalid value used as weak map key", `swapObjects(null,
// null)` "reading 'length'", `createClass({})` "definition.fields is not
// iterable", `Patch.compose(null)` "reading 'reduce'".
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  cloneNamespace,
  createClass,
  type ClassDefinition,
  MetamorphError,
  Namespace,
  Patch,
  patch,
  replaceNamespace,
  swapObjects,
  update,
  updateSync,
} from "../../src/index.js";
import { forwardObjects } from "../../src/mop/index.js";

/** The kinds of value a JavaScript caller can pass where another is expected. */
type Kind =
  | "null"
  | "undefined"
  | "object"
  | "array"
  | "number"
  | "string"
  | "symbol"
  | "boolean"
  | "bigint"
  | "function"
  | "proxy"
  | "revoked";

/** A revoked Proxy: `instanceof` and every trap on it throw a raw TypeError. */
function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const wrongValue: fc.Arbitrary<[Kind, unknown]> = fc.oneof(
  fc.constant<[Kind, unknown]>(["null", null]),
  fc.constant<[Kind, unknown]>(["undefined", undefined]),
  fc.constant<[Kind, unknown]>(["object", {}]),
  fc.constant<[Kind, unknown]>(["proxy", new Proxy({}, {})]),
  fc.constant<[Kind, unknown]>(["revoked", revokedProxy()]),
  fc.constant<[Kind, unknown]>(["symbol", Symbol("s")]),
  fc.constant<[Kind, unknown]>(["function", () => 1]),
  fc.double().map((n): [Kind, unknown] => ["number", n]),
  fc.string().map((s): [Kind, unknown] => ["string", s]),
  fc.boolean().map((b): [Kind, unknown] => ["boolean", b]),
  fc.bigInt().map((b): [Kind, unknown] => ["bigint", b]),
  fc.array(fc.anything(), { maxLength: 3 }).map((a): [Kind, unknown] => ["array", a]),
  fc
    .dictionary(fc.string(), fc.anything(), { maxKeys: 3 })
    .map((o): [Kind, unknown] => ["object", o]),
);

function world() {
  const ns = new Namespace("app");
  const P = ns.defineClass<{ x: number }>({
    name: "P",
    fields: [{ name: "x", initializer: "0" }],
  });
  const objects = [new P({ x: 1 }), new P({ x: 2 })];
  const p = patch("v2").addField("P", "y", { default: 1 }).build();
  return { ns, objects, p };
}

type World = ReturnType<typeof world>;

const stateOf = ({ ns, objects }: World) => ({
  version: ns.version,
  snapshot: ns.snapshot,
  objects: objects.map((o) => [Object.getPrototypeOf(o), { ...o }]),
});

const definition: ClassDefinition = {
  name: "Made",
  superclass: null,
  fields: [],
  methods: [],
  staticFields: [],
  hasPrivateMembers: false,
  version: 1,
  fieldOrigin: "created",
};

interface Entry {
  readonly call: string;
  readonly code: string;
  /** Kinds that are right at that position (an options object, a name). */
  readonly right?: readonly Kind[];
  readonly run: (w: World, bad: never) => unknown;
}

const OPTIONS: readonly Kind[] = ["undefined", "object", "proxy"];

const ENTRIES: readonly Entry[] = [
  { call: "update(bad, p)", code: "MM_INVALID_ARGUMENT", run: (w, b) => update(b, w.p) },
  { call: "update(ns, bad)", code: "MM_INVALID_PATCH", run: (w, b) => update(w.ns, b) },
  { call: "updateSync(bad, p)", code: "MM_INVALID_ARGUMENT", run: (w, b) => updateSync(b, w.p) },
  { call: "updateSync(ns, bad)", code: "MM_INVALID_PATCH", run: (w, b) => updateSync(w.ns, b) },
  {
    call: "swapObjects(bad, bad)",
    code: "MM_SWAP_ARGUMENTS",
    right: ["array"],
    run: (_, b) => swapObjects(b, b),
  },
  {
    call: "swapObjects(objects, bad)",
    code: "MM_SWAP_ARGUMENTS",
    right: ["array"],
    run: (w, b) => swapObjects(w.objects, b),
  },
  {
    call: "forwardObjects(bad, bad)",
    code: "MM_SWAP_ARGUMENTS",
    right: ["array"],
    run: (_, b) => forwardObjects(b, b),
  },
  {
    call: "forwardObjects(bad, objects)",
    code: "MM_SWAP_ARGUMENTS",
    right: ["array"],
    run: (w, b) => forwardObjects(b, w.objects),
  },
  { call: "createClass(bad)", code: "MM_INVALID_DEFINITION", run: (_, b) => createClass(b) },
  {
    call: "createClass(definition, bad)",
    code: "MM_INVALID_DEFINITION",
    right: OPTIONS,
    run: (_, b) => createClass(definition, b),
  },
  { call: "cloneNamespace(bad)", code: "MM_INVALID_ARGUMENT", run: (_, b) => cloneNamespace(b) },
  {
    call: "replaceNamespace(ns, bad)",
    code: "MM_INVALID_ARGUMENT",
    run: (w, b) => replaceNamespace(w.ns, b),
  },
  {
    call: "replaceNamespace(bad, shadow)",
    code: "MM_INVALID_ARGUMENT",
    run: (w, b) => replaceNamespace(b, cloneNamespace(w.ns)),
  },
  { call: "patch(bad)", code: "MM_INVALID_PATCH", right: ["string"], run: (_, b) => patch(b) },
  {
    call: "new Patch(bad, [])",
    code: "MM_INVALID_PATCH",
    right: ["string"],
    run: (_, b) => new Patch(b, []),
  },
  {
    call: "new Patch(name, bad)",
    code: "MM_INVALID_PATCH",
    right: ["array"],
    run: (_, b) => new Patch("n", b),
  },
  {
    // An array is compose's kind ([] composes to the empty patch); a wrong element is the next entry.
    call: "Patch.compose(bad)",
    code: "MM_INVALID_PATCH",
    right: ["array"],
    run: (_, b) => Patch.compose(b),
  },
  {
    call: "Patch.compose([p, bad])",
    code: "MM_INVALID_PATCH",
    run: (w, b) => Patch.compose([w.p, b]),
  },
  { call: "p.andThen(bad)", code: "MM_INVALID_PATCH", run: (w, b) => w.p.andThen(b) },
  { call: "Patch.fromJSON(bad)", code: "MM_INVALID_PATCH", run: (_, b) => Patch.fromJSON(b) },
  {
    call: "Patch.fromJSON(json, bad)",
    code: "MM_INVALID_OPTION",
    right: OPTIONS,
    run: (w, b) => Patch.fromJSON(w.p.toJSON(), b),
  },
  {
    call: "p.hydrate(bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (w, b) => w.p.hydrate(b),
  },
  {
    call: "addField(C, f, bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (_, b) => patch("q").addField("P", "f", b),
  },
  {
    call: "addStaticField(C, f, bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (_, b) => patch("q").addStaticField("P", "f", b),
  },
  {
    call: "reinitialiseStaticField(C, f, bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (_, b) => patch("q").reinitialiseStaticField("P", "f", b),
  },
  {
    call: "removeMethod(C, m, bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (_, b) => patch("q").removeMethod("P", "m", b),
  },
  {
    call: "splitClass(C, [x], bad)",
    code: "MM_INVALID_PATCH",
    run: (_, b) => patch("q").splitClass("P", ["x"], b),
  },
  {
    call: "replaceImplementation(C, class, bad)",
    code: "MM_INVALID_PATCH",
    right: OPTIONS,
    run: (_, b) => patch("q").replaceImplementation("P", class P {}, b),
  },
  { call: "addClass(bad)", code: "MM_INVALID_PATCH", run: (_, b) => patch("q").addClass(b) },
  {
    call: "addMethods(C, bad)",
    code: "MM_INVALID_PATCH",
    run: (_, b) => patch("q").addMethods("P", b),
  },
];

/** The error `run` threw or its promise rejected with; undefined when it returned. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("every entry point refuses an argument of the wrong kind with a typed error, nothing changed", () => {
  test("property: entry point × wrong-kind argument", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENTRIES), wrongValue, async (entry, [kind, value]) => {
        fc.pre(!(entry.right ?? []).includes(kind));
        const w = world();
        const before = stateOf(w);
        const error = await outcome(() => entry.run(w, value as never));
        expect(error, `${entry.call} with ${kind}`).toBeInstanceOf(MetamorphError);
        expect((error as MetamorphError).code, `${entry.call} with ${kind}`).toBe(entry.code);
        expect(stateOf(w)).toEqual(before);
      }),
      { seed: 17, numRuns: 600 },
    );
  });

  test('each entry point, with each of null, undefined, {}, 42, "x", Symbol() and a Proxy', async () => {
    const canonical: [Kind, unknown][] = [
      ["null", null],
      ["undefined", undefined],
      ["object", {}],
      ["number", 42],
      ["string", "x"],
      ["symbol", Symbol("s")],
      ["proxy", new Proxy({}, {})],
    ];
    const raw: string[] = [];
    for (const entry of ENTRIES) {
      for (const [kind, value] of canonical) {
        if ((entry.right ?? []).includes(kind)) continue;
        const w = world();
        const before = stateOf(w);
        const error = await outcome(() => entry.run(w, value as never));
        if (!(error instanceof MetamorphError) || error.code !== entry.code)
          raw.push(`${entry.call} with ${kind}: ${String(error)}`);
        expect(stateOf(w)).toEqual(before);
      }
    }
    expect(raw).toEqual([]);
  });

  /** The entry points a revoked Proxy still reaches with a raw TypeError (from instanceof, Array.isArray, a property read). */
  const rawOnRevoked = async (calls: (call: string) => boolean): Promise<string[]> => {
    const raw: string[] = [];
    for (const entry of ENTRIES.filter((e) => calls(e.call))) {
      if ((entry.right ?? []).includes("revoked")) continue;
      const w = world();
      const before = stateOf(w);
      const error = await outcome(() => entry.run(w, revokedProxy() as never));
      if (!(error instanceof MetamorphError) || error.code !== entry.code)
        raw.push(`${entry.call}: ${String(error)}`);
      expect(stateOf(w)).toEqual(before);
    }
    return raw;
  };

  // instanceof, Array.isArray and every property read throw a raw TypeError
  // ("Cannot perform 'IsArray' on a proxy that has been revoked") on a revoked
  // Proxy: each entry point's argument check asks src/valueKinds.ts instead.
  test("a revoked Proxy given to any entry point is its typed error, named as such", async () => {
    expect(await rawOnRevoked(() => true)).toEqual([]);
    const w = world();
    for (const run of [
      () => update(w.ns, revokedProxy() as never),
      () => cloneNamespace(revokedProxy() as never),
      () => Patch.compose(revokedProxy() as never),
      () => swapObjects(revokedProxy() as never, []),
    ])
      expect(String(await outcome(run))).toMatch(/a revoked Proxy/);
    // Inside the lists too: found off the hot path, after Array.isArray threw on it.
    const inList = await outcome(() => swapObjects([{}, revokedProxy()], [{}, {}]));
    expect(inList).toMatchObject({
      code: "MM_SWAP_ARGUMENTS",
      details: { list: "olds", index: 1 },
    });
    expect(String(inList)).toMatch(/olds\[1\] is not an object \(a revoked Proxy\)/);
  });

  test("the messages name the call and what it takes", async () => {
    const w = world();
    expect(String(await outcome(() => update(w.ns, null as never)))).toMatch(
      /an update applies a Patch .*not null/,
    );
    expect(String(await outcome(() => update(null as never, w.p)))).toMatch(
      /update v2: the first argument must be a Namespace, not null/,
    );
    expect(String(await outcome(() => swapObjects(null as never, null as never)))).toMatch(
      /olds and news must both be arrays/,
    );
    expect(String(await outcome(() => createClass({} as never)))).toMatch(
      /createClass: the class name is not a string/,
    );
    expect(String(await outcome(() => cloneNamespace(null as never)))).toMatch(
      /cloneNamespace takes a Namespace, not null/,
    );
    expect(String(await outcome(() => Patch.compose(null as never)))).toMatch(
      /Patch.compose takes an array of patches, not null/,
    );
  });
});
