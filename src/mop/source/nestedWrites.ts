/**
 * What a class's constructor writes inside its own fields, as statements of
 * its body: `this.options.min = this.options.min || 0` (pg-pool 3.10), and
 * the keys of an object literal it assigns to a field, `this._out = {
 * write, width, hasColors }` (commander 13's `_outputConfiguration`). A
 * release adding such a default changes no field, so nothing migrates, and
 * the objects alive now keep the field as the running release made it —
 * without the default: pg-pool's idle clients were never reaped, and
 * commander's old commands threw from their first `help()`.
 */
import type { AnyNode, Expression, ObjectExpression } from "acorn";
import { constructorStatements, statementExpressions } from "./constructorBody.js";

export interface NestedWrite {
  /** `field.member`. */
  readonly path: string;
  /**
   * A key of an object literal assigned to the field (the field is then the
   * object: what a release did not put there, it does not hold), or an
   * assignment inside the field (`this.field.member = …`). `member` is
   * `...` for a literal that spreads another object: any key may be there.
   */
  readonly literal: boolean;
}

/** What the constructor of `classNode` writes inside its fields, and its field initialisers' object literals. */
export function nestedWrites(classNode: AnyNode): NestedWrite[] {
  const out: NestedWrite[] = [];
  // Each assignment of a comma sequence too (a minifier's `this.a=1,this.o.min=0`).
  for (const write of statementExpressions(constructorStatements(classNode))) {
    if (write.type !== "AssignmentExpression") continue;
    const target = write.left;
    if (target.type !== "MemberExpression" || target.computed) continue;
    if (target.property.type !== "Identifier") continue;
    const holder = target.object;
    if (holder.type === "ThisExpression") {
      // `this.field = { … }` only: `??=` keeps what the field held.
      if (write.operator === "=") out.push(...literalKeys(target.property.name, write.right));
      continue;
    }
    if (holder.type !== "MemberExpression" || holder.computed) continue;
    if (holder.object.type !== "ThisExpression" || holder.property.type !== "Identifier") continue;
    out.push({ path: `${holder.property.name}.${target.property.name}`, literal: false });
  }
  if (classNode.type === "ClassExpression" || classNode.type === "ClassDeclaration") {
    for (const member of classNode.body.body) {
      if (member.type !== "PropertyDefinition" || member.static || member.computed) continue;
      if (member.key.type !== "Identifier" || !member.value) continue;
      out.push(...literalKeys(member.key.name, member.value));
    }
  }
  return out;
}

function literalKeys(field: string, value: Expression): NestedWrite[] {
  if (value.type !== "ObjectExpression") return [];
  return (value as ObjectExpression).properties.flatMap((p): NestedWrite[] => {
    if (p.type === "SpreadElement") return [{ path: `${field}....`, literal: true }];
    if (p.computed) return [];
    const key =
      p.key.type === "Identifier"
        ? p.key.name
        : p.key.type === "Literal"
          ? String(p.key.value)
          : undefined;
    return key === undefined ? [] : [{ path: `${field}.${key}`, literal: true }];
  });
}
