/**
 * Learning the definition of ordinary classes (classes metamorph did not make)
 * from their source text: fields in the order a constructor creates them,
 * methods and accessors, statics, the superclass expression and private
 * members. Two sources of text are supported: `Function.prototype.toString()`
 * of a live class (always JavaScript, as transpiled) and whole module files
 * (JavaScript or TypeScript) for the live-reload tool, which diffs two versions.
 *
 * Field order follows what the engine does on `new`, because migration must add
 * fields in that order to keep rewritten objects on the fresh objects' hidden
 * class path:
 *   1. TypeScript parameter properties (`constructor(private x: number)`): with
 *      `useDefineForClassFields` (the default for target ES2022+) tsc, esbuild
 *      and oxc all emit them as field declarations placed *before* every other
 *      field, so they come first, without initialiser (the value is an argument);
 *   2. class field declarations, in declaration order, with their initialiser;
 *   3. `this.x = …` writes at the top level of the constructor body, in order.
 * A name keeps the position of its first write and the value of its last
 * unconditional write; a constructor write whose value depends on parameters or
 * locals makes the initial value unknown (no initialiser), as
 * `FieldDefinition.initializer` requires.
 *
 * Lowered forms of fields are understood too: `__publicField(this, "x", v)` and
 * `__defNormalProp` (esbuild below ES2022), `_defineProperty(this, "x", v)`
 * (Babel), `Object.defineProperty(this, "x", { value })` (tsc below ES2022) and
 * `static { this.s = v; }` (tsc/esbuild with `useDefineForClassFields: false`).
 *
 * The TypeScript compiler is loaded only on the first parse, through `require`:
 * about 0.2 s in plain Node 20 (0.3 s under tsx), against about 0.5 s for an
 * ESM `import`, which also scans the 9 MB CommonJS file for named exports.
 * Most programs importing metamorph never parse a class, so they never pay it.
 * After that a small class takes about 0.5 ms (`readClassSource` caches).
 */
