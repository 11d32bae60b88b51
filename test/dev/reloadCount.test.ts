/**
 * A dev reload decides whether to migrate progressively from the number of
 * instances its patch migrates (src/dev/applyReload.ts `countForReload`). With the heap
 * finder that count is a heap query; the update that follows takes that very
 * query instead of making a second one (phases/find.ts `findAndKeep`), and a
 * count no update took is dropped (`dropKept`) so that its lists stop
 * holding instances.
 */
import { afterEach, expect, test, vi } from "vitest";
import { countForReload } from "../../src/dev/applyReload.js";
import { Namespace, patch, update } from "../../src/index.js";
import { dropKept } from "../../src/migration/phases/find.js";
import { countQueries } from "../support/heapQueries.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function world(n: number) {
  const ns = new Namespace("reload-count", { instanceFinder: "heap" });
  const Dot = ns.defineClass<{ x: number }>({
    name: "Dot",
    fields: [{ name: "x", initializer: "0" }],
    methods: {},
  });
  const dots = Array.from({ length: n }, (_, x) => new Dot({ x }));
  const grow = patch("grow").addField("Dot", "y", { default: 2 }).build();
  return { ns, Dot, dots, grow };
}

test("the count's heap query is the one the update uses: one query per reload", async () => {
  const { ns, Dot, dots, grow } = world(500);
  const queries = countQueries();
  expect(countForReload(ns, [Dot], grow)).toBe(500);
  expect(queries.count).toBe(1);
  const result = await update(ns, grow);
  expect(queries.count).toBe(1);
  expect(result.instancesMigrated).toBe(500);
  for (const dot of dots) expect((dot as unknown as { y: number }).y).toBe(2);
});

test("a count no update took is dropped: the next update queries for itself and still migrates every instance", async () => {
  const { ns, Dot, dots, grow } = world(300);
  const queries = countQueries();
  expect(countForReload(ns, [Dot], grow)).toBe(300);
  dropKept(ns);
  const later = Array.from({ length: 7 }, (_, x) => new Dot({ x }));
  const result = await update(ns, grow);
  expect(queries.count).toBe(2);
  expect(result.instancesMigrated).toBe(307);
  for (const dot of [...dots, ...later]) expect((dot as unknown as { y: number }).y).toBe(2);
});

test("objects made between the count and the update are migrated too", async () => {
  const { ns, Dot, dots, grow } = world(200);
  expect(countForReload(ns, [Dot], grow)).toBe(200);
  const later = Array.from({ length: 5 }, (_, x) => new Dot({ x }));
  const result = await update(ns, grow);
  expect(result.instancesMigrated).toBe(205);
  for (const dot of [...dots, ...later]) expect((dot as unknown as { y: number }).y).toBe(2);
});
