// Scope resolution of code that a reload evaluates outside its module
// (./scopeEvaluate.ts): which identifiers of the code are free — not
// declared by the code itself (parameters, locals, hoisted `var`s and
// functions, block-scoped `let`/`const`/`class`, catch parameters, loop
// bindings, named function and class expressions) — so that those naming a
// module binding can be rewritten to go through the module's accessors. Also
// `import()` and `import.meta`, which must be the module's own. Property
// keys, member names, labels and meta properties are not references.
import type {
  AnonymousFunctionDeclaration,
  AnyNode,
  ArrowFunctionExpression,
  CatchClause,
  Class,
  ForInStatement,
  ForOfStatement,
  ForStatement,
  FunctionDeclaration,
  FunctionExpression,
  Pattern,
  Statement,
} from "acorn";
import { forEachChild } from "../mop/source/parser.js";
import { patternNames } from "./compile.js";

// How a free identifier is used, which decides its rewrite.
export type ReferenceUse =
  // A read or a write (`x`, `x = 1`, `x++`, `[x] = a`, `typeof x`, `new x`).
  | "plain"
  // Called (`x()`, `x?.()`, `` x`…` ``): must be called with `this` undefined.
  | "callee"
  // A shorthand property (`{ x }`, `({ x } = o)`): the key must stay.
  | "shorthand";

export interface FreeReference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly use: ReferenceUse;
  // A callee that begins a statement of a statement list (a rewrite starting with `(` needs a `;`).
  readonly startsStatement: boolean;
}

export interface CodeReferences {
  readonly free: readonly FreeReference[];
  // Spans of the `import` keyword of each `import(…)`.
  readonly dynamicImports: readonly { readonly start: number; readonly end: number }[];
  // Spans of each `import.meta`.
  readonly importMetas: readonly { readonly start: number; readonly end: number }[];
}

class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}

  has(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }

  declarePattern(pattern: Pattern): void {
    const names: string[] = [];
    patternNames(pattern, names);
    for (const n of names) this.names.add(n);
  }
}

// `var` declarations of a function body (not crossing nested functions or classes).
function declareVars(node: AnyNode, scope: Scope): void {
  if (node.type === "VariableDeclaration" && node.kind === "var") {
    for (const d of node.declarations) scope.declarePattern(d.id);
  }
  if (isFunction(node) || node.type === "ClassDeclaration" || node.type === "ClassExpression") {
    return;
  }
  forEachChild(node, (child) => declareVars(child, scope));
}

