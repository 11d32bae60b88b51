/**
 * `update()` builds and shadows an eager update before its pause
 * (phases/ahead.ts), and its pause takes that shadow instead of building
 * again (phases/find.ts `stillAhead`) only if the namespace has not changed
 * since: a class the program defines meanwhile, in a task between the two,
 * must be neither lost by the commit nor missing after it (the commit
 * refuses a shadow made from another version: ShadowError).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import type { Ahead } from "../../src/migration/phases/ahead.js";
import { stillAhead } from "../../src/migration/phases/ahead.js";

type Finder = "registry" | "heap";

const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each<Finder>(["registry", "heap"])("the shadow built ahead, %s finder", (finder) => {
  test("classes the program defines while update() prepares are kept by its commit", async () => {
    const ns = new Namespace("ahead", { instanceFinder: finder });
    const Picture = ns.defineClass<{ path: string }>({
      name: "Picture",
      fields: [{ name: "path", initializer: '""' }],
      methods: {},
    });
    const pictures = Array.from({ length: 50 }, (_, i) => new Picture({ path: `/p${i}` }));
    let done = false;
    const defined: string[] = [];
    // One new class in every task of the program until the update resolves.
    const program = (async () => {
      for (let k = 0; !done && k < 1000; k++) {
        ns.defineClass({ name: `Other${k}`, fields: [], methods: {} });
        defined.push(`Other${k}`);
        await nextTask();
      }
    })();
    const result = await update(
      ns,
      patch("grow").addField("Picture", "tags", { default: 0 }).build(),
    );
    done = true;
    await program;
    expect(result.instancesMigrated).toBe(50);
    expect(defined.length).toBeGreaterThan(1);
    for (const name of defined) expect(() => ns.classNamed(name)).not.toThrow();
    for (const o of pictures) expect(Object.keys(o)).toEqual(["path", "tags"]);
  });

  test("with nothing changed in between, the update commits what it built ahead", async () => {
    const ns = new Namespace("ahead-still", { instanceFinder: finder });
    const Picture = ns.defineClass<{ path: string }>({
      name: "Picture",
      fields: [{ name: "path", initializer: '""' }],
      methods: {},
    });
    const pictures = Array.from({ length: 20 }, (_, i) => new Picture({ path: `/p${i}` }));
    const result = await update(
      ns,
      patch("grow").addField("Picture", "tags", { default: 0 }).build(),
    );
    expect(result.instancesMigrated).toBe(20);
    for (const o of pictures) expect(Object.keys(o)).toEqual(["path", "tags"]);
    const made = new Picture({ path: "/new" });
    expect(Object.keys(made)).toEqual(["path", "tags"]);
    result.rollback();
    for (const o of pictures) expect(Object.keys(o)).toEqual(["path"]);
  });
});

describe.each<Finder>(["registry", "heap"])(
  "built ahead with no instance to find, %s finder",
  (finder) => {
    const world = (name: string) => {
      const ns = new Namespace(name, { instanceFinder: finder });
      const Picture = ns.defineClass<{ size: number; weight(): number }>({
        name: "Picture",
        fields: [{ name: "size", initializer: "0" }],
        methods: {
          weight(this: { size: number }) {
            return this.size;
          },
        },
      });
      return { ns, Picture, picture: new Picture({ size: 3 }) };
    };
    const heavier = patch("heavier")
      .replaceMethods("Picture", {
        weight(this: { size: number }) {
          return this.size * 10;
        },
      })
      .build();

    test.each(["eager", "lazy", "progressive"] as const)(
      "a methods-only update (%s): new versions are compiled before the pause, in a block of their own",
      async (policy) => {
        const { ns, picture } = world(`ahead-methods-${policy}`);
        const seen: [number, number][] = [];
        // A task the program queued before calling update(): it runs between the
        // build and the pause, and sees the version not yet committed.
        setImmediate(() => seen.push([ns.version, picture.weight()]));
        const before = ns.version;
        const result = await update(
          ns,
          patch("heavier-p")
            .replaceMethods("Picture", {
              weight(this: { size: number }) {
                return this.size * 10;
              },
            })
            .policy(policy)
            .build(),
        );
        expect(seen).toEqual([[before, 3]]);
        expect(result.fromVersion).toBe(before);
        expect(ns.version).toBe(before + 1);
        expect(picture.weight()).toBe(30);
      },
    );

    test("the namespace back at the same version number through a rollback and another commit: refused, the other update's world kept", async () => {
      const { ns, Picture, picture } = world("ahead-aba");
      const first = updateSync(
        ns,
        patch("tag").addField("Picture", "tag", { default: "t" }).build(),
      );
      const at = ns.version;
      // Between the build ahead and the pause: the first update is rolled back
      // (the version number goes back) and another commits (and comes back to it).
      setImmediate(() => {
        first.rollback();
        updateSync(ns, patch("label").addField("Picture", "label", { default: "l" }).build());
      });
      // The version it was requested on is gone (phases/requested.ts): neither
      // the shadow built ahead (it had "tag") nor a new build is committed.
      await expect(update(ns, heavier)).rejects.toMatchObject({
        code: "MM_STALE_SHADOW",
        details: { patch: "heavier", requestedVersion: at, version: at },
      });
      expect(ns.version).toBe(at);
      expect(picture.weight()).toBe(3);
      expect(Object.keys(picture)).toEqual(["size", "label"]);
      expect(Object.keys(new Picture({ size: 1 }))).toEqual(["size", "label"]);
      // Asked again on the version now live, it applies.
      const result = await update(ns, heavier);
      expect(picture.weight()).toBe(30);
      expect(Object.keys(picture)).toEqual(["size", "label"]);
      result.rollback();
      expect(picture.weight()).toBe(3);
    });
  },
);

describe("stillAhead", () => {
  test("only for the same patch and policy, the namespace at the snapshot it was built from", () => {
    const ns = new Namespace("still", {});
    ns.defineClass({ name: "A", fields: [], methods: {} });
    const grow = patch("grow").addField("A", "x", { default: 0 }).build();
    const ahead = {
      patch: grow,
      policy: undefined,
      snapshot: ns.snapshot,
      read: [],
      live: [],
    } as unknown as Ahead;
    expect(stillAhead(ns, grow, undefined, ahead)).toBe(ahead);
    expect(stillAhead(ns, grow, "lazy", ahead)).toBeUndefined();
    expect(
      stillAhead(ns, patch("grow").addField("A", "x").build(), undefined, ahead),
    ).toBeUndefined();
    expect(stillAhead(ns, grow, undefined, undefined)).toBeUndefined();
    ns.defineClass({ name: "B", fields: [], methods: {} });
    expect(stillAhead(ns, grow, undefined, ahead)).toBeUndefined();
  });
});

/**
 * What the build before update()'s pause read of the live classes, changed
 * by the program in the task between: the pause must build again, as
 * updateSync would from the start (adversarial review, reproductions of
 * each). Before, the commit overwrote it with what the build had seen.
 */
