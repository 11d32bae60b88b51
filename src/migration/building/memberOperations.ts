/** Building: methods, migrators, validations and the policy. */
import { memberKeyName, sameMemberKey } from "../../mop/classDefinition.js";
import type { Operation } from "../../patch/operations.js";
import type { Step } from "./drafts.js";

type Op<K extends Operation["op"]> = Extract<Operation, { op: K }>;

export function addOrReplaceMethod(step: Step, op: Op<"addMethod" | "replaceMethod">): void {
  const d = step.classNamed(op.className);
  const m = op.method;
  const i = d.methods.findIndex(
    (x) => sameMemberKey(x.key, m.key) && x.static === m.static && x.kind === m.kind,
  );
  if ((op.op === "addMethod") === i >= 0) {
    // Named only in the refusal: an accepted method costs no message.
    const what = `${m.static ? "static " : ""}${m.kind} ${memberKeyName(m.key)}`;
    const detail = { className: d.name, member: memberKeyName(m.key) };
    if (i >= 0) step.refuse(`${d.name} already has ${what}; use replaceMethod`, detail);
    step.refuse(`${d.name} has no ${what} to replace`, detail);
  }
  if (i >= 0) d.methods[i] = m;
  else d.methods.push(m);
}

export function removeMethod(step: Step, op: Op<"removeMethod">): void {
  const d = step.classNamed(op.className);
  const before = d.methods.length;
  d.methods = d.methods.filter(
    (x) =>
      !(
        sameMemberKey(x.key, op.key) &&
        x.static === op.static &&
        (op.kind === undefined || x.kind === op.kind)
      ),
  );
  if (d.methods.length === before) {
    step.refuse(`${d.name} has no method ${memberKeyName(op.key)} to remove`, {
      className: d.name,
      member: memberKeyName(op.key),
    });
  }
}

export function migrator(step: Step, op: Op<"migrator">): void {
  const d = step.classNamed(op.className);
  d.migrators.push(step.liveSync(op.migrator, `migrator of ${op.className}`));
  d.layoutTouched = true;
}

export function validateNamespace(step: Step, op: Op<"validateNamespace">): void {
  step.drafts.namespaceValidations.push({ name: op.name, check: step.live(op.check) });
}

export function validateInstances(step: Step, op: Op<"validateInstances">): void {
  step.classNamed(op.className);
  step.drafts.instanceValidations.push({
    name: op.name,
    className: op.className,
    check: step.live(op.check),
  });
}

/** afterCommit / afterRollback: synchronous, like migration code (they run inside the update's pause). */
export function hook(step: Step, op: Op<"afterCommit" | "afterRollback">): void {
  step.drafts.hooks[op.op].push({
    name: op.name,
    hook: step.liveSync(op.hook, `${op.op} hook ${JSON.stringify(op.name)}`),
  });
}

export function policy(step: Step, op: Op<"policy">): void {
  step.drafts.policy = op.policy;
}
