/**
 * An implementation as the service must read it: a class the release
 * renamed is named by its running name. The service compiles a bundle's code
 * with its managed classes in scope under the names they have before the
 * update (release/compileScope.ts), so `kind = Round` or `instanceof Round`
 * would read a name that is not bound there (the engine refuses the patch);
 * `Circle` there is the class handle, the same class once `renameClass` made
 * it Round.
 */
import type { AnyNode } from "acorn";
import { forEachChild, parseJavaScript } from "../../mop/source/parser.js";
import { forEachReference } from "../../mop/source/scope.js";
import type { ClassRenames } from "./classRenames.js";

/** Offsets of the values of shorthand properties (`{ Round }`): written `{ Round: Circle }`. */
function shorthandValues(root: AnyNode): Set<number> {
  const out = new Set<number>();
  const walk = (node: AnyNode) => {
    if (node.type === "Property" && node.shorthand) out.add(node.value.start);
    forEachChild(node, walk);
  };
  walk(root);
  return out;
}

/** `expression` (a class expression) with each reference to a renamed class by its old name. */
export function withRunningNames(expression: string, renames: ClassRenames): string {
  if (renames.size === 0) return expression;
  const parsed = parseJavaScript(`(${expression}\n)`, "script");
  if (!parsed.ok) return expression;
  const hits = new Map<number, { end: number; name: string }>();
  forEachReference(parsed.program, (node, shadowed) => {
    if (node.type === "Identifier" && renames.has(node.name) && !shadowed.has(node.name)) {
      hits.set(node.start, { end: node.end, name: node.name });
    }
  });
  if (hits.size === 0) return expression;
  const shorthand = shorthandValues(parsed.program);
  let out = expression;
  // From the end, so that earlier offsets stay valid; the text was parsed with "(" before it.
  for (const [start, { end, name }] of [...hits].sort(([a], [b]) => b - a)) {
    const running = renames.get(name)!;
    const text = shorthand.has(start) ? `${name}: ${running}` : running;
    out = out.slice(0, start - 1) + text + out.slice(end - 1);
  }
  return out;
}
