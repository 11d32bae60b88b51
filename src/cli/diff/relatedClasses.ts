/**
 * The classes a patch carries besides those whose source changed: unchanged
 * subclasses of a class whose fields moved (their instances migrate too),
 * and classes new in the release that a running class now extends (the
 * patch adds them first). Each as the service must read it: other classes
 * by their running names (./runningNames.ts).
 */
import { summariseClassChange } from "../../dev/common.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { parseClassSource } from "../../mop/source/parse.js";
import type { ClassRenames } from "./classRenames.js";
import { classValuedFieldFacts, moduleNamesTodos, shadowedMethodTodos } from "./classTodos.js";
import type { ClassChange, Context, RunningView } from "./derivation.js";
import type { ManagedClass, ReleaseInventory } from "./inventory.js";
import { withRunningNames } from "./runningNames.js";

export function runningView(cls: ManagedClass, renames: ClassRenames): RunningView {
  const expression = withRunningNames(cls.expression, renames);
  if (expression === cls.expression) {
    return { expression, definition: cls.definition, moduleNames: cls.moduleNames };
  }
  const parsed = parseClassSource(expression);
  return {
    expression,
    definition: {
      ...cls.definition,
      superclass: parsed.superclass,
      fields: parsed.fields,
      methods: parsed.methods,
      staticFields: parsed.staticFields,
    },
    moduleNames: [...new Set(cls.moduleNames.map((n) => renames.get(n) ?? n))],
  };
}

/** What every kind of class change says alike: where, the implementation, its rename. */
export function common(
  context: Context,
  cls: ManagedClass,
  before: ManagedClass | undefined,
  view: RunningView,
) {
  const hint = context.hintedBy.get(cls.name);
  return {
    name: cls.name,
    file: cls.file,
    line: cls.line,
    definition: view.definition,
    implementation: view.expression,
    moduleNames: view.moduleNames,
    namedInside: cls.namedInside,
    ...(before && before.name !== cls.name
      ? { renamedFrom: { name: before.name, ...(hint ? { hint } : {}) } }
      : {}),
  };
}

function subclassChange(
  context: Context,
  pair: { before: ManagedClass; after: ManagedClass },
  parent: string,
): ClassChange {
  const { before, after } = pair;
  const view = runningView(after, context.renames);
  const todos = moduleNamesTodos(after, view.moduleNames, context.resolution, context.next);
  return {
    ...common(context, after, before, view),
    reason: "subclass",
    summary: summariseClassChange(view.definition, view.definition, {}, undefined),
    renames: {},
    keepStatics: view.definition.staticFields.map((f) => f.name),
    movedUp: [],
    facts: classValuedFieldFacts(before.definition, view.definition, context.resolution.running),
    migrator: false,
    validation: false,
    resets: [],
    todos: todos.map((t) => `${t} (its superclass ${parent}'s fields moved)`),
  };
}

/** Unchanged classes whose ancestors' fields (or superclass) moved: they migrate too. */
export function subclassesToMigrate(
  context: Context,
  moved: ReadonlySet<string>,
  planned: ReadonlySet<string>,
): ClassChange[] {
  if (moved.size === 0) return [];
  const { next, old, renames } = context;
  const out: ClassChange[] = [];
  for (const cls of next.classes.values()) {
    // A class new in this release has no instances to migrate, and no class of that name runs.
    const before = old.classes.get(renames.get(cls.name) ?? cls.name);
    if (planned.has(cls.name) || before === undefined) continue;
    const seen = new Set<string>();
    for (let p = cls.definition.superclass; p !== null && !seen.has(p); ) {
      seen.add(p);
      if (moved.has(p)) {
        out.push(subclassChange(context, { before, after: cls }, p));
        break;
      }
      p = next.classes.get(p)?.definition.superclass ?? null;
    }
  }
  return out;
}

/**
 * Classes new in the release that a class of the running one now extends
 * (directly or further up): the patch adds them, before the classes that
 * move under them (a patch that moved User under a Person it never made was
 * refused).
 */
export function addedSuperclasses(
  old: ReleaseInventory,
  next: ReleaseInventory,
  renames: ClassRenames,
): Map<string, string[]> {
  const isNew = (name: string) => !old.classes.has(name) && !renames.has(name);
  const added = new Map<string, string[]>();
  for (const cls of next.classes.values()) {
    if (isNew(cls.name)) continue;
    const seen = new Set<string>();
    for (let p = cls.definition.superclass; p !== null && next.classes.has(p) && !seen.has(p); ) {
      seen.add(p);
      if (isNew(p)) added.set(p, []);
      p = next.classes.get(p)!.definition.superclass;
    }
  }
  for (const cls of next.classes.values()) {
    const parent = cls.definition.superclass;
    if (parent !== null && added.has(parent)) added.get(parent)!.push(cls.name);
  }
  return added;
}

export function addedClass(
  context: Context,
  cls: ManagedClass,
  extendedBy: readonly string[],
): ClassChange {
  const view = runningView(cls, context.renames);
  const parent = cls.definition.superclass;
  const empty: ClassDefinition = { ...view.definition, fields: [], methods: [], staticFields: [] };
  return {
    ...common(context, cls, undefined, view),
    reason: "added",
    added: {
      superclass: parent !== null && context.next.classes.has(parent) ? parent : null,
      extendedBy,
    },
    summary: summariseClassChange(empty, view.definition, {}, undefined),
    renames: {},
    keepStatics: [],
    movedUp: [],
    facts: [],
    migrator: false,
    validation: false,
    resets: [],
    todos: [
      ...shadowedMethodTodos({ now: cls.name, running: null }, context.old, context.next),
      ...moduleNamesTodos(cls, view.moduleNames, context.resolution, context.next),
    ],
  };
}
