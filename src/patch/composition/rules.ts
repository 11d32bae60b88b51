/**
 * The composition rules, one check each, in the order they are tried: the
 * first that finds a conflict between a step of the second patch and the
 * first patch names it. Each check reads the step and the symbolic world and
 * changes nothing.
 */
import { displayName } from "../summary.js";
import type { CompositionConflict, ConflictRule, Step } from "./conflict.js";
import { departed, fromFirst } from "./conflict.js";
import {
  classesCreated,
  classesReferenced,
  fieldsCreated,
  fieldsReferenced,
  readsOldState,
} from "./footprint.js";
import type { Fact } from "./symbolicWorld.js";
import { changesWorld } from "./symbolicWorld.js";

type ConflictCheck = (step: Step) => CompositionConflict | undefined;

/** The same class rename or removal in both: say so, rather than "refers to a removed class". */
const classDepartedTwice: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "renameClass" && op.op !== "removeClass") return undefined;
  const gone = fromFirst(world.classesGone.get(op.className));
  const cls = displayName(op.className);
  if (gone && op.op === "renameClass" && gone.how === "renamed") {
    return conflict(
      "class-renamed-twice",
      gone.index,
      (a, b) =>
        `both rename class ${cls}: ${a} to ${displayName(gone.to!)}, and ${b} to ${displayName(op.to)}`,
      { className: op.className },
    );
  }
  if (gone && op.op === "removeClass" && gone.how === "removed") {
    return conflict(
      "class-removed-twice",
      gone.index,
      (a, b) => `both remove class ${cls}: ${a} and ${b}`,
      { className: op.className },
    );
  }
  return undefined;
};

/** The same field rename or removal in both. */
const fieldDepartedTwice: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "renameField" && op.op !== "removeField") return undefined;
  if (world.classesGone.has(op.className)) return undefined;
  const gone = fromFirst(world.fieldsGone.get(op.className)?.get(op.field));
  const field = `${displayName(op.className)}.${displayName(op.field)}`;
  if (gone && op.op === "renameField" && gone.how === "renamed") {
    return conflict(
      "field-renamed-twice",
      gone.index,
      (a, b) =>
        `both rename field ${field}: ${a} to ${displayName(gone.to!)}, and ${b} to ${displayName(op.to)}`,
      { className: op.className, field: op.field },
    );
  }
  if (gone && op.op === "removeField" && gone.how === "removed") {
    return conflict(
      "field-removed-twice",
      gone.index,
      (a, b) => `both remove field ${field}: ${a} and ${b}`,
      { className: op.className, field: op.field },
    );
  }
  return undefined;
};

/** A step naming a class the first patch removed or renamed. */
const classGone: ConflictCheck = ({ op, world, conflict }) => {
  for (const cls of classesReferenced(op)) {
    const gone = fromFirst(world.classesGone.get(cls));
    if (!gone) continue;
    const renamed = gone.how === "renamed";
    return conflict(
      renamed ? "class-renamed" : "class-removed",
      gone.index,
      (a, b) =>
        `${b} refers to class ${displayName(cls)}, which ${a} ${departed(gone)}` +
        (renamed ? `; refer to it as ${displayName(gone.to!)}` : ""),
      { className: cls },
    );
  }
  return undefined;
};

/** A step naming a field the first patch removed, renamed or moved away. */
const fieldGone: ConflictCheck = ({ op, world, conflict }) => {
  if (!("className" in op)) return undefined;
  const cls = op.className;
  for (const field of fieldsReferenced(op)) {
    const gone = fromFirst(world.fieldsGone.get(cls)?.get(field));
    if (!gone) continue;
    const rule: ConflictRule =
      gone.how === "removed"
        ? "field-removed"
        : gone.how === "renamed"
          ? "field-renamed"
          : "field-moved";
    return conflict(
      rule,
      gone.index,
      (a, b) =>
        `${b} refers to field ${displayName(cls)}.${displayName(field)}, which ${a} ${departed(gone)}` +
        (gone.how === "renamed" ? `; refer to it as ${displayName(gone.to!)}` : ""),
      { className: cls, field },
    );
  }
  return undefined;
};

/**
 * A field moved up or down by the second patch the other way from a move of
 * the first (of the same field, or of one it then renamed — the hierarchy
 * is unknown here): in one combined update the two moves may cancel, where
 * in turn the objects that lost the field get it back fresh.
 */
