/**
 * The names code carried as source reads without binding them itself: a
 * method, an initialiser or a whole class handed in as text is compiled
 * away from its module, and a name its module bound (a helper, an import)
 * is unbound there. Compiled anyway, it threw a ReferenceError at its first
 * call, after the update had committed (reviews advY1, advY4).
 */
import type { AnyNode } from "acorn";
import { forEachChild, parseJavaScript } from "./parser.js";
import { forEachReference } from "./scope.js";

/** How the text stands: a member of a class body, a class, or an expression. */
export type SourceKind = "member" | "class" | "expression";

const WRAPPED: Record<SourceKind, (source: string) => string> = {
  // Method syntax stands in an object literal (accessors, generators, async too).
  member: (source) => `({ ${source}\n})`,
  class: (source) => `(${source}\n)`,
  expression: (source) => `(${source}\n)`,
};

/**
 * The names `source` reads that `bound` does not accept, in order of first
 * use; undefined when it does not parse as `kind` (compiling it reports
 * that). A name read only as `typeof name` is no read: that is how code
 * asks whether a global exists.
 */
export function unboundNames(
  source: string,
  kind: SourceKind,
  bound: (name: string) => boolean,
): string[] | undefined {
  const parsed = parseJavaScript(WRAPPED[kind](source), "script");
  if (!parsed.ok) return undefined;
  const probed = typeofOperands(parsed.program);
  const own = classNames(parsed.program);
  const found: string[] = [];
  forEachReference(parsed.program, (node, shadowed) => {
    if (node.type !== "Identifier" || probed.has(node)) return;
    const name = node.name;
    if (shadowed.has(name) || own.has(name) || bound(name) || found.includes(name)) return;
    found.push(name);
  });
  return found;
}

function typeofOperands(root: AnyNode): Set<AnyNode> {
  const operands = new Set<AnyNode>();
  const walk = (node: AnyNode): void => {
    if (node.type === "UnaryExpression" && node.operator === "typeof") operands.add(node.argument);
    forEachChild(node, walk);
  };
  walk(root);
  return operands;
}

/** Names classes in the text give themselves (`class Foo { … new Foo() … }`). */
function classNames(root: AnyNode): Set<string> {
  const names = new Set<string>();
  const walk = (node: AnyNode): void => {
    if ((node.type === "ClassExpression" || node.type === "ClassDeclaration") && node.id)
      names.add(node.id.name);
    forEachChild(node, walk);
  };
  walk(root);
  return names;
}
