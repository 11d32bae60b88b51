/**
 * editBindings (src/namespace/snapshotEdits.ts) stands in for immer's
 * produceWithPatches in a shadow: for any sequence of edits it must give the
 * snapshot immer gives, patches that rebuild it from the original, inverse
 * patches that rebuild the original from it, frozen new values, and shared
 * untouched bindings.
 */
import fc from "fast-check";
import { applyPatches, Immer } from "immer";
import { describe, expect, test } from "vitest";
import type { ClassDefinition } from "../../src/mop/classDefinition.js";
import { type Binding, BoxedValue, type NamespaceSnapshot } from "../../src/namespace/namespace.js";
import { atVersion, type BindingEdit, editBindings } from "../../src/namespace/snapshotEdits.js";

const immer = new Immer({ autoFreeze: true });
const NAMES = ["A", "B", "C", "D"] as const;

class Handle {}

const definition = (name: string, tag: number): ClassDefinition =>
  ({
    name,
    superclass: null,
    fields: [{ name: `f${tag}`, initializer: String(tag) }],
    methods: [],
    staticFields: [],
  }) as unknown as ClassDefinition;

const binding = (name: string, kind: number, tag: number): Binding =>
  kind === 0
    ? { kind: "class", name, handle: Handle, definition: definition(name, tag) }
    : kind === 1
      ? { kind: "function", name, function: () => tag }
      : { kind: "value", name, box: new BoxedValue({ tag }) };

const editArbitrary: fc.Arbitrary<BindingEdit> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...NAMES), fc.integer({ min: 0, max: 2 }), fc.nat(9))
    .map(([name, kind, tag]) => ({ op: "set" as const, name, binding: binding(name, kind, tag) })),
  fc.constantFrom(...NAMES).map((name) => ({ op: "delete" as const, name })),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.nat(9))
    .map(([name, tag]) => ({ op: "definition" as const, name, definition: definition(name, tag) })),
);

/** What the shadow did before: one immer recipe per edit. */
function withImmer(snapshot: NamespaceSnapshot, edit: BindingEdit): NamespaceSnapshot {
  return immer.produce(snapshot, (draft) => {
    const bindings = draft.bindings as Record<string, Binding>;
    if (edit.op === "set") bindings[edit.name] = edit.binding;
    else if (edit.op === "delete") delete bindings[edit.name];
    else {
      const b = bindings[edit.name];
      if (b?.kind === "class") (b as { definition: ClassDefinition }).definition = edit.definition;
    }
  });
}

function start(names: readonly string[]): NamespaceSnapshot {
  return immer.produce({ version: 3, bindings: {} } as NamespaceSnapshot, (draft) => {
    for (const [i, name] of names.entries())
      (draft.bindings as Record<string, Binding>)[name] = binding(name, i % 3, i);
  });
}

describe("editBindings", () => {
  test("gives immer's snapshot, patches both ways, frozen values and shared untouched bindings", () => {
    fc.assert(
      fc.property(
        fc.subarray([...NAMES]),
        fc.array(fc.array(editArbitrary, { maxLength: 3 }), { maxLength: 6 }),
        (initial, batches) => {
          const base = start(initial);
          let ours = base;
          let theirs = base;
          const patches = [];
          const inverse = [];
          for (const batch of batches) {
            const edited = editBindings(ours, batch);
            if (edited.patches.length === 0) expect(edited.snapshot).toBe(ours);
            ours = edited.snapshot;
            patches.push(...edited.patches);
            inverse.unshift(...edited.inversePatches);
            for (const edit of batch) theirs = withImmer(theirs, edit);
          }
          expect(ours).toEqual(theirs);
          expect(Object.keys(ours.bindings)).toEqual(Object.keys(theirs.bindings));
          expect(applyPatches(base, patches)).toEqual(ours);
          expect(applyPatches(ours, inverse)).toEqual(base);
          expect(Object.isFrozen(ours) && Object.isFrozen(ours.bindings)).toBe(true);
          for (const [name, b] of Object.entries(ours.bindings)) {
            expect(Object.isFrozen(b)).toBe(true);
            if (b.kind === "class") expect(Object.isFrozen(b.definition.fields[0])).toBe(true);
            if (b.kind === "value") expect(Object.isFrozen(b.box.value)).toBe(false);
            if (base.bindings[name] !== undefined && patches.every((p) => p.path[1] !== name))
              expect(b).toBe(base.bindings[name]);
          }
        },
      ),
      { seed: 1505, numRuns: 300 },
    );
  });

  test("atVersion shares the bindings and changes only the version", () => {
    const base = start(["A", "B"]);
    const next = atVersion(base, 4);
    expect(next.version).toBe(4);
    expect(next.bindings).toBe(base.bindings);
    expect(Object.isFrozen(next)).toBe(true);
    expect(base.version).toBe(3);
  });
});
