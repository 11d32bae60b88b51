import { afterEach, describe, expect, test, vi } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { countQueries } from "../support/heapQueries.js";

function world(n: number) {
  const ns = new Namespace("lazy-queries", { instanceFinder: "heap" });
  const fields = [
    { name: "path", initializer: '""' },
    { name: "size", initializer: "0" },
  ];
  const Picture = ns.defineClass<{ path: string; size: number }>({ name: "Picture", fields });
  const Album = ns.defineClass<{ path: string; size: number }>({ name: "Album", fields });
  const pictures = Array.from({ length: n }, (_, i) => new Picture({ path: `/p${i}`, size: i }));
  const albums = Array.from({ length: n }, (_, i) => new Album({ path: `/a${i}`, size: i }));
  return { ns, all: [...pictures, ...albums] };
}

const both = (policy: "lazy" | "progressive") =>
  patch("both")
    .renameField("Picture", "path", "where")
    .renameField("Album", "path", "where")
    .policy(policy)
    .build();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Each heap query walks the whole heap: finding the pending objects of several classes takes one. */
describe("lazy and progressive updates of two classes with the heap finder", () => {
  test("the progressive sweep queries the heap once and migrates both classes", async () => {
    const { ns, all } = world(50);
    const queries = countQueries();
    const result = updateSync(ns, both("progressive"));
    const done = await result.completion;
    expect(done.migrated).toBe(100);
    expect(queries.count).toBe(1);
    for (const o of all) expect(Object.keys(o)).toEqual(["where", "size"]);
  });

  test("completeMigration queries the heap once and migrates both classes", () => {
    const { ns, all } = world(50);
    const queries = countQueries();
    const result = updateSync(ns, both("lazy"));
    expect(result.completeMigration().migrated).toBe(100);
    expect(queries.count).toBe(1);
    for (const o of all) expect(Object.keys(o)).toEqual(["where", "size"]);
  });
});

/** Review advW3: a query of the whole heap in the pause of an update that needs no instance (130–200 ms at 10^5 objects). */
describe("updates that find no instance query no heap", () => {
  test.each(["heap", "adaptive"] as const)(
    "a methods patch, and the commit of a lazy update (%s finder)",
    (instanceFinder) => {
      const ns = new Namespace(`no-query-${instanceFinder}`, { instanceFinder });
      const Picture = ns.defineClass<{ size: number; weight(): number }>({
        name: "Picture",
        fields: [{ name: "size", initializer: "0" }],
        methods: {
          weight(this: { size: number }) {
            return this.size;
          },
        },
      });
      // Enough in one job for the adaptive finder to answer from the heap.
      const pictures = Array.from({ length: 70_000 }, (_, i) => new Picture({ size: i }));
      expect(ns.finder.kind).toBe("heap");
      const queries = countQueries();
      const methods = updateSync(
        ns,
        patch("twice")
          .replaceMethods("Picture", {
            weight(this: { size: number }) {
              return this.size * 2;
            },
          })
          .build(),
      );
      const lazy = updateSync(
        ns,
        patch("note").addField("Picture", "note", { default: "" }).policy("lazy").build(),
      );
      expect(queries.count).toBe(0);
      expect(pictures[7]!.weight()).toBe(14);
      expect(Object.keys(pictures[7]!)).toEqual(["size", "note"]);
      lazy.rollback();
      methods.rollback();
      expect(pictures[7]!.weight()).toBe(7);
    },
  );
});

test("a registered class's methods patches after the first query no heap: the version metamorph derived builds only through the handle (review advW3)", () => {
  const ns = new Namespace("registered-methods", { instanceFinder: "heap" });
  class User {
    a = 1;
    m(): number {
      return this.a;
    }
  }
  const Handle = ns.registerClass(User);
  const users = [new Handle(), new Handle()];
  const queries = countQueries();
  const versions = [
    {
      m(this: User) {
        return this.a + 1;
      },
    },
    {
      m(this: User) {
        return this.a + 2;
      },
    },
    {
      m(this: User) {
        return this.a + 3;
      },
    },
  ];
  versions.forEach((methods, k) => {
    updateSync(ns, patch(`m${k}`).replaceMethods("User", methods).build()).makePermanent();
  });
  // Was: one query per patch after the first (the derived version's home taken for a release's).
  expect(queries.count).toBe(0);
  expect(users.map((u) => u.m())).toEqual([4, 4]);
});