import type ts from "typescript";
import { InvalidClassDefinitionError, SourceParserUnavailableError } from "../errors.js";
import type {
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "./classDefinition.js";
import { memberKeyName } from "./classDefinition.js";

type TypeScript = typeof ts;

export type ParsedMemberKind =
  | "field"
  | "method"
  | "get"
  | "set"
  | "constructor"
  | "static-block"
  | "accessor";

/** Where one member of a class stands in the parsed text. */
export interface ParsedMember {
  readonly kind: ParsedMemberKind;
  /** `x`, `#x`, `[Symbol.iterator]`, `constructor`, `static {}`, or `[expr]` for an unsupported computed key. */
  readonly name: string;
  /** The member key, or null for constructors, static blocks, private names and unsupported computed keys. */
  readonly key: MemberKey | null;
  readonly static: boolean;
  readonly private: boolean;
  /** Span in the parsed text, without leading comments (slice the text to get the member's source). */
  readonly start: number;
  readonly end: number;
}

export interface ParsedClass {
  /**
   * The class name; `""` for an anonymous class expression. In a module, the
   * binding name (`const X = class …` gives "X"; `export default class {}`
   * gives "default", as the engine names it).
   */
  readonly name: string;
  /** The `extends` expression as written (type arguments dropped), e.g. "Base" or "mixin(Base)". */
  readonly superclass: string | null;
  /** Instance fields in constructor order (see the module comment). */
  readonly fields: readonly FieldDefinition[];
  readonly staticFields: readonly FieldDefinition[];
  /** String- and symbol-keyed methods and accessors, instance and static, in source order. Private ones are not included. */
  readonly methods: readonly MethodDefinition[];
  readonly constructorSource: string | null;
  /** Whether instances or the class carry state that reflection cannot see: `#` members, lowered private fields, auto-accessors. */
  readonly hasPrivateMembers: boolean;
  /** Declared `#` names, instance and static, in source order. */
  readonly privateMembers: readonly string[];
  /** What could not be learned, for people (computed keys, conditional fields, auto-accessors, …). */
  readonly unsupported: readonly string[];
  /** Every runtime member with its span; type-only members (overloads, `declare`, index signatures) are left out. */
  readonly members: readonly ParsedMember[];
  /** Span of the class in the parsed text (a class declaration's span includes `export`/decorators). */
  readonly start: number;
  readonly end: number;
}

let compiler: TypeScript | undefined;

/**
 * Supplies the TypeScript compiler module where metamorph cannot `require` it
 * itself (a browser bundle): `provideTypeScript(await import("typescript"))`.
 */
export function provideTypeScript(module: TypeScript): void {
  compiler = module;
}

interface NodeProcess {
  readonly getBuiltinModule?: (id: string) => unknown;
}

function typescript(): TypeScript {
  if (compiler !== undefined) return compiler;
  // `process.getBuiltinModule` (Node ≥ 20.16) avoids a static `node:module`
  // import, which would break bundling metamorph for a browser.
  const proc = (globalThis as { process?: NodeProcess }).process;
  const nodeModule = proc?.getBuiltinModule?.("node:module") as
    | typeof import("node:module")
    | undefined;
  if (nodeModule === undefined) {
    throw new SourceParserUnavailableError(
      "Reading class source needs the TypeScript compiler, and there is no Node `require` here; call provideTypeScript(ts) first",
    );
  }
  try {
    compiler = nodeModule.createRequire(import.meta.url)("typescript") as TypeScript;
  } catch (error) {
    throw new SourceParserUnavailableError(
      `Reading class source needs the "typescript" package, which could not be loaded: ${String(error)}`,
      { cause: String(error) },
    );
  }
  return compiler;
}

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses the source text of one class, such as `Function.prototype.toString()`
 * of a class constructor. Spans refer to `source`.
 */
export function parseClassSource(source: string): ParsedClass {
  const t = typescript();
  // A bare anonymous `class {}` is not a statement; inside parentheses every
  // class is an expression. The newline keeps a trailing line comment from
  // swallowing the closing parenthesis.
  const wrapped = `(${source}\n)`;
  const file = t.createSourceFile(
    "class.js",
    wrapped,
    t.ScriptTarget.Latest,
    true,
    t.ScriptKind.JS,
  );
  const excerpt = source.length > 80 ? `${source.slice(0, 77)}...` : source;
  const diagnostic = firstParseError(t, file);
  const statement = file.statements.length === 1 ? file.statements[0] : undefined;
  const expression =
    statement !== undefined && t.isExpressionStatement(statement)
      ? statement.expression
      : undefined;
  const cls =
    expression !== undefined && t.isParenthesizedExpression(expression)
      ? expression.expression
      : undefined;
  if (cls === undefined || !t.isClassExpression(cls) || diagnostic !== undefined) {
    const reason = /^\s*(async\s+)?function\b/.test(source)
      ? "this is a function, not a class (ES5-style constructor functions are not supported)"
      : cls === undefined || !t.isClassExpression(cls) || diagnostic === undefined
        ? "this is not a single class"
        : `syntax error at offset ${Math.max(0, diagnostic.start - 1)} (${diagnostic.message})`;
    throw new InvalidClassDefinitionError(
      `parseClassSource expects the source text of one class (\`class … { … }\`); ${reason}: \`${excerpt}\``,
      { source: excerpt, ...(diagnostic === undefined ? {} : { syntaxError: diagnostic.message }) },
    );
  }
  return analyseClass({ t, file, shift: 1 }, cls, cls.name?.text ?? "");
}

/**
 * Parses a whole module and returns its top-level classes in source order:
 * `class X`, `export class X`, `export default class [X]`, `const X = class …`
 * (also `let`/`var`, several per statement) and `export default (class …)`.
 * TypeScript is parsed as TypeScript when the file name says so (`.ts`, `.tsx`,
 * `.mts`, `.cts`); member sources and initialisers are then TypeScript text as
 * written. Throws InvalidClassDefinitionError on a syntax error.
 */
export function parseModuleClasses(source: string, fileName: string): ParsedClass[] {
  const t = typescript();
  const file = t.createSourceFile(
    fileName,
    source,
    t.ScriptTarget.Latest,
    true,
    scriptKind(t, fileName),
  );
  const diagnostic = firstParseError(t, file);
  if (diagnostic !== undefined) {
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start);
    throw new InvalidClassDefinitionError(
      `Cannot read the classes of ${fileName}: syntax error at ${line + 1}:${character + 1}: ${diagnostic.message}`,
      { fileName, line: line + 1, column: character + 1, syntaxError: diagnostic.message },
    );
  }
  const src: Source = { t, file, shift: 0 };
  const classes: ParsedClass[] = [];
  for (const statement of file.statements) {
    if (t.isClassDeclaration(statement)) {
      if (hasModifier(t, statement, t.SyntaxKind.DeclareKeyword)) continue;
      const isDefault = hasModifier(t, statement, t.SyntaxKind.DefaultKeyword);
      classes.push(
        analyseClass(src, statement, isDefault ? "default" : (statement.name?.text ?? "")),
      );
    } else if (t.isVariableStatement(statement)) {
      if (hasModifier(t, statement, t.SyntaxKind.DeclareKeyword)) continue;
      for (const declaration of statement.declarationList.declarations) {
        const value = declaration.initializer && skipOuterExpressions(t, declaration.initializer);
        if (value !== undefined && t.isClassExpression(value) && t.isIdentifier(declaration.name)) {
          classes.push(analyseClass(src, value, declaration.name.text));
        }
      }
    } else if (t.isExportAssignment(statement) && !statement.isExportEquals) {
      const value = skipOuterExpressions(t, statement.expression);
      if (t.isClassExpression(value)) classes.push(analyseClass(src, value, "default"));
    }
  }
  return classes;
}

