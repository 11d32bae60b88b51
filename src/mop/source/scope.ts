/**
 * Scope analysis: the names a constructor binds, and whether an expression
 * depends on them (then it cannot be re-evaluated as a field initialiser).
 */
import type ts from "typescript";
import type { TypeScript } from "./parser.js";

export function containsReturn(t: TypeScript, node: ts.Node): boolean {
  const walk = (current: ts.Node): true | undefined => {
    if (t.isReturnStatement(current)) return true;
    if (t.isFunctionLike(current) || t.isClassLike(current)) return undefined;
    return t.forEachChild(current, walk);
  };
  return walk(node) === true;
}

function addBindingNames(t: TypeScript, name: ts.BindingName, into: Set<string>): void {
  if (t.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!t.isOmittedExpression(element)) addBindingNames(t, element.name, into);
  }
}

/** Names a function-like node or block binds for the code inside it (parameters and declarations, conservatively ignoring block scope). */
export function declaredNames(
  t: TypeScript,
  parameters: readonly ts.ParameterDeclaration[],
  body: ts.Node | undefined,
): Set<string> {
  const names = new Set<string>();
  for (const parameter of parameters) addBindingNames(t, parameter.name, names);
  const walk = (current: ts.Node): void => {
    if (t.isVariableDeclaration(current) || t.isBindingElement(current)) {
      if (t.isIdentifier(current.name)) names.add(current.name.text);
    } else if (
      (t.isFunctionDeclaration(current) || t.isClassDeclaration(current)) &&
      current.name
    ) {
      names.add(current.name.text);
    }
    // Names inside nested functions are theirs, not ours.
    if (t.isFunctionLike(current) || t.isClassLike(current)) return;
    t.forEachChild(current, walk);
  };
  if (body !== undefined) t.forEachChild(body, walk);
  return names;
}

function isReferencePosition(t: TypeScript, id: ts.Identifier): boolean {
  const parent = id.parent;
  if (parent === undefined) return true;
  if (t.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (t.isQualifiedName(parent) && parent.right === id) return false;
  if (t.isPropertyAssignment(parent) && parent.name === id) return false;
  if (t.isBindingElement(parent) && parent.propertyName === id) return false;
  if (
    (t.isMethodDeclaration(parent) ||
      t.isPropertyDeclaration(parent) ||
      t.isAccessor(parent) ||
      t.isJsxAttribute(parent)) &&
    parent.name === id
  ) {
    return false;
  }
  if (t.isLabeledStatement(parent) || t.isBreakOrContinueStatement(parent)) return false;
  return true;
}

/**
 * Whether an expression depends on the constructor's parameters or locals (or
 * `arguments`, `new.target`), i.e. whether it cannot be re-evaluated as a field
 * initialiser. `this` and `super` count too unless `allowThis`.
 */
export function dependsOnScope(
  t: TypeScript,
  expression: ts.Expression,
  scope: ReadonlySet<string>,
  allowThis: boolean,
): boolean {
  const walk = (current: ts.Node, shadowed: ReadonlySet<string>): true | undefined => {
    if (t.isTypeNode(current)) return undefined;
    if (t.isIdentifier(current)) {
      return isReferencePosition(t, current) &&
        scope.has(current.text) &&
        !shadowed.has(current.text)
        ? true
        : undefined;
    }
    if (current.kind === t.SyntaxKind.ThisKeyword || current.kind === t.SyntaxKind.SuperKeyword) {
      return allowThis ? undefined : true;
    }
    if (t.isMetaProperty(current) && current.keywordToken === t.SyntaxKind.NewKeyword) return true;
    let inner = shadowed;
    if (t.isFunctionLike(current)) {
      const own = declaredNames(
        t,
        current.parameters,
        "body" in current ? current.body : undefined,
      );
      if (t.isFunctionExpression(current) && current.name) own.add(current.name.text);
      inner = new Set([...shadowed, ...own]);
    }
    return t.forEachChild(current, (child) => walk(child, inner));
  };
  return walk(expression, new Set()) === true;
}
