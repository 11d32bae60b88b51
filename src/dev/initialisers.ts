/**
 * Field initialisers that read state the constructor sets later (issue 15,
 * item 2). `tag = \`${this.name}-tagged\`` with `constructor(public name)`:
 * a new object runs the initialiser before the constructor body, so it reads
 * `undefined`; a migrated object gets the field's initial value computed on
 * the complete old object, so it reads the name. The two diverge silently —
 * so a reload that adds such a field says so, naming the field and its line.
 */
import type { AnyNode, ClassDeclaration, MethodDefinition, PropertyDefinition } from "acorn";
import type { ClassChangeSummary } from "./common.js";
import type { TopLevel } from "./compile.js";
import type { Origin } from "./sourceMap.js";

export interface InitialiserHazard {
  readonly field: string;
  /** The user's line of the field. */
  readonly line: number;
  /** Fields it reads that are not set yet when it runs in a new object. */
  readonly reads: readonly string[];
}

const isNode = (value: unknown): value is AnyNode =>
  typeof value === "object" && value !== null && typeof (value as AnyNode).type === "string";

/** Names read as `this.x` in an expression, outside nested functions and classes (which run later or bind their own `this`). */
function thisReads(node: AnyNode, out: Set<string>): void {
  if (
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression" ||
    node.type === "ClassExpression"
  ) {
    return;
  }
  if (
    node.type === "MemberExpression" &&
    node.object.type === "ThisExpression" &&
    !node.computed &&
    node.property.type === "Identifier"
  ) {
    out.add(node.property.name);
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const v of value) if (isNode(v)) thisReads(v, out);
    if (isNode(value)) thisReads(value, out);
  }
}

/** `this.x = …` statements at the top level of the constructor body. */
function constructorWrites(ctor: MethodDefinition | undefined): Set<string> {
  const names = new Set<string>();
  for (const statement of ctor?.value.body.body ?? []) {
    if (statement.type !== "ExpressionStatement") continue;
    const e = statement.expression;
    if (
      e.type === "AssignmentExpression" &&
      e.left.type === "MemberExpression" &&
      e.left.object.type === "ThisExpression" &&
      !e.left.computed &&
      e.left.property.type === "Identifier"
    ) {
      names.add(e.left.property.name);
    }
  }
  return names;
}

const fieldName = (p: PropertyDefinition) =>
  !p.computed && p.key.type === "Identifier" ? p.key.name : undefined;

/** The instance fields of `cls` whose initialiser reads a field a new object does not have yet. */
export function initialiserHazards(cls: ClassDeclaration, origin: Origin): InitialiserHazard[] {
  const members = cls.body.body;
  const ctor = members.find(
    (m): m is MethodDefinition => m.type === "MethodDefinition" && m.kind === "constructor",
  );
  const setByConstructor = constructorWrites(ctor);
  const fields = members.filter(
    (m): m is PropertyDefinition => m.type === "PropertyDefinition" && !m.static,
  );
  const names = new Set(fields.map(fieldName).filter((n): n is string => n !== undefined));
  const initialised = new Set<string>();
  const hazards: InitialiserHazard[] = [];
  for (const field of fields) {
    const name = fieldName(field);
    if (field.value) {
      const reads = new Set<string>();
      thisReads(field.value, reads);
      const early = [...reads].filter(
        (r) => !initialised.has(r) && (setByConstructor.has(r) || names.has(r)),
      );
      if (name && early.length > 0) {
        hazards.push({ field: name, line: origin(field.start).line, reads: early });
      }
    }
    if (name && field.value) initialised.add(name);
  }
  return hazards;
}

/** The warning for a hazard of class `className`. */
export function hazardWarning(className: string, hazard: InitialiserHazard): string {
  const reads = hazard.reads.map((r) => `this.${r}`).join(", ");
  return `${className}.${hazard.field} (line ${hazard.line}): its initialiser reads ${reads}, which a new object does not have yet when it runs (the constructor sets it later); migrated objects computed it from their complete state, new ones will not — compute ${hazard.field} in the constructor, or make it a getter`;
}

/** Added fields (initialised on migrated objects from their complete state) whose initialiser reads state a new object does not have yet. */
export function initialiserWarnings(
  summaries: readonly ClassChangeSummary[],
  next: TopLevel,
  origin: Origin,
): string[] {
  const warnings: string[] = [];
  for (const summary of summaries) {
    const cls = next.classes.get(summary.className);
    if (!cls || summary.added.length === 0) continue;
    for (const hazard of initialiserHazards(cls.node, origin)) {
      if (summary.added.includes(hazard.field)) {
        warnings.push(hazardWarning(summary.className, hazard));
      }
    }
  }
  return warnings;
}
