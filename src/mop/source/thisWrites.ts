/**
 * Writes to `this` (the instance in a constructor, the class in a static
 * block): assignments, and the calls transpilers emit for fields
 * (`__publicField`, `_defineProperty`, `Object.defineProperty`) and lowered
 * private state (`_A_p.set(this, v)`).
 */
import type ts from "typescript";
import type { TypeScript } from "./parser.js";
import type { Source } from "./syntax.js";
import { calleeName, isThis, literalKey, readKey, skipOuterExpressions } from "./syntax.js";

export type Write =
  | { readonly type: "field"; readonly name: string; readonly value: ts.Expression | undefined }
  | { readonly type: "private"; readonly text: string }
  | { readonly type: "opaque"; readonly text: string }
  | { readonly type: "ignored" };

type ThisTarget =
  | { readonly type: "name"; readonly name: string }
  | { readonly type: "private" }
  | { readonly type: "dynamic" };

export function thisTarget(t: TypeScript, node: ts.Expression): ThisTarget | undefined {
  const target = skipOuterExpressions(t, node);
  if (t.isPropertyAccessExpression(target) && isThis(t, target.expression)) {
    return t.isPrivateIdentifier(target.name)
      ? { type: "private" }
      : { type: "name", name: target.name.text };
  }
  if (t.isElementAccessExpression(target) && isThis(t, target.expression)) {
    const literal = literalKey(t, skipOuterExpressions(t, target.argumentExpression));
    return literal === undefined ? { type: "dynamic" } : { type: "name", name: literal };
  }
  return undefined;
}

const FIELD_HELPER = /^_{1,2}(publicField|defNormalProp|defineProperty\d*)$/;
export const PRIVATE_HELPER =
  /^_{1,2}(privateAdd|privateFieldInit|classPrivateFieldInitSpec|classPrivateMethodInitSpec|classPrivateFieldInit|classPrivateMethodInit)\d*$/;
export const PRIVATE_USE_HELPER =
  /^_{1,2}(privateGet|privateSet|privateMethod|privateWrapper|privateIn|classPrivateFieldGet|classPrivateFieldSet|classPrivateMethodGet|classPrivateFieldLooseBase|classPrivateFieldLooseKey|classPrivateFieldIn)\d*$/;
const DEFINE_PROPERTY = new Set(["Object.defineProperty", "Reflect.defineProperty", "__defProp"]);

/** Recognises the calls that transpilers and programmers use to create a field on `this`. */
function callWrite(src: Source, call: ts.CallExpression): Write | undefined {
  const { t } = src;
  const name = calleeName(t, call.expression);
  if (name === undefined) return undefined;
  const [target, key, value] = call.arguments;
  if (!isThis(t, target)) return undefined;
  if (name === "__name") return { type: "ignored" };
  // TypeScript lowers `#p = v` to `_A_p.set(this, v)` on a WeakMap, and
  // private methods to `_A_instances.add(this)` on a WeakSet.
  if (PRIVATE_HELPER.test(name) || /^_[A-Za-z0-9_$]*\.(set|add)$/.test(name)) {
    return { type: "private", text: call.getText(src.file) };
  }
  if (name === "Object.assign") return { type: "opaque", text: call.getText(src.file) };
  const keyText = key === undefined ? undefined : literalKey(t, skipOuterExpressions(t, key));
  if (FIELD_HELPER.test(name)) {
    if (keyText === undefined) return { type: "opaque", text: call.getText(src.file) };
    return { type: "field", name: keyText, value };
  }
  if (DEFINE_PROPERTY.has(name)) {
    const descriptor = value === undefined ? undefined : skipOuterExpressions(t, value);
    if (
      keyText === undefined ||
      descriptor === undefined ||
      !t.isObjectLiteralExpression(descriptor)
    ) {
      return { type: "opaque", text: call.getText(src.file) };
    }
    let fieldValue: ts.Expression | undefined;
    for (const property of descriptor.properties) {
      const propertyName = property.name === undefined ? undefined : readKey(src, property.name);
      const key = propertyName?.type === "key" ? propertyName.key : undefined;
      if (key === "get" || key === "set") return { type: "opaque", text: call.getText(src.file) };
      if (key === "value" && t.isPropertyAssignment(property)) fieldValue = property.initializer;
    }
    return { type: "field", name: keyText, value: fieldValue };
  }
  return undefined;
}

export function isAssignment(t: TypeScript, node: ts.Node): node is ts.BinaryExpression {
  return t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken;
}

/**
 * Writes that an expression statement makes unconditionally, in evaluation
 * order (`this.a = this.b = 0` writes b first; minifiers join statements with
 * commas). Sub-expressions that may hold further, conditional writes go to `rest`.
 */
export function collectWrites(
  src: Source,
  node: ts.Expression,
  out: Write[],
  rest: ts.Node[],
): void {
  const { t } = src;
  const expression = skipOuterExpressions(t, node);
  if (
    t.isBinaryExpression(expression) &&
    expression.operatorToken.kind === t.SyntaxKind.CommaToken
  ) {
    collectWrites(src, expression.left, out, rest);
    collectWrites(src, expression.right, out, rest);
    return;
  }
  if (isAssignment(t, expression)) {
    let value = skipOuterExpressions(t, expression.right);
    if (isAssignment(t, value)) {
      collectWrites(src, value, out, rest);
      while (isAssignment(t, value)) value = skipOuterExpressions(t, value.right);
    } else {
      rest.push(value);
    }
    const target = thisTarget(t, expression.left);
    if (target?.type === "name") out.push({ type: "field", name: target.name, value });
    else if (target?.type === "dynamic")
      out.push({ type: "opaque", text: expression.getText(src.file) });
    else if (target === undefined) rest.push(expression.left);
    return;
  }
  if (t.isCallExpression(expression)) {
    const write = callWrite(src, expression);
    if (write !== undefined) {
      out.push(write);
      rest.push(...expression.arguments);
      return;
    }
  }
  rest.push(expression);
}

/** Whether `node` gives `this` a new meaning for the code inside it. */
function bindsOwnThis(t: TypeScript, node: ts.Node): boolean {
  return (
    t.isFunctionDeclaration(node) ||
    t.isFunctionExpression(node) ||
    t.isMethodDeclaration(node) ||
    t.isAccessor(node) ||
    t.isConstructorDeclaration(node) ||
    t.isClassLike(node) ||
    t.isClassStaticBlockDeclaration(node)
  );
}

/** Every write to `this` anywhere inside `node`, including arrow functions but not functions with their own `this`. */
export function scanWrites(src: Source, node: ts.Node, visit: (write: Write) => void): void {
  const { t } = src;
  const walk = (current: ts.Node): void => {
    if (bindsOwnThis(t, current)) return;
    if (isAssignment(t, current)) {
      const target = thisTarget(t, current.left);
      if (target?.type === "name")
        visit({ type: "field", name: target.name, value: current.right });
      else if (target?.type === "dynamic")
        visit({ type: "opaque", text: current.getText(src.file) });
    } else if (t.isCallExpression(current)) {
      const write = callWrite(src, current);
      if (write !== undefined) visit(write);
    }
    t.forEachChild(current, walk);
  };
  walk(node);
}