const classCache = new WeakMap<Function, ParsedClass>();

/**
 * The parsed source of a live class, cached per class. Uses
 * `Function.prototype.toString` (a class may define its own static
 * `toString`); an anonymous class expression takes the runtime name the engine
 * gave it (`const X = class {}` is named "X").
 */
export function readClassSource(cls: Function): ParsedClass {
  const cached = classCache.get(cls);
  if (cached !== undefined) return cached;
  if (typeof cls !== "function") {
    throw new InvalidClassDefinitionError(`readClassSource expects a class, got ${typeof cls}`);
  }
  let parsed = parseClassSource(Function.prototype.toString.call(cls));
  if (parsed.name === "" && cls.name !== "") parsed = Object.freeze({ ...parsed, name: cls.name });
  classCache.set(cls, parsed);
  return parsed;
}

// ---------------------------------------------------------------------------
// Parsing helpers

interface Source {
  readonly t: TypeScript;
  readonly file: ts.SourceFile;
  /** Subtracted from positions so spans refer to the caller's text rather than the wrapped one. */
  readonly shift: number;
}

interface ParseError {
  readonly start: number;
  readonly message: string;
}

function firstParseError(t: TypeScript, file: ts.SourceFile): ParseError | undefined {
  // Syntax errors are kept on the source file by the parser; the public way to
  // read them needs a whole Program, which costs far more than the parse.
  const diagnostics = (
    file as ts.SourceFile & { readonly parseDiagnostics?: readonly ts.Diagnostic[] }
  ).parseDiagnostics;
  const first = diagnostics?.[0];
  if (first === undefined) return undefined;
  return {
    start: first.start ?? 0,
    message: t.flattenDiagnosticMessageText(first.messageText, "\n"),
  };
}

function scriptKind(t: TypeScript, fileName: string): ts.ScriptKind {
  const extension = /\.[^./\\]+$/.exec(fileName)?.[0]?.toLowerCase() ?? "";
  switch (extension) {
    case ".ts":
    case ".mts":
    case ".cts":
      return t.ScriptKind.TS;
    case ".tsx":
      return t.ScriptKind.TSX;
    case ".jsx":
      return t.ScriptKind.JSX;
    default:
      return t.ScriptKind.JS;
  }
}