// The block-scoped declarations of a statement list (function declarations included: strict code).
function declareLexical(statements: readonly AnyNode[], scope: Scope): void {
  for (const statement of statements) {
    if (statement.type === "VariableDeclaration" && statement.kind !== "var") {
      for (const d of statement.declarations) scope.declarePattern(d.id);
    } else if (
      (statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") &&
      statement.id
    ) {
      scope.names.add(statement.id.name);
    }
  }
}

type FunctionNode =
  | FunctionDeclaration
  | AnonymousFunctionDeclaration
  | FunctionExpression
  | ArrowFunctionExpression;

function isFunction(node: AnyNode): node is FunctionNode {
  return (
    node.type === "FunctionDeclaration" ||
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression"
  );
}

// The free identifiers of `program`, with `import()` and `import.meta`.
// size: one walker per kind of binding construct (patterns, targets, functions, classes, loops), sharing the scope chain and the results; the main switch has one case per node kind that binds names or whose identifiers are not references.
export function codeReferences(program: AnyNode): CodeReferences {
  const free: FreeReference[] = [];
  const dynamicImports: { start: number; end: number }[] = [];
  const importMetas: { start: number; end: number }[] = [];
  // Starts of the expression statements of statement lists.
  const statementStarts = new Set<number>();

  const reference = (node: AnyNode, use: ReferenceUse, scope: Scope): void => {
    if (node.type !== "Identifier") {
      walk(node, scope);
      return;
    }
    if (scope.has(node.name)) return;
    const startsStatement = use === "callee" && statementStarts.has(node.start);
    free.push({ name: node.name, start: node.start, end: node.end, use, startsStatement });
  };

  const statements = (list: readonly (Statement | AnyNode)[], scope: Scope): void => {
    for (const s of list) if (s.type === "ExpressionStatement") statementStarts.add(s.start);
    for (const s of list) walk(s, scope);
  };

  // A pattern: a declaration's (its names are declared already) or an assignment's (its
  // identifiers are references: writes). Defaults and computed keys are expressions.
  const pattern = (node: AnyNode, scope: Scope, assigns: boolean): void => {
    switch (node.type) {
      case "Identifier":
        if (assigns) reference(node, "plain", scope);
        return;
      case "ObjectPattern":
        for (const p of node.properties) {
          if (p.type === "RestElement") {
            pattern(p.argument, scope, assigns);
            continue;
          }
          if (p.computed) walk(p.key, scope);
          const value = p.value;
          const shorthand = assigns && p.shorthand;
          if (shorthand && value.type === "AssignmentPattern") {
            reference(value.left, "shorthand", scope);
            walk(value.right, scope);
          } else if (shorthand) reference(value, "shorthand", scope);
          else pattern(value, scope, assigns);
        }
        return;
      case "ArrayPattern":
        for (const e of node.elements) if (e) pattern(e, scope, assigns);
        return;
      case "AssignmentPattern":
        pattern(node.left, scope, assigns);
        walk(node.right, scope);
        return;
      case "RestElement":
        pattern(node.argument, scope, assigns);
        return;
      default:
        walk(node, scope);
    }
  };
  const binding = (node: AnyNode, scope: Scope): void => pattern(node, scope, false);
  const target = (node: AnyNode, scope: Scope): void => pattern(node, scope, true);

  const fn = (node: FunctionNode, scope: Scope): void => {
    let outer = scope;
    if (node.type === "FunctionExpression" && node.id) {
      outer = new Scope(scope);
      outer.names.add(node.id.name);
    }
    const inner = new Scope(outer);
    for (const p of node.params) inner.declarePattern(p);
    if (node.type !== "ArrowFunctionExpression") inner.names.add("arguments");
    if (node.body.type === "BlockStatement") {
      declareVars(node.body, inner);
      declareLexical(node.body.body, inner);
    }
    for (const p of node.params) binding(p, inner);
    if (node.body.type === "BlockStatement") statements(node.body.body, inner);
    else walk(node.body, inner);
  };

  const cls = (node: Class, scope: Scope): void => {
    const inner = new Scope(scope);
    if (node.id) inner.names.add(node.id.name);
    if (node.superClass) walk(node.superClass, inner);
    for (const element of node.body.body) {
      if (element.type === "StaticBlock") {
        const block = new Scope(inner);
        declareVars(element, block);
        declareLexical(element.body, block);
        statements(element.body, block);
        continue;
      }
      if (element.computed) walk(element.key, inner);
      if (element.value) walk(element.value, inner);
    }
  };

  const loop = (node: ForStatement | ForInStatement | ForOfStatement, scope: Scope): void => {
    const head = node.type === "ForStatement" ? node.init : node.left;
    let inner = scope;
    if (head?.type === "VariableDeclaration" && head.kind !== "var") {
      inner = new Scope(scope);
      declareLexical([head], inner);
    }
    if (node.type === "ForStatement") {
      if (node.init) walk(node.init, inner);
      if (node.test) walk(node.test, inner);
      if (node.update) walk(node.update, inner);
    } else {
      if (node.left.type === "VariableDeclaration") walk(node.left, inner);
      else target(node.left, inner);
      walk(node.right, inner);
    }
    walk(node.body, inner);
  };

  const catchClause = (node: CatchClause, scope: Scope): void => {
    const inner = new Scope(scope);
    if (node.param) {
      inner.declarePattern(node.param);
      binding(node.param, inner);
    }
    walk(node.body, inner);
  };

  // size: one short case per node kind that binds names, or whose identifiers are not (all) references.
  function walk(node: AnyNode, scope: Scope): void {
    switch (node.type) {
      case "Identifier":
        reference(node, "plain", scope);
        return;
      case "Program": {
        const inner = new Scope(scope);
        declareVars(node, inner);
        declareLexical(node.body, inner);
        statements(node.body, inner);
        return;
      }
      case "BlockStatement": {
        const inner = new Scope(scope);
        declareLexical(node.body, inner);
        statements(node.body, inner);
        return;
      }
      case "SwitchStatement": {
        walk(node.discriminant, scope);
        const inner = new Scope(scope);
        for (const c of node.cases) declareLexical(c.consequent, inner);
        for (const c of node.cases) {
          if (c.test) walk(c.test, inner);
          statements(c.consequent, inner);
        }
        return;
      }
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        fn(node, scope);
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        cls(node, scope);
        return;
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
        loop(node, scope);
        return;
      case "CatchClause":
        catchClause(node, scope);
        return;
      case "VariableDeclaration":
        for (const d of node.declarations) {
          binding(d.id, scope);
          if (d.init) walk(d.init, scope);
        }
        return;
      case "MemberExpression":
        walk(node.object, scope);
        if (node.computed) walk(node.property, scope);
        return;
      case "Property":
        if (node.computed) walk(node.key, scope);
        if (node.shorthand) reference(node.value, "shorthand", scope);
        else walk(node.value, scope);
        return;
      case "CallExpression":
        reference(node.callee, "callee", scope);
        for (const a of node.arguments) walk(a, scope);
        return;
      case "TaggedTemplateExpression":
        reference(node.tag, "callee", scope);
        walk(node.quasi, scope);
        return;
      case "AssignmentExpression":
        target(node.left, scope);
        walk(node.right, scope);
        return;
      case "LabeledStatement":
        walk(node.body, scope);
        return;
      case "BreakStatement":
      case "ContinueStatement":
        return;
      case "MetaProperty":
        if (node.meta.name === "import") importMetas.push({ start: node.start, end: node.end });
        return;
      case "ImportExpression":
        dynamicImports.push({ start: node.start, end: node.start + "import".length });
        walk(node.source, scope);
        if (node.options) walk(node.options, scope);
        return;
      default:
        forEachChild(node, (child) => walk(child, scope));
    }
  }

  walk(program, new Scope(undefined));
  free.sort((a, b) => a.start - b.start);
  return { free, dynamicImports, importMetas };
}
