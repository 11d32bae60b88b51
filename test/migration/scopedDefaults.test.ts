/**
 * `defineClass(…, { scope })` makes names visible to the class's code. The
 * initialisers a migration computes for live objects (an added field's
 * `defaultSource`) and those a rollback computes for objects made since the
 * commit were compiled without it: a scope name shadowing a global (`Map`)
 * gave the global's value, a scope-only name threw (and gave undefined).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

class MyMap {
  readonly mine = true;
}

test.each(["eager", "lazy"] as const)(
  "%s: migration and rollback defaults see the class's scope",
  async (policy) => {
    let n = 0;
    const nextId = () => ++n;
    const ns = new Namespace(`scoped-defaults-${policy}`, { instanceFinder: "registry" });
    const P = ns.defineClass<{ id: number; cache: unknown; index: unknown; get(): number }>(
      {
        name: "P",
        fields: [
          { name: "id", initializer: "nextId()" },
          { name: "cache", initializer: "new Map()" },
        ],
        methods: {
          get() {
            return 0;
          },
        },
      },
      { scope: { nextId, Map: MyMap } },
    );
    const old = new P();
    const r1 = updateSync(
      ns,
      patch("v2").addField("P", "index", { defaultSource: "new Map()" }).build(),
      { policy },
    );
    old.get();
    expect(old.index).toBeInstanceOf(MyMap);
    r1.rollback();
    const r2 = updateSync(
      ns,
      patch("v3").removeField("P", "id").removeField("P", "cache").build(),
      { policy },
    );
    r2.completeMigration();
    await r2.completion;
    const made = new P();
    r2.rollback();
    expect(typeof made.id).toBe("number");
    expect(made.cache).toBeInstanceOf(MyMap);
  },
);
