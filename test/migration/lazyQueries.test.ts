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
