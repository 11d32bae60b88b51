/**
 * Classes a compiler or bundler binds otherwise than by a class
 * declaration, the one form `metamorph run` manages (src/dev/instrument.ts)
 * and so the one inventory.ts reads as a class:
 *  - tsc --target ES5 (and Babel's ES5): `var X = (function (_super) { …
 *    function X() {…} … return X; }(Base));`, annotated `@class`
 *  - a class expression: `var X = class {…}`, `let X = class X {…}`,
 *    esbuild --keep-names's `const _X = class _X {…}; __name(_X, "X");`
 *    (minified `const i=class i{…};h(i,"Account")`), `__name(class …, "X")`
 *    and tsc's `(_a = class X {…}, _a.s = 0, _a)`
 *  - CoffeeScript's `var X; … X = class X {…};` (assignedClasses).
 * Not seen, two such releases whose classes changed gave "0 classes
 * changed … Nothing here needs a decision", an empty patch that pack would
 * sign. No patch carries them (the service does not manage them): each
 * changed one is a TODO (derive.ts).
 */
import type { AnyNode, Statement, VariableDeclaration, VariableDeclarator } from "acorn";
import { moduleBody, type ParsedModule } from "../../dev/compile.js";
import { forEachChild } from "../../mop/source/parser.js";
import { skipOuterExpressions } from "../../mop/source/syntax.js";

export interface CompiledClass {
  /** The name the class runs under: a keep-names call's (`__name(_X, "X")`), else its binding's. */
  readonly name: string;
  readonly binding: string;
  readonly kind: "var" | "let" | "const";
  readonly form: "ES5 function" | "class expression";
  /** The code that makes it, as written (its binding's initialiser). */
  readonly text: string;
  readonly line: number;
}

/** What a top-level binding's initialiser makes, if it is a class. */
function classForm(init: AnyNode): CompiledClass["form"] | undefined {
  const value = skipOuterExpressions(init);
  if (value.type === "ClassExpression") return "class expression";
  if (value.type === "SequenceExpression") {
    const parts = value.expressions.map(skipOuterExpressions);
    const made = parts.some(
      (p) =>
        p.type === "AssignmentExpression" &&
        skipOuterExpressions(p.right).type === "ClassExpression",
    );
    return made ? "class expression" : undefined;
  }
  if (value.type !== "CallExpression") return undefined;
  const [first] = value.arguments;
  if (first !== undefined && skipOuterExpressions(first).type === "ClassExpression") {
    return "class expression";
  }
  const callee = skipOuterExpressions(value.callee);
  return callee.type === "FunctionExpression" && makesConstructor(callee.body.body)
    ? "ES5 function"
    : undefined;
}

/** Whether a function body declares a constructor function and returns it (`return X;`, `return _createClass(X, …)`). */
function makesConstructor(body: readonly Statement[]): boolean {
  const declared = new Set(
    body.flatMap((s) => (s.type === "FunctionDeclaration" && s.id ? [s.id.name] : [])),
  );
  return body.some((s) => {
    if (s.type !== "ReturnStatement" || !s.argument) return false;
    let returned = skipOuterExpressions(s.argument);
    if (returned.type === "CallExpression" && returned.arguments[0] !== undefined) {
      returned = skipOuterExpressions(returned.arguments[0]);
    }
    return returned.type === "Identifier" && declared.has(returned.name);
  });
}

/** `init` through parentheses and assignments (Babel's `var X = exports.X = function () {…}()`). */
function initialValue(init: AnyNode): AnyNode {
  let value = skipOuterExpressions(init);
  while (value.type === "AssignmentExpression") value = skipOuterExpressions(value.right);
  return value;
}

/** Whether `node` calls something with the key "name" (`l(e, "name", { value: t })`). */
function definesName(node: AnyNode): boolean {
  if (node.type === "CallExpression") {
    const key = node.arguments[1];
    if (key?.type === "Literal" && key.value === "name") return true;
  }
  let found = false;
  forEachChild(node, (child) => {
    found ||= definesName(child);
  });
  return found;
}

/** The module's keep-names helpers: esbuild's `__name`, or its minified copy `h=(e,t)=>l(e,"name",{…})`. */
function namingHelpers(declarators: readonly VariableDeclarator[]): Set<string> {
  const helpers = new Set(["__name"]);
  for (const d of declarators) {
    const fn = d.init ? initialValue(d.init) : undefined;
    if (d.id.type !== "Identifier" || fn === undefined) continue;
    if (fn.type !== "ArrowFunctionExpression" && fn.type !== "FunctionExpression") continue;
    if (fn.params.length === 2 && definesName(fn.body)) helpers.add(d.id.name);
  }
  return helpers;
}

