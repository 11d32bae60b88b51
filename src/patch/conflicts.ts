/**
 * Whether two patches can be composed. `a.andThen(b)` means "apply a, then b" as
 * one update, so `b` was written against the world `a` leaves behind. The
 * composition is refused when a step of `b` cannot mean what its author
 * meant once it follows `a`: it names a class or field that `a` removed,
 * renamed or moved away; it creates a name `a` already created; it disagrees
 * with `a` on the policy or reuses a validation name; or it derives values
 * from an old state that, in one combined update, is no longer the state `b`
 * was written against.
 *
 * The check is symbolic: it knows only what the two patches say, not the
 * namespace, so it never refuses a composition for a fact it would have to
 * guess. Whatever it cannot see (e.g. fields inherited from a superclass) is
 * left to the engine, which checks the composed patch against the live world.
 */
import type { Operation, Policy } from "./operations.js";
import { describeOperation, displayName } from "./summary.js";

export type ConflictRule =
  | "class-removed"
  | "class-renamed"
  | "class-removed-twice"
  | "class-renamed-twice"
  | "class-created-twice"
  | "field-removed"
  | "field-renamed"
  | "field-moved"
  | "field-removed-twice"
  | "field-renamed-twice"
  | "field-added-twice"
  | "policy"
  | "validation-name"
  | "stale-old-view"
  | "removed-migrated-class";

/** One step of one of the two patches. `index` is the position in that patch's operations. */
export interface StepReference {
  readonly patch: string;
  readonly index: number;
  readonly step: string;
}

export interface CompositionConflict {
  readonly rule: ConflictRule;
  readonly message: string;
  readonly first: StepReference;
  readonly second: StepReference;
  readonly className?: string;
  readonly field?: string;
}

interface PatchLike {
  readonly name: string;
  readonly operations: readonly Operation[];
}

type Origin = "first" | "second";

interface Fact {
  readonly origin: Origin;
  readonly index: number;
}

type Departure = "removed" | "renamed" | "moved up" | "moved down" | "split";

interface Gone extends Fact {
  readonly how: Departure;
  /** The new name (renamed) or the class the field went to (split). */
  readonly to?: string;
}

/** What the operations so far have established, each fact tagged with the step that established it. */
class SymbolicWorld {
  readonly classesGone = new Map<string, Gone>();
  readonly classesCreated = new Map<string, Fact>();
  readonly fieldsGone = new Map<string, Map<string, Gone>>();
  readonly fieldsCreated = new Map<string, Map<string, Fact>>();
  /** Classes whose instances' fields (own or inherited) the steps changed. */
  readonly layoutChanged = new Map<string, Fact>();
  readonly validations = new Map<string, Fact>();
  policy: (Fact & { readonly policy: Policy }) | undefined;

  fieldsGoneOf(cls: string): Map<string, Gone> {
    return getOrCreate(this.fieldsGone, cls);
  }

  fieldsCreatedOf(cls: string): Map<string, Fact> {
    return getOrCreate(this.fieldsCreated, cls);
  }

  createClass(name: string, fields: readonly string[], fact: Fact): void {
    this.classesGone.delete(name);
    this.classesCreated.set(name, fact);
    this.fieldsGone.delete(name);
    this.layoutChanged.delete(name);
    this.fieldsCreated.set(name, new Map(fields.map((f) => [f, fact])));
  }

  createField(cls: string, field: string, fact: Fact): void {
    this.fieldsGoneOf(cls).delete(field);
    this.fieldsCreatedOf(cls).set(field, fact);
    this.layoutChanged.set(cls, fact);
  }

  dropField(cls: string, field: string, gone: Gone): void {
    this.fieldsCreatedOf(cls).delete(field);
    this.fieldsGoneOf(cls).set(field, gone);
    this.layoutChanged.set(cls, gone);
  }

  /**
   * Pulling a field up or pushing it down moves it into classes whose names
   * the patch does not say (the superclass, the siblings, the subclasses), so
   * nothing known about that field name in any class can be trusted after it.
   */
  forgetField(field: string): void {
    for (const fields of this.fieldsGone.values()) fields.delete(field);
    for (const fields of this.fieldsCreated.values()) fields.delete(field);
  }

