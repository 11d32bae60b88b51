/** A class shape (of addClass or insertSuperclass) on its own: names, duplicate fields and members, method sources. */
import { memberKeyName } from "../../mop/classDefinition.js";
import type { ClassShape } from "../operations.js";
import { methodSourceProblem } from "./methodSource.js";
import {
  classNameProblem,
  fieldNameProblem,
  memberKeyProblem,
  staticFieldNameProblem,
} from "./names.js";
import { type OperationProblem, problem } from "./problem.js";

export function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const n of names) (seen.has(n) ? twice : seen).add(n);
  return [...twice];
}

export function shapeProblem(shape: ClassShape): OperationProblem | undefined {
  const nameProblem = classNameProblem(shape.name);
  if (nameProblem) return nameProblem;
  if (shape.superclass != null) {
    const p = classNameProblem(shape.superclass, "superclass name");
    if (p) return p;
    if (shape.superclass === shape.name) {
      return problem(`class ${shape.name} cannot extend itself`, { className: shape.name });
    }
  }
  return fieldListProblem(shape) ?? membersProblem(shape);
}

function fieldListProblem(shape: ClassShape): OperationProblem | undefined {
  for (const [list, role] of [
    [shape.fields ?? [], "field"],
    [shape.staticFields ?? [], "static field"],
  ] as const) {
    for (const f of list) {
      const p =
        role === "field"
          ? fieldNameProblem(f.name, `${role} name`)
          : staticFieldNameProblem(f.name, `${role} name`);
      if (p) return p;
    }
    const twice = duplicates(list.map((f) => f.name));
    if (twice.length > 0) {
      return problem(`class ${shape.name} declares ${role} ${twice.join(", ")} twice`, {
        className: shape.name,
        field: twice[0],
      });
    }
  }
  return undefined;
}

function membersProblem(shape: ClassShape): OperationProblem | undefined {
  const members = new Set<string>();
  for (const m of shape.methods ?? []) {
    const p = memberKeyProblem(m.key, m.static) ?? methodSourceProblem(m);
    if (p) return p;
    const id = `${m.static ? "static " : ""}${m.kind} ${memberKeyName(m.key)}`;
    if (members.has(id)) {
      return problem(`class ${shape.name} declares ${id} twice`, {
        className: shape.name,
        member: memberKeyName(m.key),
      });
    }
    members.add(id);
  }
  return undefined;
}
