/**
 * An instance that is a Proxy (its constructor returns `new Proxy(this,
 * handler)`) whose trap throws once, on its k-th call: wherever the
 * engine's own read meets it — the registry's compaction, the scan, the
 * side-effect witness's record and comparison, the look for unmanaged
 * state — the update is refused with a typed error naming the class, the
 * object where it can be told and the step, nothing changed; or, where the
 * throw met a look made only to choose a faster path (before update()'s
 * pause, or the scan's layout check), the update goes on as if the read
 * had not thrown (review advZ23: the trap's own Error came out, no code).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { MetamorphError, Namespace, patch, update, updateSync } from "../../src/index.js";

const TRAPS = [
  "getPrototypeOf",
  "isExtensible",
  "getOwnPropertyDescriptor",
  "ownKeys",
  "get",
  "has",
] as const;
type Trap = (typeof TRAPS)[number];

function world(name: string, trap: Trap, k: number) {
  const ns = new Namespace(name, { instanceFinder: "registry" });
  const ctl = { armed: false, calls: 0 };
  const handler: ProxyHandler<object> = {
    [trap](...args: unknown[]) {
      if (ctl.armed && ++ctl.calls === k) throw new Error(`trap ${trap} #${k}`);
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    },
  };
  // The constructor returns the proxy: the program and the registry hold only it.
  const Account = ns.registerClass(
    new Function(
      "handler",
      "return class Account { constructor(owner, cents, proxied) { this.owner = owner; this.cents = cents; if (proxied) return new Proxy(this, handler); } }",
    )(handler),
  ) as new (
    owner: string,
    cents: number,
    proxied?: boolean,
  ) => object;
  const objects = [0, 1, 2].map((i) => new Account(`o${i}`, i, i === 1));
  return { ns, objects, ctl };
}

const state = (objects: readonly object[]) =>
  objects.map((o) => ({
    prototype: Object.getPrototypeOf(o),
    properties: Reflect.ownKeys(o).map((key) => [key, Object.getOwnPropertyDescriptor(o, key)]),
  }));

test("property: a Proxy trap throwing on its k-th call refuses the update with a typed error naming the object, nothing changed", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...TRAPS),
      fc.integer({ min: 1, max: 14 }),
      fc.boolean(),
      fc.constantFrom("updateSync", "update"),
      async (trap, k, migrator, entry) => {
        const { ns, objects, ctl } = world(`proxy-${trap}-${k}-${migrator}-${entry}`, trap, k);
        let builder = patch("up")
          .renameField("Account", "cents", "amount")
          .addField("Account", "tag", { default: "v2" });
        if (migrator)
          builder = builder.migrate("Account", (old, target) => {
            (target as { tag: string }).tag = String(old.owner);
          });
        const before = state(objects);
        const version = ns.version;
        ctl.armed = true;
        let thrown: unknown;
        try {
          if (entry === "update") await update(ns, builder.build());
          else updateSync(ns, builder.build());
        } catch (error) {
          thrown = error;
        }
        ctl.armed = false;
        if (thrown === undefined) {
          expect(ns.version).not.toBe(version);
          return;
        }
        expect(thrown).toBeInstanceOf(MetamorphError);
        const { code, details } = thrown as MetamorphError;
        // A read in the commit's rewrite fails the commit, which undoes it.
        expect(["MM_UNSWAPPABLE_OBJECT", "MM_COMMIT_FAILED"]).toContain(code);
        if (code === "MM_UNSWAPPABLE_OBJECT") {
          expect(details.rule).toBe("unreadable");
          expect(details.className).toBe("Account");
          expect(typeof details.step).toBe("string");
          if (details.object !== undefined) {
            expect(details.object).toBe(objects[1]);
            expect(details.index).toBe(1);
          }
        }
        expect(ns.version).toBe(version);
        expect(state(objects)).toEqual(before);
      },
    ),
    { seed: 2323, numRuns: 120 },
  );
});
