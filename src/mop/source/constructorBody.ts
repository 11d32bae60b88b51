/** The statements of a class's constructor body (empty where it has none), for the readers of what it does. */
import type { AnyNode, Expression, Statement } from "acorn";
import { skipOuterExpressions } from "./syntax.js";

export function constructorStatements(classNode: AnyNode): readonly Statement[] {
  if (classNode.type !== "ClassExpression" && classNode.type !== "ClassDeclaration") return [];
  const ctor = classNode.body.body.find(
    (m) => m.type === "MethodDefinition" && m.kind === "constructor",
  );
  return ctor?.type === "MethodDefinition" ? ctor.value.body.body : [];
}

/**
 * The expressions top-level expression `statements` evaluate, one per
 * statement as written before a transpiler or minifier joined them with
 * commas (swc's `super(...args), _define_property(this, "tag", "bag")`,
 * esbuild --minify's `this.a=1,this.b=2`).
 */
export function statementExpressions(statements: readonly Statement[]): Expression[] {
  const out: Expression[] = [];
  const add = (expression: Expression): void => {
    const inner = skipOuterExpressions(expression) as Expression;
    if (inner.type === "SequenceExpression") for (const part of inner.expressions) add(part);
    else out.push(inner);
  };
  for (const statement of statements) {
    if (statement.type === "ExpressionStatement") add(statement.expression);
  }
  return out;
}
