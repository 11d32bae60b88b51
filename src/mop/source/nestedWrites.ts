/**
 * What a class's constructor writes inside its own fields, as statements of
 * its body: `this.options.min = this.options.min || 0` (pg-pool 3.10). A
 * release adding such a default changes no field, so nothing migrates, and
 * the objects alive now keep the field as the running release made it —
 * without the default: pg-pool's idle clients were never reaped.
 */
import type { AnyNode } from "acorn";
import { constructorStatements } from "./constructorBody.js";

/** `field.member` for each constructor statement of `classNode` assigning `this.field.member`. */
export function nestedWrites(classNode: AnyNode): string[] {
  const out: string[] = [];
  for (const statement of constructorStatements(classNode)) {
    if (statement.type !== "ExpressionStatement") continue;
    const write = statement.expression;
    if (write.type !== "AssignmentExpression") continue;
    const target = write.left;
    if (target.type !== "MemberExpression" || target.computed) continue;
    const holder = target.object;
    if (holder.type !== "MemberExpression" || holder.computed) continue;
    if (holder.object.type !== "ThisExpression") continue;
    if (holder.property.type !== "Identifier" || target.property.type !== "Identifier") continue;
    out.push(`${holder.property.name}.${target.property.name}`);
  }
  return out;
}
