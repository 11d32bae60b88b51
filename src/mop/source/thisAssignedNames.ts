/**
 * The fields a function's code assigns a name to (`this.kind = Circle`),
 * where that name is not bound by the function it stands in nor by any
 * function around it there: a minifier's `class t { constructor(t = 0) {
 * this.max = t; } }` assigns its parameter, not the class `t`, and an
 * update warned that `max` may hold the running release's class
 * (tiny-lru 8 -> 11). What the name is outside (the class, a module's
 * binding) is for the caller to say.
 */
import type { AnyNode } from "acorn";
import { parseJavaScript } from "./parser.js";
import { forEachReference } from "./scope.js";
import { isThis, skipOuterExpressions } from "./syntax.js";

/** `[field, name]` for each `this.field = name`, in source order; undefined where the text does not parse. */
export function thisAssignedNames(source: string): [string, string][] | undefined {
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok) return undefined;
  const found: [string, string][] = [];
  forEachReference(parsed.program, (node: AnyNode, shadowed) => {
    if (node.type !== "AssignmentExpression" || node.operator !== "=") return;
    const left = skipOuterExpressions(node.left);
    const right = skipOuterExpressions(node.right);
    if (left.type !== "MemberExpression" || left.computed || !isThis(left.object)) return;
    if (left.property.type !== "Identifier" || right.type !== "Identifier") return;
    if (!shadowed.has(right.name)) found.push([left.property.name, right.name]);
  });
  return found;
}
