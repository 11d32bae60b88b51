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

/** Array methods that call their callback before they return: an arrow given to one does not outlive the call. */
const SYNCHRONOUS_CALLBACKS = new Set([
  "map",
  "forEach",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "reduce",
  "reduceRight",
  "sort",
  "flatMap",
]);

/**
 * Arrows that only live during the call that makes them: those handed to an
 * array method that calls them at once, and a local `const` only ever
 * called (a recursive helper: heap 4's `isValid`), never passed on.
 */
function callLocalArrows(body: AnyNode): Set<AnyNode> {
  const local = new Set<AnyNode>();
  const helpers = new Map<string, AnyNode>();
  const passedOn = new Set<string>();
  const visit = (node: AnyNode, parent: AnyNode | undefined): void => {
    if (
      node.type === "CallExpression" &&
      node.callee.type === "MemberExpression" &&
      !node.callee.computed &&
      node.callee.property.type === "Identifier" &&
      SYNCHRONOUS_CALLBACKS.has(node.callee.property.name)
    ) {
      for (const argument of node.arguments)
        if (argument.type === "ArrowFunctionExpression") local.add(argument);
    }
    if (
      node.type === "VariableDeclarator" &&
      node.id.type === "Identifier" &&
      node.init?.type === "ArrowFunctionExpression"
    )
      helpers.set(node.id.name, node.init);
    if (node.type === "Identifier" && parent !== undefined) {
      const called = parent.type === "CallExpression" && parent.callee === node;
      const declared = parent.type === "VariableDeclarator" && parent.id === node;
      const property =
        parent.type === "MemberExpression" && parent.property === node && !parent.computed;
      if (!called && !declared && !property) passedOn.add(node.name);
    }
    forEachChild(node, (child) => visit(child, node));
  };
  visit(body, undefined);
  for (const [name, arrow] of helpers) if (!passedOn.has(name)) local.add(arrow);
  return local;
}

/** Names read as `this.name` inside arrow functions nested in `classNode`'s methods and constructor. */
export function closureMembers(classNode: AnyNode): Set<string> {
  const names = new Set<string>();
  let local = new Set<AnyNode>();
  // `inArrow`: inside an arrow whose `this` is the method's (the object).
  const walk = (node: AnyNode, inArrow: boolean): void => {
    if (local.has(node)) {
      // Lives during this call only; what it nests may still escape.
      forEachChild(node, (child) => walk(child, inArrow));
      return;
    }
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
    local = callLocalArrows(member.value.body);
    forEachChild(member.value.body, (child) => walk(child, false));
  }
  return names;
}
