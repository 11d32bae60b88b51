/**
 * The fields a class's objects gain and lose when an update changes the
 * classes above it: a release that turns composition into inheritance
 * (@datastructures-js/heap 4.1 → 4.3: `MinHeap` held a `Heap` in `_heap`,
 * then `MinHeap extends Heap`) gives every MinHeap the fields of its new
 * superclass — with no value, since no old MinHeap had them — and drops
 * `_heap` with every element. Looking at the class's own fields alone, it
 * only dropped one (nothing added): no warning was given, and every heap
 * was emptied silently. Undefined when the chain above the class is the
 * same classes before and after (each class's own warnings then say it).
 */
import type { ClassDefinition, FieldDefinition } from "../mop/classDefinition.js";
import { type BuildResult, type ClassBuild, definitionChain } from "./build.js";
import { ancestry } from "./changes.js";

export interface InheritedLayout {
  /** Fields the objects had from the running version's superclasses. */
  readonly before: ReadonlySet<string>;
  /** Fields of the new superclasses, each with its class and the old field it takes its value from (null: none). */
  readonly after: readonly {
    readonly owner: string;
    readonly field: FieldDefinition;
    readonly origin: string | null;
  }[];
}

/** Old class name → new, once per build: asked for every class, it was quadratic in their number. */
const newNamesOf = new WeakMap<BuildResult, ReadonlyMap<string, string>>();

function newNames(build: BuildResult): ReadonlyMap<string, string> {
  let names = newNamesOf.get(build);
  if (names === undefined) {
    names = new Map(
      [...build.classes].flatMap(([name, c]) => (c.oldName === null ? [] : [[c.oldName, name]])),
    );
    newNamesOf.set(build, names);
  }
  return names;
}

export function inheritedLayout(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): InheritedLayout | undefined {
  if (cls.oldName === null) return undefined;
  const newNameOf = newNames(build);
  const oldAbove = ancestry(cls.oldName, oldDefs).slice(1);
  const newAbove = definitionChain(className, build)
    .slice(1)
    .map((d) => d.name);
  const same =
    oldAbove.length === newAbove.length &&
    oldAbove.every((n, i) => newNameOf.get(n) === newAbove[i]);
  if (same) return undefined;
  const before = new Set(oldAbove.flatMap((n) => oldDefs.get(n)?.fields.map((f) => f.name) ?? []));
  const after = newAbove.flatMap((owner) => {
    const c = build.classes.get(owner)!;
    return c.definition.fields.map((field) => {
      const origin = c.fieldOrigins.has(field.name) ? c.fieldOrigins.get(field.name)! : field.name;
      return { owner, field, origin };
    });
  });
  return { before, after };
}

/**
 * Whether a migrator speaks for the objects of `className`, whose chain
 * changed: its own, or that of a class above it whose chain changed too
 * (written for objects gaining the same fields). A migrator of a class
 * whose chain stayed was written for that class's own objects, which had
 * its fields all along.
 */
export function migratedUnderNewChain(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): boolean {
  return definitionChain(className, build).some((d) => {
    const c = build.classes.get(d.name)!;
    return (
      c.migrators.length > 0 &&
      (d.name === className || inheritedLayout(d.name, c, build, oldDefs) !== undefined)
    );
  });
}
