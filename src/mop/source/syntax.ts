/** Reading the syntax shared by the analyses: modifiers, wrappers, member keys, callees, `this`. */
import type ts from "typescript";
import type { MemberKey } from "../classDefinition.js";
import { memberKeyName } from "../classDefinition.js";
import type { TypeScript } from "./parser.js";

export interface Source {
  readonly t: TypeScript;
  readonly file: ts.SourceFile;
  /** Subtracted from positions so spans refer to the caller's text rather than the wrapped one. */
  readonly shift: number;
}

export function hasModifier(t: TypeScript, node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (t.canHaveModifiers(node) && t.getModifiers(node)?.some((m) => m.kind === kind)) === true;
}

export function hasDecorators(t: TypeScript, node: ts.Node): boolean {
  return t.canHaveDecorators(node) && (t.getDecorators(node)?.length ?? 0) > 0;
}

/** Strips parentheses and TypeScript-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
export function skipOuterExpressions(t: TypeScript, node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (
      t.isParenthesizedExpression(current) ||
      t.isAsExpression(current) ||
      t.isSatisfiesExpression(current) ||
      t.isNonNullExpression(current) ||
      t.isTypeAssertionExpression(current)
    ) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

export type KeyInfo =
  | { readonly type: "key"; readonly key: MemberKey }
  | { readonly type: "private"; readonly name: string }
  | { readonly type: "unsupported"; readonly text: string };

export function literalKey(t: TypeScript, node: ts.Node): string | undefined {
  if (t.isStringLiteral(node) || t.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (t.isNumericLiteral(node)) return String(Number(node.text));
  if (t.isBigIntLiteral(node)) return BigInt(node.text.slice(0, -1)).toString();
  return undefined;
}

export function readKey(src: Source, name: ts.PropertyName): KeyInfo {
  const { t } = src;
  if (t.isIdentifier(name)) return { type: "key", key: name.text };
  if (t.isPrivateIdentifier(name)) return { type: "private", name: name.text };
  const literal = literalKey(t, name);
  if (literal !== undefined) return { type: "key", key: literal };
  if (t.isComputedPropertyName(name)) {
    const expression = skipOuterExpressions(t, name.expression);
    const computedLiteral = literalKey(t, expression);
    if (computedLiteral !== undefined) return { type: "key", key: computedLiteral };
    // [Symbol.iterator] — a well-known symbol.
    if (
      t.isPropertyAccessExpression(expression) &&
      t.isIdentifier(expression.expression) &&
      expression.expression.text === "Symbol" &&
      t.isIdentifier(expression.name)
    ) {
      return { type: "key", key: { symbol: `Symbol.${expression.name.text}` } };
    }
    // [Symbol.for("app.id")] — a registered symbol; a "Symbol."-prefixed
    // registry key would be read back as a well-known symbol, so refuse it.
    if (
      t.isCallExpression(expression) &&
      calleeName(t, expression.expression) === "Symbol.for" &&
      expression.arguments.length === 1
    ) {
      const argument = expression.arguments[0]!;
      if (
        (t.isStringLiteral(argument) || t.isNoSubstitutionTemplateLiteral(argument)) &&
        !argument.text.startsWith("Symbol.")
      ) {
        return { type: "key", key: { symbol: argument.text } };
      }
    }
  }
  return { type: "unsupported", text: name.getText(src.file) };
}

/** `f`, `Object.defineProperty`, and Babel's `(0, _helper.default)` as `_helper`. */
export function calleeName(t: TypeScript, node: ts.Expression): string | undefined {
  const callee = skipOuterExpressions(t, node);
  if (t.isIdentifier(callee)) return callee.text;
  if (t.isPropertyAccessExpression(callee) && t.isIdentifier(callee.name)) {
    if (callee.name.text === "default") return calleeName(t, callee.expression);
    const object = skipOuterExpressions(t, callee.expression);
    if (t.isIdentifier(object)) return `${object.text}.${callee.name.text}`;
    return undefined;
  }
  if (t.isBinaryExpression(callee) && callee.operatorToken.kind === t.SyntaxKind.CommaToken) {
    return calleeName(t, callee.right);
  }
  return undefined;
}

export function isThis(t: TypeScript, node: ts.Node | undefined): boolean {
  return (
    node !== undefined &&
    t.isExpression(node) &&
    skipOuterExpressions(t, node).kind === t.SyntaxKind.ThisKeyword
  );
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
