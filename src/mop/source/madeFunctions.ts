/**
 * What a class's instance code writes into `this` by name, read from its
 * source: each function written in place and the method it is in
 * (migration/methodFunctions.ts names the stale ones). Parsing, so reached
 * through parse.ts, which the Vite page stands in for.
 */
import type { AnyNode } from "acorn";
import { forEachChild, parseJavaScript } from "./parser.js";
import { isThis, literalKey, skipOuterExpressions } from "./syntax.js";

/** What a class's code writes into `this` by name: each function written in place (text without whitespace), and where. */
export interface MadeFunctions {
  /** Names assigned a function written in place, with each such function's text (whitespace removed) and the method it is in. */
  readonly functions: ReadonlyMap<
    string,
    readonly { readonly text: string; readonly in: string }[]
  >;
  /** Every name the code assigns on `this`, a function or not. */
  readonly assigned: ReadonlySet<string>;
}

const compact = (text: string) => text.replace(/\s+/g, "");

/** What the instance code of `cls` alone (not its superclasses) writes into `this`; nothing where it does not parse as a class. */
export function madeFunctions(cls: Function): MadeFunctions {
  const made: MadeFunctions = { functions: new Map(), assigned: new Set() };
  const text = `(${Function.prototype.toString.call(cls)}\n)`;
  const parsed = parseJavaScript(text, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  const node =
    statement?.type === "ExpressionStatement"
      ? skipOuterExpressions(statement.expression)
      : undefined;
  if (node?.type === "ClassExpression") {
    for (const member of node.body.body) {
      if (member.type !== "MethodDefinition" || member.static) continue;
      const name = member.key.type === "Identifier" ? member.key.name : String(member.kind);
      visit(member.value.body, name, text, made);
    }
  }
  return made;
}

/** Assignments `this.name = …` in `node`, not inside a nested `function` or class (another `this`). */
function visit(node: AnyNode, method: string, text: string, made: MadeFunctions): void {
  if (
    node.type === "FunctionExpression" ||
    node.type === "FunctionDeclaration" ||
    node.type === "ClassExpression" ||
    node.type === "ClassDeclaration"
  )
    return;
  if (node.type === "AssignmentExpression" && node.operator === "=") {
    const target = skipOuterExpressions(node.left);
    if (target.type === "MemberExpression" && isThis(target.object)) {
      const name = target.computed
        ? literalKey(skipOuterExpressions(target.property))
        : target.property.type === "Identifier"
          ? target.property.name
          : undefined;
      if (name !== undefined) record(name, skipOuterExpressions(node.right), method, text, made);
    }
  }
  forEachChild(node, (child) => visit(child, method, text, made));
}

function record(
  name: string,
  value: AnyNode,
  method: string,
  text: string,
  made: MadeFunctions,
): void {
  (made.assigned as Set<string>).add(name);
  if (value.type !== "ArrowFunctionExpression" && value.type !== "FunctionExpression") return;
  const functions = made.functions as Map<string, { text: string; in: string }[]>;
  const list = functions.get(name) ?? [];
  list.push({ text: compact(text.slice(value.start, value.end)), in: method });
  functions.set(name, list);
}
