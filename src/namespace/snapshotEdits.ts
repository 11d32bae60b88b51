/**
 * Copy-on-write edits of a namespace snapshot, with the patches and inverse
 * patches immer's `produceWithPatches` would give for the same edits. A
 * snapshot is two levels deep (the root, its bindings, each binding), so an
 * edit copies the root and the bindings record and shares every binding it
 * does not touch — what immer does, without drafts and without the
 * finalising walk through every value written (a shadow's edit of a class
 * definition cost ~30 µs through immer, most of an update that replaces one
 * method). New values are deep-frozen as immer's auto-freeze would.
 */
import { freeze, type Patch } from "immer";
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { Binding, NamespaceSnapshot } from "./namespace.js";

export type BindingEdit =
  /** Binds `name` (adding or replacing). */
  | { readonly op: "set"; readonly name: string; readonly binding: Binding }
  | { readonly op: "delete"; readonly name: string }
  /** Gives the class bound to `name` a new definition (nothing when `name` binds no class). */
  | { readonly op: "definition"; readonly name: string; readonly definition: ClassDefinition };

export interface EditedSnapshot {
  readonly snapshot: NamespaceSnapshot;
  readonly patches: Patch[];
  /** Applied in order, they take the edited snapshot back to the original. */
  readonly inversePatches: Patch[];
}

/** Applies `edits` in order to a copy of `snapshot`; the snapshot itself when nothing changes. */
export function editBindings(
  snapshot: NamespaceSnapshot,
  edits: readonly BindingEdit[],
): EditedSnapshot {
  const bindings: Record<string, Binding> = { ...snapshot.bindings };
  const patches: Patch[] = [];
  const inversePatches: Patch[] = [];
  for (const edit of edits) {
    const path = ["bindings", edit.name];
    const had = Object.hasOwn(bindings, edit.name);
    const old = had ? bindings[edit.name] : undefined;
    if (edit.op === "delete") {
      if (!had) continue;
      delete bindings[edit.name];
      patches.push({ op: "remove", path });
      inversePatches.unshift({ op: "add", path, value: old });
    } else if (edit.op === "set") {
      if (had && old === edit.binding) continue;
      const binding = freeze(edit.binding, true);
      bindings[edit.name] = binding;
      patches.push({ op: had ? "replace" : "add", path, value: binding });
      inversePatches.unshift(had ? { op: "replace", path, value: old } : { op: "remove", path });
    } else {
      if (old?.kind !== "class" || old.definition === edit.definition) continue;
      const definition = freeze(edit.definition, true);
      bindings[edit.name] = Object.freeze({ ...old, definition });
      const definitionPath = [...path, "definition"];
      patches.push({ op: "replace", path: definitionPath, value: definition });
      inversePatches.unshift({ op: "replace", path: definitionPath, value: old.definition });
    }
  }
  if (patches.length === 0) return { snapshot, patches, inversePatches };
  return {
    snapshot: Object.freeze({ ...snapshot, bindings: Object.freeze(bindings) }),
    patches,
    inversePatches,
  };
}

/** The same bindings at another version number (shared, as immer would share them). */
export function atVersion(snapshot: NamespaceSnapshot, version: number): NamespaceSnapshot {
  return Object.freeze({ ...snapshot, version });
}
