/**
 * What the steps of a composition have established so far, symbolically:
 * which classes and fields are gone (and how), which were created, whose
 * layout changed, which validation names and which policy are taken. Each
 * fact is tagged with the step that established it, so a conflict can name
 * both steps.
 */
import type { Operation, Policy } from "../operations.js";

export type Origin = "first" | "second";

export interface Fact {
  readonly origin: Origin;
  readonly index: number;
}

export type Departure = "removed" | "renamed" | "moved up" | "moved down" | "split";

export interface Gone extends Fact {
  readonly how: Departure;
  /** The new name (renamed) or the class the field went to (split). */
  readonly to?: string;
}

export class SymbolicWorld {
  readonly classesGone = new Map<string, Gone>();
  readonly classesCreated = new Map<string, Fact>();
  /** Classes known by a name a rename gave them: the new name, and the name they had. */
  readonly classesRenamed = new Map<string, Fact & { readonly from: string }>();
  readonly fieldsGone = new Map<string, Map<string, Gone>>();
  readonly fieldsCreated = new Map<string, Map<string, Fact>>();
  /** Classes whose instances' fields (own or inherited) the steps changed. */
  readonly layoutChanged = new Map<string, Fact>();
  /**
   * Classes whose instances' fields the steps reordered: the objects are
   * rewritten, though an old view (values by name) sees the same state.
   */
  readonly reordered = new Map<string, Fact>();
  /** Classes a split created: their objects are made by the update itself. */
  readonly splitInto = new Map<string, Fact>();
  /** Per class, the fields a split created to link each object to its split-off part. */
  readonly splitLinks = new Map<string, Map<string, Fact>>();
  readonly validations = new Map<string, Fact>();
  /** afterCommit and afterRollback hooks, by name. */
  readonly hooks = new Map<string, Fact & { readonly when: "afterCommit" | "afterRollback" }>();
  /** The first step that changes the world (not a validation, hook or policy). */
  change: Fact | undefined;
  policy: (Fact & { readonly policy: Policy }) | undefined;

  fieldsGoneOf(cls: string): Map<string, Gone> {
    return getOrCreate(this.fieldsGone, cls);
  }

  fieldsCreatedOf(cls: string): Map<string, Fact> {
    return getOrCreate(this.fieldsCreated, cls);
  }

  createClass(name: string, fields: readonly string[], fact: Fact): void {
    this.classesGone.delete(name);
    this.classesRenamed.delete(name);
    this.classesCreated.set(name, fact);
    this.fieldsGone.delete(name);
    this.layoutChanged.delete(name);
    this.reordered.delete(name);
    this.fieldsCreated.set(name, new Map(fields.map((f) => [f, fact])));
  }

  removeClass(name: string, fact: Fact): void {
    this.classesCreated.delete(name);
    this.classesRenamed.delete(name);
    this.classesGone.set(name, { ...fact, how: "removed" });
    this.fieldsGone.delete(name);
    this.fieldsCreated.delete(name);
    this.layoutChanged.delete(name);
    this.reordered.delete(name);
    this.splitInto.delete(name);
    this.splitLinks.delete(name);
  }

  /** Whatever was known of `from` is now known of `to` (and nothing of `to` before it). */
  renameClass(from: string, to: string, fact: Fact): void {
    this.classesCreated.delete(from);
    this.classesGone.set(from, { ...fact, how: "renamed", to });
    this.classesGone.delete(to);
    this.classesCreated.set(to, fact);
    const original = this.classesRenamed.get(from)?.from ?? from;
    this.classesRenamed.delete(from);
    this.classesRenamed.set(to, { ...fact, from: original });
    for (const map of [
      this.fieldsGone,
      this.fieldsCreated,
      this.layoutChanged,
      this.reordered,
      this.splitInto,
      this.splitLinks,
    ] as Map<string, unknown>[]) {
      const entry = map.get(from);
      map.delete(from);
      if (entry === undefined) map.delete(to);
      else map.set(to, entry);
    }
  }

  /**
   * Records a layout change. A change by the first patch is what the second
   * is checked against, so a later step of the second patch never hides it.
   */
  markLayout(changes: Map<string, Fact>, cls: string, fact: Fact): void {
    if (changes.get(cls)?.origin === "first" && fact.origin === "second") return;
    changes.set(cls, fact);
  }

  createField(cls: string, field: string, fact: Fact): void {
    this.fieldsGoneOf(cls).delete(field);
    this.fieldsCreatedOf(cls).set(field, fact);
    this.markLayout(this.layoutChanged, cls, fact);
  }

  dropField(cls: string, field: string, gone: Gone): void {
    this.fieldsCreatedOf(cls).delete(field);
    this.fieldsGoneOf(cls).set(field, gone);
    this.markLayout(this.layoutChanged, cls, gone);
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
    if (changesWorld(op)) this.change ??= fact;
    switch (op.op) {
      case "addClass":
      case "insertSuperclass":
        this.createClass(
          op.shape.name,
          (op.shape.fields ?? []).map((f) => f.name),
          fact,
        );
        if (op.op === "insertSuperclass") this.markLayout(this.layoutChanged, op.className, fact);
        break;
      case "removeClass":
        this.removeClass(op.className, fact);
        break;
      case "renameClass":
        this.renameClass(op.className, op.to, fact);
        break;
      case "changeSuperclass":
        this.markLayout(this.layoutChanged, op.className, fact);
        break;
      case "reorderFields":
        this.markLayout(this.reordered, op.className, fact);
        break;
      case "splitClass":
        for (const f of op.fields)
          this.dropField(op.className, f, { ...fact, how: "split", to: op.into });
        this.createField(op.className, op.via, fact);
        this.createClass(op.into, op.fields, fact);
        this.splitInto.set(op.into, fact);
        getOrCreate(this.splitLinks, op.className).set(op.via, fact);
        break;
      case "validateNamespace":
      case "validateInstances":
        this.validations.set(op.name, fact);
        break;
      case "policy":
        this.policy = { ...fact, policy: op.policy };
        break;
      case "afterCommit":
      case "afterRollback":
        this.hooks.set(op.name, { ...fact, when: op.op });
        break;
      default:
        this.applyFieldStep(op, fact);
    }
  }

  private applyFieldStep(op: Operation, fact: Fact): void {
    switch (op.op) {
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
      default:
        // Methods, migrators and new implementations leave the symbolic world as it is.
        break;
    }
  }
}

function getOrCreate<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

/** Whether a step changes classes, fields, methods or instances (validations, hooks and the policy do not). */
export function changesWorld(op: Operation): boolean {
  switch (op.op) {
    case "validateNamespace":
    case "validateInstances":
    case "afterCommit":
    case "afterRollback":
    case "policy":
      return false;
    default:
      return true;
  }
}
