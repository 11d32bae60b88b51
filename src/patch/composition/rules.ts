/**
 * The composition rules, one check each, in the order they are tried: the
 * first that finds a conflict between a step of the second patch and the
 * first patch names it. Each check reads the step and the symbolic world and
 * changes nothing.
 */
import { displayName } from "../summary.js";
import type { CompositionConflict, ConflictRule, Step } from "./conflict.js";
import { fromFirst } from "./conflict.js";
import {
  classesCreated,
  classesReferenced,
  fieldsCreated,
  fieldsReferenced,
  readsOldState,
} from "./footprint.js";
import type { Fact, Gone } from "./symbolicWorld.js";

type ConflictCheck = (step: Step) => CompositionConflict | undefined;

const departed = (gone: Gone): string =>
  gone.how === "renamed"
    ? `renamed to ${displayName(gone.to!)}`
    : gone.how === "split"
      ? `moved into the new class ${displayName(gone.to!)}`
      : gone.how === "moved up"
        ? "moved up into the superclass"
        : gone.how === "moved down"
          ? "moved down into the subclasses"
          : "removed";

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

/**
 * The first patch's layout change that may concern `className`: its own, or —
 * the hierarchy being unknown here — any class's, which may be a superclass.
 */
function layoutChangeFor(
  world: Step["world"],
  className: string,
): { readonly fact: Fact; readonly changedClass: string } | undefined {
  const own = fromFirst(world.layoutChanged.get(className));
  if (own) return { fact: own, changedClass: className };
  const any = [...world.layoutChanged].find(([, fact]) => fromFirst(fact));
  return any ? { fact: any[1], changedClass: any[0] } : undefined;
}

function describeChanged(changedClass: string, className: string): string {
  const cls = displayName(className);
  return changedClass === className
    ? cls
    : `${displayName(changedClass)} (it may be a superclass of ${cls})`;
}

const removedMigratedClass: ConflictCheck = ({ op, world, conflict }) => {
  if (op.op !== "removeClass") return undefined;
  const changed = layoutChangeFor(world, op.className);
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
  fieldCreatedTwice,
  classCreatedTwice,
  policyClash,
  validationNameTaken,
  removedMigratedClass,
  staleOldView,
];