  apply(op: Operation, fact: Fact): void {
    switch (op.op) {
      case "addClass":
        this.createClass(
          op.shape.name,
          (op.shape.fields ?? []).map((f) => f.name),
          fact,
        );
        break;
      case "insertSuperclass":
        this.createClass(
          op.shape.name,
          (op.shape.fields ?? []).map((f) => f.name),
          fact,
        );
        this.layoutChanged.set(op.className, fact);
        break;
      case "removeClass":
        this.classesCreated.delete(op.className);
        this.classesGone.set(op.className, { ...fact, how: "removed" });
        this.fieldsGone.delete(op.className);
        this.fieldsCreated.delete(op.className);
        this.layoutChanged.delete(op.className);
        break;
      case "renameClass": {
        const { className: from, to } = op;
        this.classesCreated.delete(from);
        this.classesGone.set(from, { ...fact, how: "renamed", to });
        this.classesGone.delete(to);
        this.classesCreated.set(to, fact);
        for (const map of [this.fieldsGone, this.fieldsCreated, this.layoutChanged] as Map<
          string,
          unknown
        >[]) {
          const entry = map.get(from);
          map.delete(from);
          if (entry === undefined) map.delete(to);
          else map.set(to, entry);
        }
        break;
      }
      case "addField":
        this.createField(op.className, op.field, fact);
        break;
      case "removeField":
        this.dropField(op.className, op.field, { ...fact, how: "removed" });
        break;
      case "renameField":
        this.dropField(op.className, op.field, { ...fact, how: "renamed", to: op.to });
        this.createField(op.className, op.to, fact);
        break;
      case "pullUpField":
        this.forgetField(op.field);
        this.dropField(op.className, op.field, { ...fact, how: "moved up" });
        break;
      case "pushDownField":
        this.forgetField(op.field);
        this.dropField(op.className, op.field, { ...fact, how: "moved down" });
        break;
      case "splitClass":
        for (const f of op.fields)
          this.dropField(op.className, f, { ...fact, how: "split", to: op.into });
        this.createField(op.className, op.via, fact);
        this.createClass(op.into, op.fields, fact);
        break;
      case "changeSuperclass":
        this.layoutChanged.set(op.className, fact);
        break;
      case "validateNamespace":
      case "validateInstances":
        this.validations.set(op.name, fact);
        break;
      case "policy":
        this.policy = { ...fact, policy: op.policy };
        break;
      case "reorderFields":
      case "addMethod":
      case "replaceMethod":
      case "removeMethod":
      case "migrator":
      case "replaceImplementation":
        break;
    }
  }
}

function getOrCreate<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

/** Class names an operation needs to exist before it runs. */
function classesReferenced(op: Operation): string[] {
  switch (op.op) {
    case "addClass":
      return op.shape.superclass ? [op.shape.superclass] : [];
    case "changeSuperclass":
      return op.superclass === null ? [op.className] : [op.className, op.superclass];
    case "validateNamespace":
    case "policy":
      return [];
    default:
      return [op.className];
  }
}

/** Fields (of `op.className`) an operation needs to exist before it runs. */
function fieldsReferenced(op: Operation): string[] {
  switch (op.op) {
    case "addField":
      return op.before === undefined ? [] : [op.before];
    case "removeField":
    case "renameField":
    case "pullUpField":
    case "pushDownField":
      return [op.field];
    case "reorderFields":
      return [...op.order];
    case "splitClass":
      return [...op.fields];
    default:
      return [];
  }
}

function classesCreated(op: Operation): string[] {
  switch (op.op) {
    case "addClass":
    case "insertSuperclass":
      return [op.shape.name];
    case "renameClass":
      return [op.to];
    case "splitClass":
      return [op.into];
    default:
      return [];
  }
}

function fieldsCreated(op: Operation): string[] {
  switch (op.op) {
    case "addField":
      return [op.field];
    case "renameField":
      return [op.to];
    case "splitClass":
      return [op.via];
    default:
      return [];
  }
}

/** Steps that derive values from the old state of `op.className`'s instances. */
function readsOldState(op: Operation): boolean {
  return op.op === "migrator" || (op.op === "addField" && op.initial !== undefined);
}

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