function hasModifier(t: TypeScript, node: ts.Node, kind: ts.SyntaxKind): boolean {
  return (t.canHaveModifiers(node) && t.getModifiers(node)?.some((m) => m.kind === kind)) === true;
}

function hasDecorators(t: TypeScript, node: ts.Node): boolean {
  return t.canHaveDecorators(node) && (t.getDecorators(node)?.length ?? 0) > 0;
}

/** Strips parentheses and TypeScript-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
function skipOuterExpressions(t: TypeScript, node: ts.Expression): ts.Expression {
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

type KeyInfo =
  | { readonly type: "key"; readonly key: MemberKey }
  | { readonly type: "private"; readonly name: string }
  | { readonly type: "unsupported"; readonly text: string };

function literalKey(t: TypeScript, node: ts.Node): string | undefined {
  if (t.isStringLiteral(node) || t.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (t.isNumericLiteral(node)) return String(Number(node.text));
  if (t.isBigIntLiteral(node)) return BigInt(node.text.slice(0, -1)).toString();
  return undefined;
}

function readKey(src: Source, name: ts.PropertyName): KeyInfo {
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
function calleeName(t: TypeScript, node: ts.Expression): string | undefined {
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

function isThis(t: TypeScript, node: ts.Node | undefined): boolean {
  return (
    node !== undefined &&
    t.isExpression(node) &&
    skipOuterExpressions(t, node).kind === t.SyntaxKind.ThisKeyword
  );
}

// ---------------------------------------------------------------------------
// Writes to `this` (the instance in a constructor, the class in a static block)

type Write =
  | { readonly type: "field"; readonly name: string; readonly value: ts.Expression | undefined }
  | { readonly type: "private"; readonly text: string }
  | { readonly type: "opaque"; readonly text: string }
  | { readonly type: "ignored" };

type ThisTarget =
  | { readonly type: "name"; readonly name: string }
  | { readonly type: "private" }
  | { readonly type: "dynamic" };

function thisTarget(t: TypeScript, node: ts.Expression): ThisTarget | undefined {
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
const PRIVATE_HELPER =
  /^_{1,2}(privateAdd|privateFieldInit|classPrivateFieldInitSpec|classPrivateMethodInitSpec|classPrivateFieldInit|classPrivateMethodInit)\d*$/;
const PRIVATE_USE_HELPER =
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

function isAssignment(t: TypeScript, node: ts.Node): node is ts.BinaryExpression {
  return t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken;
}

/**
 * Writes that an expression statement makes unconditionally, in evaluation
 * order (`this.a = this.b = 0` writes b first; minifiers join statements with
 * commas). Sub-expressions that may hold further, conditional writes go to `rest`.
 */
