/**
 * A shadow writes its edits without immer patches; the replace record's
 * patches are made when read, by replaying each edit on the bindings it was
 * made on (src/namespace/bindingEdits.ts). What a reader gets must be what
 * one produceWithPatches per edit gave: patches that take the old bindings
 * to the new ones and back, holding the very values the snapshot holds.
 */
import { applyPatches } from "immer";
import type { Patch } from "immer";
import { describe, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import { replaceNamespace } from "../../src/namespace/bulkReplace.js";
import { cloneNamespace } from "../../src/namespace/shadow.js";

const inBindings = (patches: readonly Patch[]) =>
  patches.map((p) => ({ ...p, path: p.path.slice(1) }));

function world() {
  const ns = new Namespace("binding-edits");
  ns.defineClass({
    name: "Item",
    fields: ["size"],
    methods: {
      kind() {
        return "v1";
      },
    },
  });
  ns.defineClass({ name: "Old", fields: [] });
  ns.define("rate", 2);
  return ns;
}

describe("the replace record's patches, made when read", () => {
  test("take the old bindings to the new ones and back, after definitions and structural edits mixed", () => {
    const ns = world();
    const before = ns.snapshot;
    const shadow = cloneNamespace(ns);
    const item = definitionFromSpec({
      name: "Item",
      fields: ["size"],
      methods: {
        kind() {
          return "v2";
        },
      },
    });
    shadow.changeClass("Item", item);
    shadow.define("rate", 3);
    shadow.renameBinding("Item", "Thing");
    shadow.removeBinding("Old");
    shadow.addClass(definitionFromSpec({ name: "Added", fields: ["x"] }));
    const record = replaceNamespace(ns, shadow);
    const after = ns.snapshot;

    expect(applyPatches(before.bindings, inBindings(record.patches))).toEqual(after.bindings);
    expect(applyPatches(after.bindings, inBindings(record.inversePatches))).toEqual(
      before.bindings,
    );
    // The very objects the snapshot holds: a replay that made its own would differ here.
    const values = record.patches.filter((p) => p.op !== "remove").map((p) => p.value);
    expect(values).toContain(after.bindings.Thing);
    expect(values).toContain(after.bindings.Added);
    expect(values).toContain(after.bindings.rate);
    expect(record.patches.every((p) => p.path[0] === "bindings")).toBe(true);
    // Read again: the same lists, not a second replay.
    expect(record.patches).toBe(record.patches);
    expect(record.inversePatches).toBe(record.inversePatches);
    expect(shadow.patches).toBe(record.patches);
  });

  test("a shadow that changed nothing has none, and its commit writes the bindings it had", () => {
    const ns = world();
    const before = ns.snapshot;
    const record = replaceNamespace(ns, cloneNamespace(ns));
    expect(ns.snapshot.bindings).toBe(before.bindings);
    expect(ns.version).toBe(before.version + 1);
    expect(record.patches).toEqual([]);
    expect(record.inversePatches).toEqual([]);
  });
});
