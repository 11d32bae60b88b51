/**
 * update() looks at the fields it will rewrite before its pause
 * (phases/plainAhead.ts); the program runs tasks between that look and the
 * pause, and may redefine a field meanwhile: an accessor, a read-only or a
 * non-configurable field. The pause must rewrite that object as updateSync
 * would on the same world (review advZ23: trusted, the look let an accessor
 * become a data field holding the getter's value, a read-only field a
 * writable one, and a non-configurable one failed the commit with
 * MM_COMMIT_FAILED instead of MM_UNSWAPPABLE_OBJECT before anything changed).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

const N = 200;

const MUTATIONS = {
  accessor(o: Record<string, unknown>) {
    let v = o.cents;
    Object.defineProperty(o, "cents", {
      get: () => v,
      set: (x) => {
        v = x;
      },
      enumerable: true,
      configurable: true,
    });
  },
  readOnly: (o: object) => Object.defineProperty(o, "cents", { writable: false }),
  fixed: (o: object) => Object.defineProperty(o, "cents", { configurable: false }),
  readOnlyOwner: (o: object) => Object.defineProperty(o, "owner", { writable: false }),
  write(o: Record<string, unknown>) {
    o.cents = -1;
  },
} as const;
type Mutation = keyof typeof MUTATIONS;

const renameAdd = () =>
  patch("up")
    .renameField("Account", "cents", "amount")
    .addField("Account", "tag", { default: "v2" })
    .build();

function world(name: string) {
  const ns = new Namespace(name, { instanceFinder: "registry" });
  const Account = ns.defineClass<{ owner: string; cents: number }>({
    name: "Account",
    fields: [
      { name: "owner", initializer: '""' },
      { name: "cents", initializer: "0" },
    ],
    methods: {},
  });
  const objects: object[] = Array.from(
    { length: N },
    (_, i) => new Account({ owner: `o${i}`, cents: i }),
  );
  return { ns, objects };
}

/** An object's own properties as comparable data: an accessor by the value its getter answers. */
function shape(object: object) {
  return Reflect.ownKeys(object).map((key) => {
    const d = Object.getOwnPropertyDescriptor(object, key)!;
    const kind = d.get !== undefined || d.set !== undefined ? "accessor" : "data";
    const value = kind === "accessor" ? d.get?.call(object) : d.value;
    return { key, kind, value, writable: d.writable, configurable: d.configurable };
  });
}

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "committed";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

test("property: a field redefined between update()'s look and its pause is rewritten as updateSync rewrites it", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 7 }),
      fc.constantFrom(...(Object.keys(MUTATIONS) as Mutation[])),
      fc.integer({ min: 0, max: N - 1 }),
      async (tick, mutation, at) => {
        const mutate = MUTATIONS[mutation] as (o: object) => void;
        const live = world(`redefined-${tick}-${mutation}-${at}`);
        const before = live.ns.version;
        let ticks = 0;
        let mutated = false;
        let running = true;
        // A task of the program, `tick` tasks after update() was called.
        const loop = () => {
          if (!running) return;
          if (ticks++ === tick && live.ns.version === before) {
            mutate(live.objects[at]!);
            mutated = true;
          }
          setImmediate(loop);
        };
        setImmediate(loop);
        let liveCode = "committed";
        try {
          await update(live.ns, renameAdd());
        } catch (error) {
          liveCode = (error as { code?: string }).code ?? String(error);
        }
        running = false;
        const twin = world(`twin-${tick}-${mutation}-${at}`);
        if (mutated) mutate(twin.objects[at]!);
        const twinCode = codeOf(() => updateSync(twin.ns, renameAdd()));
        expect(liveCode).toBe(twinCode);
        for (const i of [at, (at + 1) % N])
          expect(shape(live.objects[i]!)).toEqual(shape(twin.objects[i]!));
      },
    ),
    { seed: 2323, numRuns: 40 },
  );
});