describe("the live classes changed between the build ahead and the pause", () => {
  const both = ["updateSync", "update"] as const;
  const apply = async (
    mode: (typeof both)[number],
    ns: Namespace,
    p: ReturnType<ReturnType<typeof patch>["build"]>,
    between: () => void,
  ) => {
    if (mode === "updateSync") {
      between();
      return updateSync(ns, p);
    }
    setImmediate(between);
    return update(ns, p);
  };

  test.each(both)("a static the program sets is kept (%s)", async (mode) => {
    const ns = new Namespace(`live-static-${mode}`);
    class Counter {
      static count = 0;
      n = 0;
      hit() {
        return ++this.n;
      }
    }
    const C = ns.registerClass(Counter) as unknown as typeof Counter;
    const p = patch("p")
      .replaceMethods("Counter", {
        hit(this: { n: number }) {
          this.n += 2;
          return this.n;
        },
      })
      .build();
    await apply(mode, ns, p, () => {
      C.count = 41;
    });
    expect(C.count).toBe(41);
    expect(new C().hit()).toBe(2);
  });

  test.each(both)(
    "a wrapper the program puts on a method and a static is kept (%s)",
    async (mode) => {
      const ns = new Namespace(`live-members-${mode}`);
      class Client {
        static create(u: string) {
          return new Client(u);
        }
        constructor(readonly u: string) {}
        get(path: string) {
          return this.u + path;
        }
        post(path: string) {
          return `post ${path}`;
        }
      }
      const C = ns.registerClass(Client) as unknown as typeof Client;
      const c = new C("http://x");
      const p = patch("p")
        .replaceMethods("Client", {
          post(path: string) {
            return `POST ${path}`;
          },
        })
        .build();
      await apply(mode, ns, p, () => {
        const get = C.prototype.get;
        C.prototype.get = function (this: Client, path: string) {
          return `[traced] ${get.call(this, path)}`;
        };
        const create = C.create;
        C.create = (u: string) => create.call(C, `[traced] ${u}`);
      });
      expect([c.get("/a"), C.create("y").u, c.post("/b")]).toEqual([
        "[traced] http://x/a",
        "[traced] y",
        "POST /b",
      ]);
    },
  );

  test.each(both)("a new scope for the class is the one compiled in (%s)", async (mode) => {
    const ns = new Namespace(`live-scope-${mode}`);
    const A = ns.defineClass<{ f(): number }>(
      {
        name: "A",
        fields: [],
        methods: {
          f() {
            return 1;
          },
        },
      },
      { scope: { rate: 1 } },
    );
    const a = new A();
    const p = patch("p")
      .replaceMethods("A", {
        f() {
          // @ts-expect-error: `rate` comes from the class's scope
          return rate * 100;
        },
      })
      .build();
    await apply(mode, ns, p, () => {
      ns.scopes.set(A as never, { rate: 2 });
    });
    expect(a.f()).toBe(200);
  });

  test.each(both)(
    "a member made non-configurable is refused before anything changes (%s)",
    async (mode) => {
      const ns = new Namespace(`live-fixed-${mode}`);
      const A = ns.defineClass<{ f(): number; g(): number }>({
        name: "A",
        fields: [],
        methods: {
          f() {
            return 1;
          },
          g() {
            return 1;
          },
        },
      });
      const a = new A();
      const p = patch("p")
        .replaceMethods("A", {
          f() {
            return 2;
          },
          g() {
            return 2;
          },
        })
        .build();
      const version = ns.version;
      await expect(
        apply(mode, ns, p, () => {
          Object.defineProperty(A.prototype, "g", { configurable: false });
        }),
      ).rejects.toMatchObject({ code: "MM_UNSWAPPABLE_OBJECT" });
      expect([ns.version, a.f(), a.g()]).toEqual([version, 1, 1]);
    },
  );
});

test.each(["updateSync", "update"] as const)(
  "a static initialiser of the patch that starts another update: refused, nothing changed (%s)",
  async (mode) => {
    const ns = new Namespace(`ahead-nested-${mode}`);
    const A = ns.defineClass<{ x: number; f(): number }>({
      name: "A",
      fields: [{ name: "x", initializer: "1" }],
      methods: {
        f() {
          return 1;
        },
      },
    });
    const a = new A();
    const inner = patch("inner").addField("A", "y", { default: 7 }).build();
    (globalThis as Record<string, unknown>).__startInner = () => updateSync(ns, inner);
    const outer = patch("outer")
      .addStaticField("A", "s", { defaultSource: "(globalThis.__startInner(), 1)" })
      .replaceMethods("A", {
        f() {
          return 2;
        },
      })
      .build();
    const version = ns.version;
    const run = async () => (mode === "updateSync" ? updateSync(ns, outer) : update(ns, outer));
    await expect(run()).rejects.toHaveProperty("code");
    expect([ns.version, Object.keys(a), a.f()]).toEqual([version, ["x"], 1]);
    delete (globalThis as Record<string, unknown>).__startInner;
  },
);
