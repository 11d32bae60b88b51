/**
 * A constructor's parameters with a default that needs nothing of the call
 * (`currency = "EUR"`, TypeScript's `public currency = "EUR"` compiled to
 * `this.currency = currency`), and never assigned in the body: a field set
 * from one starts, for an object made before the field existed, as a call
 * without that argument would start it. Without it a save under `metamorph
 * dev` that added such a parameter property gave every live object
 * `undefined` (MM_NO_INITIAL_VALUE) and the next method call threw.
 */
import type { AnyNode, Pattern } from "acorn";
import { forEachChild } from "./parser.js";
import { dependsOnScope } from "./scope.js";

export function parameterDefaults(
  parameters: readonly Pattern[],
  body: AnyNode,
  /** The names the constructor binds (its parameters and locals). */
  scope: ReadonlySet<string>,
): ReadonlyMap<string, AnyNode> {
  const defaults = new Map<string, AnyNode>();
  for (const p of parameters) {
    if (p.type !== "AssignmentPattern" || p.left.type !== "Identifier") continue;
    if (!dependsOnScope(p.right, scope, false)) defaults.set(p.left.name, p.right);
  }
  if (defaults.size > 0) forEachChild(body, (node) => dropAssigned(node, defaults));
  return defaults;
}

/** Removes from `defaults` the parameters `node` (or code in it) assigns. */
function dropAssigned(node: AnyNode, defaults: Map<string, AnyNode>): void {
  if (node.type === "AssignmentExpression" && node.left.type === "Identifier")
    defaults.delete(node.left.name);
  if (node.type === "UpdateExpression" && node.argument.type === "Identifier")
    defaults.delete(node.argument.name);
  forEachChild(node, (child) => dropAssigned(child, defaults));
}