function collectWrites(src: Source, node: ts.Expression, out: Write[], rest: ts.Node[]): void {
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
function scanWrites(src: Source, node: ts.Node, visit: (write: Write) => void): void {
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

function containsReturn(t: TypeScript, node: ts.Node): boolean {
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
function declaredNames(
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
function dependsOnScope(
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

function describeStatement(t: TypeScript, statement: ts.Statement): string {
  if (t.isIfStatement(statement) || t.isSwitchStatement(statement)) return "conditionally";
  if (t.isIterationStatement(statement, false)) return "in a loop";
  if (t.isTryStatement(statement)) return "in a try statement";
  return "in a nested function or expression";
}

class Notes {
  private readonly seen = new Set<string>();
  readonly list: string[] = [];
  add(note: string): void {
    if (this.seen.has(note)) return;
    this.seen.add(note);
    this.list.push(note);
  }
}

interface BodyContext {
  readonly src: Source;
  /** "the constructor" or "a static block", for notes. */
  readonly where: string;
  /** "field" or "static field", for notes. */
  readonly what: string;
  readonly fields: Map<string, string | undefined>;
  readonly scope: ReadonlySet<string>;
  readonly notes: Notes;
  readonly onPrivate: (text: string) => void;
}

/**
 * Learns the fields a constructor or static block writes, in order: only
 * top-level statements count as unconditional; writes inside conditionals,
 * loops and callbacks are reported, not learned.
 */
function analyseBody(context: BodyContext, statements: readonly ts.Statement[]): void {
  const { src, fields, notes, what, where } = context;
  const { t } = src;
  const introduced = new Set<string>();
  const pending = new Map<string, string>();
  const apply = (write: Write): void => {
    switch (write.type) {
      case "field": {
        if (pending.has(write.name)) {
          notes.add(
            `${what} \`${write.name}\` is also assigned ${pending.get(write.name)} earlier in ${where}; its position in the field order may vary`,
          );
          pending.delete(write.name);
        }
        if (!fields.has(write.name)) introduced.add(write.name);
        const value = write.value;
        // A field declared earlier is created before the constructor runs, so
        // its initialiser cannot rely on `this` the way the constructor does.
        const known =
          value !== undefined &&
          !dependsOnScope(t, value, context.scope, introduced.has(write.name));
        fields.set(write.name, known ? value.getText(src.file) : undefined);
        return;
      }
      case "private":
        context.onPrivate(write.text);
        return;
      case "opaque":
        notes.add(`${where} creates properties that cannot be named statically: \`${write.text}\``);
        return;
      case "ignored":
        return;
    }
  };
  const conditional =
    (how: string) =>
    (write: Write): void => {
      if (write.type === "field") {
        if (!fields.has(write.name) && !pending.has(write.name)) pending.set(write.name, how);
      } else {
        apply(write);
      }
    };
  let stopped = false;
  const run = (list: readonly ts.Statement[]): void => {
    for (const statement of list) {
      if (stopped) return;
      if (t.isExpressionStatement(statement)) {
        const writes: Write[] = [];
        const rest: ts.Node[] = [];
        collectWrites(src, statement.expression, writes, rest);
        for (const write of writes) apply(write);
        for (const node of rest)
          scanWrites(src, node, conditional("in a nested function or expression"));
      } else if (t.isBlock(statement)) {
        run(statement.statements);
      } else if (t.isReturnStatement(statement)) {
        if (statement.expression !== undefined) {
          scanWrites(src, statement.expression, conditional("in a nested function or expression"));
          notes.add(`${where} returns another object; the instance's fields may not be these`);
        }
        stopped = true;
      } else {
        scanWrites(src, statement, conditional(describeStatement(t, statement)));
        if (containsReturn(t, statement)) {
          notes.add(
            `${where} may return early; fields assigned after that return are not always set`,
          );
        }
      }
    }
  };
  run(statements);
  for (const [name, how] of pending) {
    notes.add(`${what} \`${name}\` is assigned only ${how} in ${where}; not learned`);
  }
}

// ---------------------------------------------------------------------------
// One class

function keyDisplay(key: KeyInfo): string {
  switch (key.type) {
    case "key":
      return memberKeyName(key.key);
    case "private":
      return key.name;
    case "unsupported":
      return key.text;
  }
}

function analyseClass(src: Source, node: ts.ClassLikeDeclaration, name: string): ParsedClass {
  const { t, file, shift } = src;
  const notes = new Notes();
  const privateMembers: string[] = [];
  let hiddenState = false;
  const members: ParsedMember[] = [];
  const methods: MethodDefinition[] = [];
  const methodIndex = new Map<string, number>();
  const instanceFields = new Map<string, string | undefined>();
  const staticFields = new Map<string, string | undefined>();
  const span = (member: ts.Node) => ({
    start: member.getStart(file) - shift,
    end: member.getEnd() - shift,
  });
  const addPrivate = (privateName: string): void => {
    if (!privateMembers.includes(privateName)) privateMembers.push(privateName);
  };
  const onLoweredPrivate = (text: string): void => {
    hiddenState = true;
    notes.add(`private state lowered by a transpiler (\`${text}\`) is invisible to reflection`);
  };

  if (hasDecorators(t, node))
    notes.add("class decorators are not evaluated; they may replace the class or its members");

  const constructorNode = node.members.find(
    (member): member is ts.ConstructorDeclaration =>
      t.isConstructorDeclaration(member) && member.body !== undefined,
  );

  // 1. Parameter properties, emitted before all other fields.
  if (constructorNode !== undefined) {
    for (const parameter of constructorNode.parameters) {
      if (
        t.isParameterPropertyDeclaration(parameter, constructorNode) &&
        t.isIdentifier(parameter.name)
      ) {
        instanceFields.set(parameter.name.text, undefined);
      }
    }
  }

  // 2. Members in source order: field declarations, methods, static blocks.
  for (const member of node.members) {
    const isStatic = hasModifier(t, member, t.SyntaxKind.StaticKeyword);
    if (hasDecorators(t, member)) {
      notes.add(
        "member decorators are not evaluated; they may replace members or add initialisers",
      );
    }
    if (t.isPropertyDeclaration(member)) {
      if (
        hasModifier(t, member, t.SyntaxKind.DeclareKeyword) ||
        hasModifier(t, member, t.SyntaxKind.AbstractKeyword)
      ) {
        continue;
      }
      const key = readKey(src, member.name);
      const isAccessor = hasModifier(t, member, t.SyntaxKind.AccessorKeyword);
      members.push({
        kind: isAccessor ? "accessor" : "field",
        name: keyDisplay(key),
        key: key.type === "key" ? key.key : null,
        static: isStatic,
        private: key.type === "private",
        ...span(member),
      });
      const label = isStatic ? "static field" : "field";
      if (key.type === "private") {
        addPrivate(key.name);
      } else if (isAccessor) {
        hiddenState = true;
        notes.add(
          `auto-accessor ${label} \`${keyDisplay(key)}\` keeps its value in hidden private storage; not learned`,
        );
      } else if (key.type === "unsupported") {
        notes.add(`${label} with computed key \`${key.text}\`; not learned`);
      } else if (typeof key.key !== "string") {
        notes.add(`symbol-keyed ${label} \`${memberKeyName(key.key)}\`; not learned`);
      } else {
        (isStatic ? staticFields : instanceFields).set(
          key.key,
          member.initializer === undefined ? undefined : member.initializer.getText(file),
        );
      }
    } else if (
      t.isMethodDeclaration(member) ||
      t.isGetAccessor(member) ||
      t.isSetAccessor(member)
    ) {
      if (member.body === undefined) continue; // an overload signature or abstract member
      const kind: MethodKind = t.isGetAccessor(member)
        ? "get"
        : t.isSetAccessor(member)
          ? "set"
          : "method";
      const key = readKey(src, member.name);
      members.push({
        kind,
        name: keyDisplay(key),
        key: key.type === "key" ? key.key : null,
        static: isStatic,
        private: key.type === "private",
        ...span(member),
      });
      if (key.type === "private") {
        addPrivate(key.name);
        continue;
      }
      if (key.type === "unsupported") {
        notes.add(
          `${isStatic ? "static " : ""}${kind === "method" ? "method" : `${kind}ter`} with computed key \`${key.text}\`; not learned`,
        );
        continue;
      }
      const definition: MethodDefinition = {
        key: key.key,
        kind,
        static: isStatic,
        source: member.getText(file),
      };
      const identity = `${isStatic}:${kind}:${typeof key.key === "string" ? `s:${key.key}` : `y:${key.key.symbol}`}`;
      const previous = methodIndex.get(identity);
      if (previous === undefined) {
        methodIndex.set(identity, methods.length);
        methods.push(definition);
      } else {
        // The engine keeps the first position and the last definition.
        methods[previous] = definition;
        notes.add(
          `${isStatic ? "static " : ""}${kind} \`${memberKeyName(key.key)}\` is defined more than once; the last definition is kept`,
        );
      }
    } else if (t.isConstructorDeclaration(member)) {
      if (member.body === undefined) continue;
      members.push({
        kind: "constructor",
        name: "constructor",
        key: null,
        static: false,
        private: false,
        ...span(member),
      });
      for (const parameter of member.parameters) {
        if (t.isParameterPropertyDeclaration(parameter, member) && t.isIdentifier(parameter.name)) {
          members.push({
            kind: "field",
            name: parameter.name.text,
            key: parameter.name.text,
            static: false,
            private: false,
            ...span(parameter),
          });
        }
      }
    } else if (t.isClassStaticBlockDeclaration(member)) {
      members.push({
        kind: "static-block",
        name: "static {}",
        key: null,
        static: true,
        private: false,
        ...span(member),
      });
      analyseBody(
        {
          src,
          where: "a static block",
          what: "static field",
          fields: staticFields,
          scope: declaredNames(t, [], member.body),
          notes,
          onPrivate: onLoweredPrivate,
        },
        member.body.statements,
      );
    }
  }

  // 3. Constructor writes.
  if (constructorNode?.body !== undefined) {
    const scope = declaredNames(t, constructorNode.parameters, constructorNode.body);
    scope.add("arguments");
    analyseBody(
      {
        src,
        where: "the constructor",
        what: "field",
        fields: instanceFields,
        scope,
        notes,
        onPrivate: onLoweredPrivate,
      },
      constructorNode.body.statements,
    );
  }

  // Writes elsewhere (methods, arrow-function field initialisers) create fields
  // only when that code runs, so they are reported, not learned.
  for (const member of node.members) {
    if (hasModifier(t, member, t.SyntaxKind.StaticKeyword)) continue;
    let body: ts.Node | undefined;
    let label = "";
    if ((t.isMethodDeclaration(member) || t.isAccessor(member)) && member.body !== undefined) {
      body = member.body;
      label = `method \`${member.name.getText(file)}\``;
    } else if (t.isPropertyDeclaration(member) && member.initializer !== undefined) {
      body = member.initializer;
      label = `the initialiser of field \`${member.name.getText(file)}\``;
    }
    if (body === undefined) continue;
    t.forEachChild(body, (child) =>
      scanWrites(src, child, (write) => {
        if (write.type === "field" && !instanceFields.has(write.name)) {
          notes.add(
            `field \`${write.name}\` is assigned in ${label}, not by the constructor; not learned`,
          );
        }
      }),
    );
  }

  // Private names used but declared by an enclosing class, and transpiled
  // private-member helpers anywhere in the body.
  const usedPrivate = new Set<string>();
  const walk = (current: ts.Node): void => {
    if (t.isPrivateIdentifier(current)) usedPrivate.add(current.text);
    if (t.isCallExpression(current)) {
      const callee = calleeName(t, current.expression);
      if (
        callee !== undefined &&
        (PRIVATE_HELPER.test(callee) || PRIVATE_USE_HELPER.test(callee))
      ) {
        onLoweredPrivate(current.getText(file));
      }
    }
    t.forEachChild(current, walk);
  };
  for (const member of node.members) walk(member);
  for (const used of usedPrivate) {
    if (!privateMembers.includes(used)) {
      notes.add(`uses private name \`${used}\` declared by an enclosing class`);
    }
  }

  const heritage = node.heritageClauses?.find(
    (clause) => clause.token === t.SyntaxKind.ExtendsKeyword,
  );
  const superType = heritage?.types[0];
  const toFields = (map: Map<string, string | undefined>): readonly FieldDefinition[] =>
    Object.freeze(
      [...map].map(([fieldName, initializer]) =>
        Object.freeze(
          initializer === undefined ? { name: fieldName } : { name: fieldName, initializer },
        ),
      ),
    );

  return Object.freeze({
    name,
    superclass: superType === undefined ? null : superType.expression.getText(file),
    fields: toFields(instanceFields),
    staticFields: toFields(staticFields),
    methods: Object.freeze(methods.map((method) => Object.freeze(method))),
    constructorSource: constructorNode === undefined ? null : constructorNode.getText(file),
    hasPrivateMembers: privateMembers.length > 0 || hiddenState,
    privateMembers: Object.freeze(privateMembers),
    unsupported: Object.freeze(notes.list),
    members: Object.freeze(members.map((member) => Object.freeze(member))),
    start: node.getStart(file) - shift,
    end: node.getEnd() - shift,
  });
}