const fieldMovedBack: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "pullUpField" && op.op !== "pushDownField") return undefined;
  const opposite = op.op === "pullUpField" ? "moved down" : "moved up";
  for (const [cls, fields] of world.fieldsGone) {
    for (const [name, fact] of fields) {
      const gone = fromFirst(fact);
      if (!gone || gone.how !== opposite) continue;
      return conflict(
        "field-moved-back",
        gone.index,
        (a, b) =>
          `${b} moves field ${displayName(op.field)} back after ${a} ${departed(gone)} field ${displayName(name)} of ${displayName(cls)}: in one combined update the two moves may cancel where, applied in turn, the objects that lost the field get it back fresh; apply the patches as two updates`,
        { className: cls, field: name },
      );
    }
  }
  return undefined;
};

const fieldCreatedTwice: ConflictCheck = ({ op, world, conflict }) => {
  if (!("className" in op)) return undefined;
  const cls = op.className;
  for (const field of fieldsCreated(op)) {
    const created = fromFirst(world.fieldsCreated.get(cls)?.get(field));
    if (!created) continue;
    return conflict(
      "field-added-twice",
      created.index,
      (a, b) => `both give class ${displayName(cls)} a field ${displayName(field)}: ${a} and ${b}`,
      { className: cls, field },
    );
  }
  return undefined;
};

const classCreatedTwice: ConflictCheck = ({ op, world, conflict }) => {
  for (const cls of classesCreated(op)) {
    const created = fromFirst(world.classesCreated.get(cls));
    if (!created) continue;
    return conflict(
      "class-created-twice",
      created.index,
      (a, b) => `both create a class named ${displayName(cls)}: ${a} and ${b}`,
      { className: cls },
    );
  }
  return undefined;
};

const policyClash: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "policy") return undefined;
  const policy = fromFirst(world.policy);
  if (!policy || policy.policy === op.policy) return undefined;
  return conflict(
    "policy",
    policy.index,
    (a, b) =>
      `the patches ask for different migration policies: ${a} wants ${policy.policy}, ${b} wants ${op.policy}`,
  );
};

const validationNameTaken: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "validateNamespace" && op.op !== "validateInstances") return undefined;
  const named = fromFirst(world.validations.get(op.name));
  if (!named) return undefined;
  return conflict(
    "validation-name",
    named.index,
    (a, b) =>
      `both declare a validation named ${JSON.stringify(op.name)}: ${a} and ${b}; a failure report could not tell them apart`,
  );
};

const hookNameTaken: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "afterCommit" && op.op !== "afterRollback") return undefined;
  const named = fromFirst(world.hooks.get(op.name));
  if (!named) return undefined;
  return conflict(
    "hook-name",
    named.index,
    (a, b) =>
      `both declare a hook named ${JSON.stringify(op.name)}: ${a} and ${b}; an error report could not tell them apart`,
  );
};

/**
 * Hooks run on the world of their own update. Applied in turn, the first
 * patch's afterCommit runs before the second patch changes anything, and the
 * second patch's afterRollback runs with the first patch still applied; in
 * one combined update neither would.
 */
const hookSeesLaterChange: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op === "afterRollback") {
    const change = fromFirst(world.change);
    if (!change) return undefined;
    return conflict(
      "hook-sees-later-change",
      change.index,
      (a, b) =>
        `${b} would run after rolling back the second patch, with the first still applied; in one combined update it would run after ${a} is undone too; apply the patches as two updates`,
    );
  }
  if (!changesWorld(op)) return undefined;
  const hook = [...world.hooks.values()].find(
    (h) => h.origin === "first" && h.when === "afterCommit",
  );
  if (!hook) return undefined;
  return conflict(
    "hook-sees-later-change",
    hook.index,
    (a, b) =>
      `${a} would run right after the first patch's commit; in one combined update it would run after ${b} too; apply the patches as two updates`,
  );
};

/**
 * The first patch's layout change that may concern `className`: its own, or —
 * the hierarchy being unknown here — any class's, which may be a superclass.
 */
function layoutChangeFor(
  world: Step["world"],
  className: string,
  changes: readonly ReadonlyMap<string, Fact>[] = [world.layoutChanged],
): { readonly fact: Fact; readonly changedClass: string } | undefined {
  for (const changed of changes) {
    const own = fromFirst(changed.get(className));
    if (own) return { fact: own, changedClass: className };
  }
  for (const changed of changes) {
    const any = [...changed].find(([, fact]) => fromFirst(fact));
    if (any) return { fact: any[1], changedClass: any[0] };
  }
  return undefined;
}

function describeChanged(changedClass: string, className: string): string {
  const cls = displayName(className);
  return changedClass === className
    ? cls
    : `${displayName(changedClass)} (it may be a superclass of ${cls})`;
}

