/**
 * `update()` lets the program run between its call and its pause; if the
 * namespace version it was requested on is rolled back meanwhile, the update
 * is refused (MM_STALE_SHADOW), nothing changed (src/migration/phases/requested.ts).
 * Review advZ12: an earlier lazy update rolled itself back at a first touch
 * in that window, and the later update, written for its world (it reads the
 * renamed field), was built against the world before it and committed:
 * every object answered "undefined/n".
 */
import { describe, expect, test } from "vitest";
import type { UpdateResult } from "../../src/index.js";
import { update, updateSync } from "../../src/index.js";
import { accounts, noted, renamed } from "../support/accounts.js";

type Finder = "registry" | "heap" | "adaptive";
type Policy = "eager" | "lazy" | "progressive";

const world = (instanceFinder: Finder) => accounts({ instanceFinder });

const layout = (objects: readonly object[]) =>
  objects.map((o) => JSON.stringify(Reflect.ownKeys(o).map((k) => [String(k), Reflect.get(o, k)])));

const before = [
  [
    ["id", 0],
    ["balance", 1],
  ],
  [
    ["id", 1],
    ["balance", 11],
  ],
  [
    ["id", 2],
    ["balance", 21],
  ],
  [
    ["id", 3],
    ["balance", 31],
  ],
].map((entries) => JSON.stringify(entries));

describe.each<Finder>(["registry", "heap", "adaptive"])("%s finder", (finder) => {
  describe.each<Policy>(["eager", "lazy", "progressive"])("a later %s update", (policy) => {
    test("an earlier lazy update rolled back by a first touch before the pause: refused, nothing changed", async () => {
      const { ns, objects } = world(finder);
      const first = await update(ns, renamed(true), { policy: "lazy" });
      const firstCompletion = first.completion.then(
        () => "resolved",
        (e: { code?: string }) => e.code,
      );
      const requested = ns.version;
      const pending = update(ns, noted(policy));
      // A request of the program, before the pause: #2's migration fails,
      // the earlier update rolls back and the call runs the old version.
      expect(objects[2]!.get()).toBe(21);
      expect(ns.version).toBe(requested - 1);
      await expect(pending).rejects.toMatchObject({
        code: "MM_STALE_SHADOW",
        details: { patch: "p2", requestedVersion: requested, version: requested - 1 },
      });
      expect(await firstCompletion).toBe("MM_MIGRATION_FAILED");
      expect(ns.version).toBe(requested - 1);
      expect(layout(objects)).toEqual(before);
      expect(objects.map((o) => o.get())).toEqual([1, 11, 21, 31]);
    });

    test("an earlier update rolled back by rollback() before the pause: refused, nothing changed", async () => {
      const { ns, objects } = world(finder);
      const first = updateSync(ns, renamed(false));
      const requested = ns.version;
      const pending = update(ns, noted(policy));
      first.rollback();
      await expect(pending).rejects.toMatchObject({
        code: "MM_STALE_SHADOW",
        details: { patch: "p2", requestedVersion: requested, version: requested - 1 },
      });
      expect(ns.version).toBe(requested - 1);
      expect(layout(objects)).toEqual(before);
      expect(objects.map((o) => o.get())).toEqual([1, 11, 21, 31]);
    });

    test("the earlier lazy update still pending at the pause: completed first, then the update applies", async () => {
      const { ns, objects } = world(finder);
      const first = await update(ns, renamed(false), { policy: "lazy" });
      const result: UpdateResult = await update(ns, noted(policy));
      await first.completion;
      expect(result.outcome).toBe("committed");
      expect(objects.map((o) => o.get())).toEqual(["1/n", "11/n", "21/n", "31/n"]);
      result.completeMigration();
      expect(objects.map((o) => Object.keys(o))).toEqual(
        objects.map(() => ["id", "amount", "note"]),
      );
    });

    test("a class defined before the pause (the namespace moved on): the update applies", async () => {
      const { ns, objects } = world(finder);
      updateSync(ns, renamed(false));
      const pending = update(ns, noted(policy));
      ns.defineClass({ name: "Other", fields: [], methods: {} });
      const result = await pending;
      expect(result.outcome).toBe("committed");
      expect(objects.map((o) => o.get())).toEqual(["1/n", "11/n", "21/n", "31/n"]);
      expect(ns.has("Other")).toBe(true);
    });
  });
});
