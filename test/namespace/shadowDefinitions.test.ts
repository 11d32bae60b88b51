/**
 * A shadow keeps new definitions of existing classes aside until the next
 * produce (a structural edit, a read of its snapshot, or the commit's
 * version): an update that only changes definitions makes one immer produce.
 * What anyone reads is the same as if each edit had been produced at once.
 */
import { applyPatches } from "immer";
import { describe, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import { replaceNamespace } from "../../src/namespace/bulkReplace.js";
import { cloneNamespace } from "../../src/namespace/shadow.js";

function world() {
  const ns = new Namespace("shadow-definitions");
  const Item = ns.defineClass<{ size: number; kind(): string }>({
    name: "Item",
    fields: ["size"],
    methods: {
      kind() {
        return "v1";
      },
    },
  });
  return { ns, Item };
}

const v2 = (name = "Item") =>
  definitionFromSpec({
    name,
    fields: ["size"],
    methods: {
      kind() {
        return "v2";
      },
    },
  });

describe("a shadow's new definitions", () => {
  test("are in its snapshot and bindings as soon as they are read, never in the live namespace", () => {
    const { ns } = world();
    const before = ns.snapshot;
    const shadow = cloneNamespace(ns);
    const definition = v2();
    shadow.changeClass("Item", definition);
    expect(shadow.binding("Item")).toMatchObject({ kind: "class", definition });
    expect(shadow.snapshot.bindings.Item).toMatchObject({ definition });
    expect(ns.snapshot).toBe(before);
    expect(ns.snapshot.bindings.Item).not.toMatchObject({ definition });
  });

  test("commit with the version in one snapshot; the patches record the bindings only and take them back", () => {
    const { ns, Item } = world();
    const before = ns.snapshot;
    const shadow = cloneNamespace(ns);
    const definition = v2();
    shadow.changeClass("Item", definition);
    const record = replaceNamespace(ns, shadow);
    expect(ns.version).toBe(before.version + 1);
    expect(ns.snapshot.bindings.Item).toMatchObject({ definition });
    expect(new Item().kind()).toBe("v2");
    expect(record.patches).toEqual([
      { op: "replace", path: ["bindings", "Item", "definition"], value: definition },
    ]);
    expect(
      applyPatches(
        ns.snapshot.bindings,
        record.inversePatches.map((p) => ({ ...p, path: p.path.slice(1) })),
      ),
    ).toEqual(before.bindings);
    record.undo();
    expect(ns.snapshot).toBe(before);
    expect(new Item().kind()).toBe("v1");
  });

  test("a structural edit after a new definition keeps both, in order (rename, then remove)", () => {
    const { ns } = world();
    const shadow = cloneNamespace(ns);
    const definition = v2();
    shadow.changeClass("Item", definition);
    shadow.renameBinding("Item", "Thing");
    expect(shadow.binding("Thing")).toMatchObject({ name: "Thing", definition });
    expect(shadow.has("Item")).toBe(false);
    shadow.changeClass("Thing", v2("Thing"));
    shadow.removeBinding("Thing");
    expect(shadow.has("Thing")).toBe(false);
    replaceNamespace(ns, shadow);
    expect(ns.has("Item") || ns.has("Thing")).toBe(false);
  });
});