const removedMigratedClass: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "removeClass") return undefined;
  // A reorder rewrites the objects too: removed in the same update, they would keep the old order.
  const changed = layoutChangeFor(world, op.className, [world.layoutChanged, world.reordered]);
  if (!changed) return undefined;
  const cls = displayName(op.className);
  return conflict(
    "removed-migrated-class",
    changed.fact.index,
    (a, b) =>
      `${b} removes class ${cls}, whose instances ${a} migrates (it changes the fields of ${describeChanged(changed.changedClass, op.className)}): one combined update would leave them unmigrated; apply the patches as two updates`,
    { className: op.className },
  );
};

/**
 * A class the first patch renamed, removed by the second. One after the
 * other, the class is renamed (its handle, and every object that outlives
 * it, report the new name) and then removed; in one combined update it is
 * removed under its old name and the rename never happens, so the two differ
 * for whatever still refers to the class.
 */
const removedRenamedClass: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "removeClass") return undefined;
  const renamed = fromFirst(world.classesRenamed.get(op.className));
  if (!renamed) return undefined;
  const cls = displayName(op.className);
  return conflict(
    "removed-renamed-class",
    renamed.index,
    (a, b) =>
      `${b} removes class ${cls}, which ${a} renamed from ${displayName(renamed.from)}: one combined update would remove it as ${displayName(renamed.from)} without renaming it, so what still refers to it would not see the same class; apply the patches as two updates, or remove ${displayName(renamed.from)} instead of renaming it`,
    { className: op.className },
  );
};

/** Steps that change which fields a class's objects have. */
function changesLayout(op: Step["op"]): boolean {
  return (
    fieldsCreated(op).length > 0 ||
    fieldsReferenced(op).length > 0 ||
    op.op === "changeSuperclass" ||
    op.op === "insertSuperclass" ||
    op.op === "migrator" ||
    op.op === "replaceImplementation"
  );
}

/**
 * A split makes new objects (one per instance, linked through the new `via`
 * field) inside the update. A second patch that changes those objects' class
 * or the link is written against objects that, in one combined update, do
 * not exist yet when its steps are planned: refused rather than guessed.
 */
const splitChanged: ConflictCheck = ({ op, world, conflict }) => {
  if (!("className" in op)) return undefined;
  const cls = displayName(op.className);
  const made = fromFirst(world.splitInto.get(op.className));
  if (made && changesLayout(op)) {
    return conflict(
      "split-changed",
      made.index,
      (a, b) =>
        `${b} changes the objects of class ${cls}, which ${a} creates by splitting another class: one combined update cannot change objects it is still creating; apply the patches as two updates`,
      { className: op.className },
    );
  }
  if (op.op === "splitClass") {
    for (const field of op.fields) {
      const created = fromFirst(world.fieldsCreated.get(op.className)?.get(field));
      if (!created) continue;
      return conflict(
        "split-changed",
        created.index,
        (a, b) =>
          `${b} moves field ${cls}.${displayName(field)}, which ${a} creates, into a new class: in one combined update the moved value would not be the one the first patch gives it; apply the patches as two updates`,
        { className: op.className, field },
      );
    }
  }
  const links = world.splitLinks.get(op.className);
  for (const field of [...fieldsReferenced(op), ...fieldsCreated(op)]) {
    const link = fromFirst(links?.get(field));
    if (!link) continue;
    return conflict(
      "split-changed",
      link.index,
      (a, b) =>
        `${b} changes field ${cls}.${displayName(field)}, the link ${a} creates to each object's split-off part: in one combined update the link does not exist yet; apply the patches as two updates`,
      { className: op.className, field },
    );
  }
  return undefined;
};

/** A step deriving values from an old state the first patch changes: in one update, that state is gone. */
const staleOldView: ConflictCheck = ({ op, world, first, conflict }) => {
  if (!("className" in op) || !readsOldState(op)) return undefined;
  const changed = layoutChangeFor(world, op.className);
  if (!changed) return undefined;
  const cls = displayName(op.className);
  return conflict(
    "stale-old-view",
    changed.fact.index,
    (a, b) =>
      `${b} derives values from the old state of ${cls} instances, but in one combined update ` +
      `the old state is the one before "${first.name}", and ${a} changes the fields of ${describeChanged(changed.changedClass, op.className)}; ` +
      "apply the patches as two updates, or write the function against the original fields",
    { className: op.className },
  );
};

export const CONFLICT_CHECKS: readonly ConflictCheck[] = [
  classDepartedTwice,
  fieldDepartedTwice,
  classGone,
  fieldGone,
  fieldMovedBack,
  fieldCreatedTwice,
  classCreatedTwice,
  policyClash,
  validationNameTaken,
  hookNameTaken,
  hookSeesLaterChange,
  removedMigratedClass,
  removedRenamedClass,
  splitChanged,
  staleOldView,
];