/** The first step of `second` that conflicts with a step of `first`, if any. */
export function findConflict(first: PatchLike, second: PatchLike): CompositionConflict | undefined {
  const world = new SymbolicWorld();
  for (const [index, op] of first.operations.entries()) world.apply(op, { origin: "first", index });

  const ref = (patch: PatchLike, index: number): StepReference => ({
    patch: patch.name,
    index,
    step: describeOperation(patch.operations[index]!),
  });
  const at = (r: StepReference) => `"${r.patch}" operations[${r.index}] (${r.step})`;

  for (const [index, op] of second.operations.entries()) {
    const conflict = (
      rule: ConflictRule,
      firstIndex: number,
      explain: (a: string, b: string) => string,
      where: { className?: string; field?: string } = {},
    ): CompositionConflict => {
      const a = ref(first, firstIndex);
      const b = ref(second, index);
      return {
        rule,
        message: `cannot compose "${first.name}" then "${second.name}": ${explain(at(a), at(b))}`,
        first: a,
        second: b,
        ...where,
      };
    };
    const fromFirst = <F extends Fact>(fact: F | undefined): F | undefined =>
      fact?.origin === "first" ? fact : undefined;

    // The same rename or removal in both: say so, rather than "refers to a removed class".
    if (op.op === "renameClass" || op.op === "removeClass") {
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
          {
            className: op.className,
          },
        );
      }
    }
    if (
      (op.op === "renameField" || op.op === "removeField") &&
      !world.classesGone.has(op.className)
    ) {
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
          {
            className: op.className,
            field: op.field,
          },
        );
      }
    }

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

    if ("className" in op) {
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
      for (const field of fieldsCreated(op)) {
        const created = fromFirst(world.fieldsCreated.get(cls)?.get(field));
        if (!created) continue;
        return conflict(
          "field-added-twice",
          created.index,
          (a, b) =>
            `both give class ${displayName(cls)} a field ${displayName(field)}: ${a} and ${b}`,
          { className: cls, field },
        );
      }
    }

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

    if (op.op === "policy") {
      const policy = fromFirst(world.policy);
      if (policy && policy.policy !== op.policy) {
        return conflict(
          "policy",
          policy.index,
          (a, b) =>
            `the patches ask for different migration policies: ${a} wants ${policy.policy}, ${b} wants ${op.policy}`,
        );
      }
    }

    if (op.op === "validateNamespace" || op.op === "validateInstances") {
      const named = fromFirst(world.validations.get(op.name));
      if (named) {
        return conflict(
          "validation-name",
          named.index,
          (a, b) =>
            `both declare a validation named ${JSON.stringify(op.name)}: ${a} and ${b}; a failure report could not tell them apart`,
        );
      }
    }

    if (op.op === "removeClass") {
      // As for old views below: without the hierarchy, a layout change to any
      // class may be one the removed class inherits.
      const own = fromFirst(world.layoutChanged.get(op.className));
      const any = [...world.layoutChanged].find(([, fact]) => fromFirst(fact));
      const migrated = own ?? (any ? fromFirst(any[1]) : undefined);
      if (migrated && any) {
        const cls = displayName(op.className);
        const changed = own ? cls : `${displayName(any[0])} (it may be a superclass of ${cls})`;
        return conflict(
          "removed-migrated-class",
          migrated.index,
          (a, b) =>
            `${b} removes class ${cls}, whose instances ${a} migrates (it changes the fields of ${changed}): one combined update would leave them unmigrated; apply the patches as two updates`,
          { className: op.className },
        );
      }
    }

    if ("className" in op && readsOldState(op)) {
      // The class hierarchy is not known here, so a layout change to any class
      // (it may be a superclass of this one) makes the old view differ.
      const own = fromFirst(world.layoutChanged.get(op.className));
      const any = [...world.layoutChanged].find(([, fact]) => fromFirst(fact));
      const changed = own ?? (any ? fromFirst(any[1]) : undefined);
      const changedClass = own ? op.className : any?.[0];
      if (changed && changedClass !== undefined) {
        const cls = displayName(op.className);
        const other =
          changedClass === op.className
            ? cls
            : `${displayName(changedClass)} (it may be a superclass of ${cls})`;
        return conflict(
          "stale-old-view",
          changed.index,
          (a, b) =>
            `${b} derives values from the old state of ${cls} instances, but in one combined update ` +
            `the old state is the one before "${first.name}", and ${a} changes the fields of ${other}; ` +
            "apply the patches as two updates, or write the function against the original fields",
          { className: op.className },
        );
      }
    }

    world.apply(op, { origin: "second", index });
  }
  return undefined;
}
