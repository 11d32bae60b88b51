/**
 * Building: the operations on fields. Each keeps the draft's field origins
 * (where a new field's value comes from in an old object) and initialisers
 * in step with its field list. Those that move fields between classes mark
 * both drafts: an ordinary class's new version is derived from its running
 * one only for changes of its own fields (derivedImplementation.ts).
 */
import type { FieldDefinition } from "../../mop/classDefinition.js";
import type { Operation } from "../../patch/operations.js";
import type { Step } from "./drafts.js";
import { originOf, touch } from "./drafts.js";

type Op<K extends Operation["op"]> = Extract<Operation, { op: K }>;

export function addField(step: Step, op: Op<"addField">): void {
  const d = step.classNamed(op.className);
  step.noField(d, op.field);
  const field: FieldDefinition =
    op.defaultSource === undefined
      ? { name: op.field }
      : { name: op.field, initializer: op.defaultSource };
  const at = op.before === undefined ? d.fields.length : step.ownField(d, op.before);
  d.fields.splice(at, 0, field);
  d.fieldOrigins.set(op.field, null);
  if (op.initial)
    d.initialisers.set(
      op.field,
      step.liveSync(op.initial, `initialiser of ${op.className}.${op.field}`),
    );
  d.layoutTouched = true;
}

export function removeField(step: Step, op: Op<"removeField">): void {
  const d = step.classNamed(op.className);
  d.fields.splice(step.ownField(d, op.field), 1);
  d.fieldOrigins.delete(op.field);
  d.initialisers.delete(op.field);
  d.layoutTouched = true;
}

export function renameField(step: Step, op: Op<"renameField">): void {
  const d = step.classNamed(op.className);
  const i = step.ownField(d, op.field);
  step.noField(d, op.to);
  d.fields[i] = { ...d.fields[i]!, name: op.to };
  d.fieldOrigins.set(op.to, originOf(d, op.field));
  d.fieldOrigins.delete(op.field);
  const init = d.initialisers.get(op.field);
  if (init) {
    d.initialisers.delete(op.field);
    d.initialisers.set(op.to, init);
  }
  d.layoutTouched = true;
}

export function reorderFields(step: Step, op: Op<"reorderFields">): void {
  const d = step.classNamed(op.className);
  const names = d.fields.map((f) => f.name);
  if (op.order.length !== names.length || !names.every((n) => op.order.includes(n))) {
    step.refuse(`the new order of ${d.name}'s fields must list each of ${names.join(", ")} once`, {
      className: d.name,
    });
  }
  d.fields = op.order.map((n) => d.fields.find((f) => f.name === n)!);
  d.layoutTouched = true;
}

export function pullUpField(step: Step, op: Op<"pullUpField">): void {
  const d = step.classNamed(op.className);
  const field = d.fields[step.ownField(d, op.field)]!;
  if (d.superclass === null) {
    step.refuse(`${d.name} has no superclass to pull "${op.field}" up to`, {
      className: d.name,
      field: op.field,
    });
  }
  const parent = step.classNamed(d.superclass);
  step.noField(parent, op.field);
  for (const sibling of step.drafts.classes.values()) {
    if (sibling.superclass !== parent.name) continue;
    const i = sibling.fields.findIndex((f) => f.name === op.field);
    if (i >= 0) {
      touch(sibling).fields.splice(i, 1);
      sibling.layoutTouched = true;
    }
  }
  parent.fields.push(field);
  parent.movesFields = true;
  d.movesFields = true;
  parent.fieldOrigins.set(op.field, originOf(d, op.field));
  const pulledInit = d.initialisers.get(op.field);
  if (pulledInit) parent.initialisers.set(op.field, pulledInit);
  d.initialisers.delete(op.field);
  parent.layoutTouched = true;
}

export function pushDownField(step: Step, op: Op<"pushDownField">): void {
  const d = step.classNamed(op.className);
  const field = d.fields[step.ownField(d, op.field)]!;
  d.fields.splice(step.ownField(d, op.field), 1);
  const pushed = d.initialisers.get(op.field);
  d.initialisers.delete(op.field);
  d.movesFields = true;
  for (const child of step.drafts.classes.values()) {
    if (child.superclass !== d.name) continue;
    step.noField(child, op.field);
    touch(child).fields.push(field);
    child.movesFields = true;
    child.fieldOrigins.set(op.field, originOf(d, op.field));
    if (pushed) child.initialisers.set(op.field, pushed);
    child.layoutTouched = true;
  }
  d.layoutTouched = true;
}

export function splitClass(step: Step, op: Op<"splitClass">): void {
  const d = step.classNamed(op.className);
  const moved = op.fields.map((f) => d.fields[step.ownField(d, f)]!);
  step.noField(d, op.via);
  d.fields = d.fields.filter((f) => !op.fields.includes(f.name));
  d.fields.push({ name: op.via });
  d.movesFields = true;
  d.fieldOrigins.set(op.via, null);
  step.addDraft({ name: op.into, superclass: null, fields: moved });
  d.splits.push({
    into: op.into,
    via: op.via,
    fields: op.fields.map((f) => ({ to: f, from: originOf(d, f) })),
  });
  d.layoutTouched = true;
}
