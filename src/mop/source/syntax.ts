/** Reading the syntax shared by the analyses: wrappers, member keys, callees, `this`, text. */
import type { AnyNode, Expression, PrivateIdentifier } from "acorn";
import type { MemberKey } from "../classDefinition.js";
import { memberKeyName } from "../classDefinition.js";

export interface Source {
  readonly text: string;
  /** Subtracted from positions so spans refer to the caller's text rather than the wrapped one. */
  readonly shift: number;
}

/** The node's text as written. */
export function textOf(src: Source, node: AnyNode): string {
  return src.text.slice(node.start, node.end);
}

/** Strips parentheses (kept in the tree so that spans are the text as written). */
export function skipOuterExpressions(node: AnyNode): AnyNode {
  let current = node;
  while (current.type === "ParenthesizedExpression") current = current.expression;
  return current;
}

export type KeyInfo =
  | { readonly type: "key"; readonly key: MemberKey }
  | { readonly type: "private"; readonly name: string }
  | { readonly type: "unsupported"; readonly text: string };

/** The property key a literal names: strings, numbers (canonical form), bigints, plain templates. */
export function literalKey(node: AnyNode): string | undefined {
  if (node.type === "Literal") {
    if (typeof node.value === "string") return node.value;
    if (typeof node.value === "number") return String(node.value);
    if (node.bigint !== undefined) return BigInt(node.bigint).toString();
    return undefined;
  }
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) {
    return node.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

/** A member's or property's key: `computed` when written in brackets. */
export function readKey(
  src: Source,
  key: Expression | PrivateIdentifier,
  computed: boolean,
): KeyInfo {
  if (key.type === "PrivateIdentifier") return { type: "private", name: `#${key.name}` };
  if (!computed) {
    if (key.type === "Identifier") return { type: "key", key: key.name };
    const literal = literalKey(key);
    if (literal !== undefined) return { type: "key", key: literal };
    return { type: "unsupported", text: textOf(src, key) };
  }
  const expression = skipOuterExpressions(key);
  const computedLiteral = literalKey(expression);
  if (computedLiteral !== undefined) return { type: "key", key: computedLiteral };
  // [Symbol.iterator] — a well-known symbol.
  if (
    expression.type === "MemberExpression" &&
    !expression.computed &&
    expression.object.type === "Identifier" &&
    expression.object.name === "Symbol" &&
    expression.property.type === "Identifier"
  ) {
    return { type: "key", key: { symbol: `Symbol.${expression.property.name}` } };
  }
  // [Symbol.for("app.id")] — a registered symbol; a "Symbol."-prefixed
  // registry key would be read back as a well-known symbol, so refuse it.
  if (
    expression.type === "CallExpression" &&
    calleeName(expression.callee) === "Symbol.for" &&
    expression.arguments.length === 1
  ) {
    const argument = expression.arguments[0]!;
    const registered = argument.type === "SpreadElement" ? undefined : literalKey(argument);
    if (
      registered !== undefined &&
      (argument.type === "TemplateLiteral" ||
        (argument.type === "Literal" && typeof argument.value === "string")) &&
      !registered.startsWith("Symbol.")
    ) {
      return { type: "key", key: { symbol: registered } };
    }
  }
  return { type: "unsupported", text: `[${textOf(src, key)}]` };
}

/**
 * `f`, `Object.defineProperty`, and a function imported from a module as
 * the function: Babel's `(0, _helper.default)` and swc's `_helper._` (how
 * `@swc/helpers` exports each helper) as `_helper`.
 */
export function calleeName(node: AnyNode): string | undefined {
  const callee = skipOuterExpressions(node);
  if (callee.type === "Identifier") return callee.name;
  if (callee.type === "MemberExpression" && !callee.computed) {
    if (callee.property.type !== "Identifier") return undefined;
    if (IMPORTED.has(callee.property.name)) return calleeName(callee.object);
    const object = skipOuterExpressions(callee.object);
    if (object.type === "Identifier") return `${object.name}.${callee.property.name}`;
    return undefined;
  }
  if (callee.type === "SequenceExpression") {
    const last = callee.expressions[callee.expressions.length - 1];
    return last === undefined ? undefined : calleeName(last);
  }
  return undefined;
}

/** The member through which a module's export is reached: `default` (Babel's interop), `_` (`@swc/helpers`). */
const IMPORTED = new Set(["default", "_"]);

/**
 * Whether `node`, a callee, calls a function plainly: a name, or a
 * module's export (`_x.default`, `_x._`, `(0, _x.default)`), not a method
 * of another object (`registry.add`).
 */
export function isPlainCallee(node: AnyNode): boolean {
  const callee = skipOuterExpressions(node);
  if (callee.type === "Identifier") return true;
  // `(0, f)` calls f with no receiver, whatever f is.
  if (callee.type === "SequenceExpression") return true;
  return (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.property.type === "Identifier" &&
    IMPORTED.has(callee.property.name) &&
    skipOuterExpressions(callee.object).type === "Identifier"
  );
}

export function isThis(node: AnyNode | undefined): boolean {
  return node !== undefined && skipOuterExpressions(node).type === "ThisExpression";
}

export function keyDisplay(key: KeyInfo): string {
  switch (key.type) {
    case "key":
      return memberKeyName(key.key);
    case "private":
      return key.name;
    case "unsupported":
      return key.text;
  }
}