/** The name `helper(target, "Name")` gives, if `node` is such a call of a naming helper. */
function givenName(node: AnyNode, helpers: ReadonlySet<string>): [AnyNode, string] | undefined {
  if (node.type !== "CallExpression" || node.arguments.length !== 2) return undefined;
  const callee = skipOuterExpressions(node.callee);
  if (callee.type !== "Identifier" || !helpers.has(callee.name)) return undefined;
  const [target, name] = node.arguments.map((a) => skipOuterExpressions(a));
  if (name?.type !== "Literal" || typeof name.value !== "string") return undefined;
  return [target!, name.value];
}

/** The name the class bound to `binding` runs under or is known by in the module. */
function nameOf(
  binding: string,
  init: AnyNode,
  module: { statements: readonly AnyNode[]; declarators: readonly VariableDeclarator[] },
  helpers: ReadonlySet<string>,
): string {
  const made = givenName(initialValue(init), helpers);
  if (made?.[0].type === "ClassExpression") return made[1];
  for (const statement of module.statements) {
    if (statement.type !== "ExpressionStatement") continue;
    const expression = skipOuterExpressions(statement.expression);
    const calls = expression.type === "SequenceExpression" ? expression.expressions : [expression];
    for (const call of calls) {
      const named = givenName(skipOuterExpressions(call), helpers);
      if (named?.[0].type === "Identifier" && named[0].name === binding) return named[1];
    }
  }
  // esbuild's `let Account = _Account;`.
  const alias = module.declarators.find(
    (d) => d.init?.type === "Identifier" && d.init.name === binding && d.id.type === "Identifier",
  );
  return alias?.id.type === "Identifier" ? alias.id.name : binding;
}

/** The top-level classes of a module that are not class declarations, by the name they run under. */
export function compiledClasses(parsed: ParsedModule): Map<string, CompiledClass> {
  const { statements } = moduleBody(parsed);
  const declarations = statements.flatMap((statement) => {
    const d = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
    return d?.type === "VariableDeclaration" ? [d] : [];
  });
  const declarators = declarations.flatMap((d) => d.declarations);
  const helpers = namingHelpers(declarators);
  const found: CompiledClass[] = [];
  for (const declaration of declarations) {
    for (const d of declaration.declarations) {
      if (d.id.type !== "Identifier" || !d.init) continue;
      const form = classForm(initialValue(d.init));
      if (form === undefined) continue;
      const binding = d.id.name;
      found.push({
        name: nameOf(binding, d.init, { statements, declarators }, helpers),
        binding,
        kind: declaration.kind === "var" || declaration.kind === "let" ? declaration.kind : "const",
        form,
        text: parsed.js.slice(d.init.start, d.init.end),
        line: parsed.origin(d.start).line,
      });
    }
  }
  found.push(...assignedClasses(parsed, statements, declarations, helpers));
  return new Map(found.map((c) => [c.name, c]));
}

/**
 * CoffeeScript's form: `var States; … States = class States {…};`, the
 * binding declared bare and the class assigned by a statement of its own
 * (bottleneck's lib/, where 2.19 renamed a field of States: "0 classes changed").
 */
function assignedClasses(
  parsed: ParsedModule,
  statements: readonly AnyNode[],
  declarations: readonly VariableDeclaration[],
  helpers: ReadonlySet<string>,
): CompiledClass[] {
  const bare = new Map<string, VariableDeclaration["kind"]>();
  for (const declaration of declarations)
    for (const d of declaration.declarations)
      if (d.id.type === "Identifier" && !d.init) bare.set(d.id.name, declaration.kind);
  const declarators = declarations.flatMap((d) => d.declarations);
  return statements.flatMap((statement) => {
    if (statement.type !== "ExpressionStatement") return [];
    const assignment = skipOuterExpressions(statement.expression);
    if (assignment.type !== "AssignmentExpression" || assignment.operator !== "=") return [];
    const { left, right } = assignment;
    const kind = left.type === "Identifier" ? bare.get(left.name) : undefined;
    const form = kind === undefined ? undefined : classForm(initialValue(right));
    if (left.type !== "Identifier" || kind === undefined || form === undefined) return [];
    return [
      {
        name: nameOf(left.name, right, { statements, declarators }, helpers),
        binding: left.name,
        kind: kind === "var" || kind === "let" ? kind : "const",
        form,
        text: parsed.js.slice(right.start, right.end),
        line: parsed.origin(statement.start).line,
      },
    ];
  });
}
