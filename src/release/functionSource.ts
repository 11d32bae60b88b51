/**
 * What a bundle's top-level function must be, read without compiling it: one
 * function expression (`function name(…) { … }`, async or a generator too)
 * and nothing around it. The service compiles it by evaluating it in its
 * module's scope, so a source that closed the parenthesis and went on
 * (`function f() {}); sideEffect(); (0`) would run more than a function;
 * it is refused by the parse, before anything is evaluated — and at pack,
 * so that the author learns it there.
 */
import type { Expression } from "acorn";
import { parseJavaScript } from "../mop/source/parser.js";

/** Why `source` is not a function expression for `name`, or undefined when it is one. */
export function functionSourceProblem(source: string, name: string): string | undefined {
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok) return `its source does not parse: ${parsed.failure.message}`;
  const body = parsed.program.body;
  const statement = body[0];
  let expression: Expression | undefined =
    body.length === 1 && statement?.type === "ExpressionStatement"
      ? statement.expression
      : undefined;
  // preserveParens: the wrapping parentheses are a node of their own.
  if (expression?.type === "ParenthesizedExpression") expression = expression.expression;
  if (expression?.type !== "FunctionExpression") {
    return "its source is not one function expression (function name(…) { … })";
  }
  if (expression.id !== null && expression.id !== undefined && expression.id.name !== name) {
    return `its source is a function named ${expression.id.name}`;
  }
  return undefined;
}
