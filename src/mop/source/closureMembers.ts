/**
 * The members of `this` that closures a class's code makes read: an arrow
 * function inside a method or the constructor (`setInterval(() =>
 * this._checkPing(), …)`, `this.on("close", () => this.pingTimer.clear())`)
 * keeps the object and reads those members when it runs, long after the
 * code that made it — after an update too. A new version that drops such a
 * member leaves these closures to fail later (mqtt 5.0 -> 5.10: the old
 * keep-alive timer called a method the new release no longer has, and the
 * process died a second after the commit).
 */
import type { AnyNode } from "acorn";
import { forEachChild } from "./parser.js";

/** Names read as `this.name` inside arrow functions nested in `classNode`'s methods and constructor. */
export function closureMembers(classNode: AnyNode): Set<string> {
  const names = new Set<string>();
  // `inArrow`: inside an arrow whose `this` is the method's (the object).
  const walk = (node: AnyNode, inArrow: boolean): void => {
    if (
      node.type === "FunctionExpression" ||
      node.type === "FunctionDeclaration" ||
      node.type === "ClassExpression" ||
      node.type === "ClassDeclaration"
    )
      return; // a `this` of their own
    if (
      inArrow &&
      node.type === "MemberExpression" &&
      node.object.type === "ThisExpression" &&
      !node.computed &&
      node.property.type === "Identifier"
    )
      names.add(node.property.name);
    const arrow = inArrow || node.type === "ArrowFunctionExpression";
    forEachChild(node, (child) => walk(child, arrow));
  };
  if (classNode.type !== "ClassExpression" && classNode.type !== "ClassDeclaration") return names;
  for (const member of classNode.body.body) {
    if (member.type !== "MethodDefinition" || member.static) continue;
    // The method's own body: its `this` is the object; arrows in it keep it.
    forEachChild(member.value.body, (child) => walk(child, false));
  }
  return names;
}
