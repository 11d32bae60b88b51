/**
 * Names that hold the object: `var _this = this` (Babel's and tsc's output
 * for an arrow or an `async` method below the syntax's target, and the
 * hand-written `self` and `that`), CoffeeScript's `_this = this`. A nested
 * `function` has a `this` of its own but still sees these names, so code
 * that keeps the object through them is found only by following them.
 */
import type { AnyNode, Function as FunctionNode } from "acorn";
import { forEachChild } from "./parser.js";
import { declaredNames, opensOwnScope } from "./scope.js";
import { skipOuterExpressions } from "./syntax.js";

/**
 * The names that hold the object inside `fn`: the enclosing function's
 * (`outer`) that `fn` does not bind again, and those `fn` gives `this`
 * (when its `this` is the object) or one of them.
 */
export function aliasesIn(
  fn: FunctionNode,
  outer: ReadonlySet<string>,
  thisIsObject: boolean,
): ReadonlySet<string> {
  const declared = declaredNames(fn.params, fn.body);
  const aliases = new Set([...outer].filter((name) => !declared.has(name)));
  const holdsObject = (value: AnyNode): boolean => {
    const v = skipOuterExpressions(value);
    return v.type === "ThisExpression"
      ? thisIsObject
      : v.type === "Identifier" && aliases.has(v.name);
  };
  const visit = (node: AnyNode): void => {
    if (
      node.type === "VariableDeclarator" &&
      node.id.type === "Identifier" &&
      node.init != null &&
      holdsObject(node.init)
    )
      aliases.add(node.id.name);
    if (
      node.type === "AssignmentExpression" &&
      node.operator === "=" &&
      node.left.type === "Identifier" &&
      holdsObject(node.right)
    )
      aliases.add(node.left.name);
    // Nested functions bind their own names (aliasesIn again, when walked).
    if (opensOwnScope(node)) return;
    forEachChild(node, visit);
  };
  visit(fn.body);
  return aliases;
}
