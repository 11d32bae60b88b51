/**
 * `update()` finds an eager update's instances before its pause, with either
 * finder (src/migration/phases/find.ts): nothing constructed meanwhile is
 * missed, and the heap finder's query runs once, before the pause, with a
 * task of the program between the two.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { dryRun } from "../../src/lifecycle/dryRun.js";
import { dropKept } from "../../src/migration/phases/find.js";
import { runUpdate } from "../../src/lifecycle/index.js";
import { Namespace, patch, swapObjects, update, updateSync } from "../../src/index.js";
import { countQueries } from "../support/heapQueries.js";

type Finder = "registry" | "heap";
function world(finder: Finder, n: number) {
  const ns = new Namespace("pictures", { instanceFinder: finder });
  const fields = [
    { name: "path", initializer: '""' },
    { name: "size", initializer: "0" },
  ];
  const Picture = ns.defineClass<{ path: string; size: number }>({
    name: "Picture",
    fields,
    methods: {},
  });
  const Album = ns.defineClass<{ path: string; size: number }>({
    name: "Album",
    fields,
    methods: {},
  });
  const pictures = Array.from({ length: n }, (_, i) => new Picture({ path: `/p${i}`, size: i }));
  const albums = Array.from({ length: n }, (_, i) => new Album({ path: `/a${i}`, size: i }));
  return { ns, Picture, Album, pictures, albums };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each<Finder>(["registry", "heap"])("update() with the %s finder", (finder) => {
  test("objects constructed after the update started finding are migrated too", async () => {
    const { ns, Picture, pictures } = world(finder, 3);
    const pending = update(ns, patch("grow").addField("Picture", "tags", { default: 0 }).build());
    // After the heap query (it runs inside the call) or while the registry is read.
    const late = new Picture({ path: "/late", size: 9 });
    const result = await pending;
    expect(result.instancesMigrated).toBe(4);
    for (const o of [...pictures, late]) expect(Object.keys(o)).toEqual(["path", "size", "tags"]);
  });

  test("an object swapped onto the class while it finds is migrated (the pause finds again)", async () => {
    const { ns, pictures, albums } = world(finder, 2);
    const pending = update(ns, patch("grow").addField("Picture", "tags", { default: 0 }).build());
    swapObjects([pictures[0]!], [albums[0]!]);
    // As the registry asks after a prototype change (the heap finder needs no telling).
    ns.finder.record(pictures[0]!);
    ns.finder.record(albums[0]!);
    const result = await pending;
    expect(result.instancesMigrated).toBe(2);
    expect(Object.keys(albums[0]!)).toEqual(["path", "size", "tags"]);
    expect(Object.keys(pictures[0]!)).toEqual(["path", "size"]);
  });
});

describe("update() with the heap finder", () => {
  test("queries the heap once for all migrating classes, before the pause, and lets a task run between", async () => {
    const { ns, pictures, albums } = world("heap", 4);
    const queries = countQueries();
    const seen: { queries: number; taskRan: boolean }[] = [];
    let taskRan = false;
    const initial = () => {
      seen.push({ queries: queries.count, taskRan });
      return 1;
    };
    // A task of the program, waiting when the update starts.
    setImmediate(() => {
      taskRan = true;
    });
    const pending = update(
      ns,
      patch("both")
        .addField("Picture", "mark", { initial })
        .addField("Album", "mark", { initial })
        .build(),
    );
    // Inside the call: the query is not part of the pause.
    expect(queries.count).toBe(1);
    const result = await pending;
    expect(result.instancesMigrated).toBe(8);
    expect(queries.count).toBe(1);
    // Every new state was computed in the pause, after the query and after the program's task.
    expect(seen).toHaveLength(8);
    expect(seen.every((s) => s.queries === 1 && s.taskRan)).toBe(true);
    for (const o of [...pictures, ...albums]) expect(o).toMatchObject({ mark: 1 });
  });

  test("a subclass and its superclass are found by one query of the superclass", async () => {
    const ns = new Namespace("shapes", { instanceFinder: "heap" });
    const Shape = ns.defineClass<{ size: number }>({
      name: "Shape",
      fields: [{ name: "size", initializer: "0" }],
      methods: {},
    });
    const Square = ns.defineClass<{ size: number }>({
      name: "Square",
      superclass: "Shape",
      fields: [],
      methods: {},
    });
    const objects = [new Shape({ size: 1 }), new Square({ size: 2 }), new Square({ size: 3 })];
    const queries = countQueries();
    const result = await update(
      ns,
      patch("mark").addField("Shape", "mark", { default: "m" }).build(),
    );
    expect(queries.count).toBe(1);
    expect(result.instancesMigrated).toBe(3);
    for (const o of objects) expect(o).toMatchObject({ mark: "m" });
  });
});

describe("updateSync finds in its pause", () => {
  test("with the heap finder, one query for every migrating class", () => {
    const { ns, pictures, albums } = world("heap", 3);
    const queries = countQueries();
    const result = updateSync(
      ns,
      patch("both")
        .addField("Picture", "tags", { default: 1 })
        .addField("Album", "tags", { default: 2 })
        .build(),
    );
    expect(queries.count).toBe(1);
    expect(result.instancesMigrated).toBe(6);
    for (const o of pictures) expect(o).toMatchObject({ tags: 1 });
    for (const o of albums) expect(o).toMatchObject({ tags: 2 });
  });
});

describe("the lifecycle finds before its apply step too", () => {
  test.each<Finder>(["registry", "heap"])(
    "%s: instances found before the block, objects constructed meanwhile migrated too",
    async (finder) => {
      const { ns, Picture, pictures } = world(finder, 3);
      const queries = countQueries();
      const atMigration: number[] = [];
      const late: object[] = [];
      let atSuspend = -1;
      const report = await runUpdate({
        namespace: ns,
        patch: patch("grow")
          .addField("Picture", "tags", {
            initial: () => {
              atMigration.push(queries.count);
              return 1;
            },
          })
          .build(),
        hooks: {
          // Runs after the instances were found, just before the apply step.
          suspend: () => {
            atSuspend = queries.count;
            late.push(new Picture({ path: "/late", size: 9 }));
          },
        },
      });
      expect(report.status).toBe("committed");
      expect(late).toHaveLength(1);
      for (const o of [...pictures, ...late]) expect(o).toMatchObject({ tags: 1 });
      // Heap: one query, made before the block (so before suspend); none inside it.
      expect(atSuspend).toBe(finder === "heap" ? 1 : 0);
      expect(atMigration).toEqual(Array(4).fill(finder === "heap" ? 1 : 0));
      expect(queries.count).toBe(finder === "heap" ? 1 : 0);
    },
  );
});

describe("a dry run's heap query is kept for the update that follows", () => {
  test("dry run then update: one query in all, and what was built in between is migrated", async () => {
    const { ns, Picture, pictures } = world("heap", 3);
    const queries = countQueries();
    const grow = () => patch("grow").addField("Picture", "tags", { default: 1 }).build();
    expect(dryRun(ns, grow()).instancesPrepared).toBe(3);
    expect(queries.count).toBe(1);
    const late = new Picture({ path: "/late", size: 9 });
    const result = await update(ns, grow());
    expect(queries.count).toBe(1);
    expect(result.instancesMigrated).toBe(4);
    for (const o of [...pictures, late]) expect(o).toMatchObject({ tags: 1 });
  });

  test("dry run then updateSync: one query in all, and what was built in between is migrated", () => {
    const { ns, Picture, pictures } = world("heap", 3);
    const queries = countQueries();
    const grow = () => patch("grow").addField("Picture", "tags", { default: 1 }).build();
    expect(dryRun(ns, grow()).instancesPrepared).toBe(3);
    const late = new Picture({ path: "/late", size: 9 });
    const result = updateSync(ns, grow());
    expect(queries.count).toBe(1);
    expect(result.instancesMigrated).toBe(4);
    for (const o of [...pictures, late]) expect(o).toMatchObject({ tags: 1 });
    // Taken once: the next update queries for itself.
    updateSync(ns, patch("more").addField("Picture", "more", { default: 2 }).build());
    expect(queries.count).toBe(2);
  });

  test("not after a refused dry run: its query is dropped, and the next update queries for itself", async () => {
    const { ns, pictures } = world("heap", 3);
    const queries = countQueries();
    const refused = patch("refused")
      .addField("Picture", "tags", { default: 1 })
      .validate("never", () => false)
      .build();
    expect(() => dryRun(ns, refused)).toThrow();
    expect(queries.count).toBe(1);
    const result = await update(
      ns,
      patch("grow").addField("Picture", "tags", { default: 2 }).build(),
    );
    expect(queries.count).toBe(2);
    expect(result.instancesMigrated).toBe(3);
    for (const o of pictures) expect(o).toMatchObject({ tags: 2 });
  });

  test("not after dropKept (an aborted or expired prepared update): the update queries again", async () => {
    const { ns, pictures } = world("heap", 2);
    const queries = countQueries();
    const grow = () => patch("grow").addField("Picture", "tags", { default: 1 }).build();
    dryRun(ns, grow());
    dropKept(ns);
    const result = await update(ns, grow());
    expect(queries.count).toBe(2);
    expect(result.instancesMigrated).toBe(2);
    for (const o of pictures) expect(o).toMatchObject({ tags: 1 });
  });

  test("not after a change that can move objects between classes: the update queries again", async () => {
    const { ns, pictures, albums } = world("heap", 2);
    const queries = countQueries();
    const grow = () => patch("grow").addField("Picture", "tags", { default: 1 }).build();
    dryRun(ns, grow());
    swapObjects([pictures[0]!], [albums[0]!]);
    const result = await update(ns, grow());
    expect(queries.count).toBe(2);
    expect(result.instancesMigrated).toBe(2);
    expect(albums[0]).toMatchObject({ tags: 1 });
    expect(Object.keys(pictures[0]!)).toEqual(["path", "size"]);
  });
});
