/**
 * Learning the definition of ordinary classes (classes metamorph did not make)
 * from their source text: fields in the order a constructor creates them,
 * methods and accessors, statics, the superclass expression and private
 * members. Two sources of text are supported: `Function.prototype.toString()`
 * of a live class and whole module files, for the live-reload tool, which
 * diffs two versions. Both are JavaScript: at run time a class's text is what
 * tsc, esbuild or tsx emitted, and the tools that read TypeScript files turn
 * them into JavaScript first.
 *
 * Field order follows what the engine does on `new`, because migration must add
 * fields in that order to keep rewritten objects on the fresh objects' hidden
 * class path:
 *   1. class field declarations, in declaration order, with their initialiser.
 *      TypeScript parameter properties (`constructor(private x: number)`) are
 *      among them: with `useDefineForClassFields` (the default for target
 *      ES2022+) tsc, esbuild and oxc emit them as declarations (`x;`) placed
 *      before every other field;
 *   2. `this.x = …` writes at the top level of the constructor body, in order
 *      (parameter properties are such writes in the other emits).
 * A name keeps the position of its first write and the value of its last
 * unconditional write; a constructor write whose value depends on parameters or
 * locals makes the initial value unknown (no initialiser), as
 * `FieldDefinition.initializer` requires.
 *
 * Lowered forms of fields are understood too: `__publicField(this, "x", v)` and
 * `__defNormalProp` (esbuild below ES2022), `_defineProperty(this, "x", v)`
 * (Babel), `Object.defineProperty(this, "x", { value })` (tsc below ES2022) and
 * `static { this.s = v; }` (tsc/esbuild with `useDefineForClassFields: false`).
 */
import { type MadeFunctions, madeFunctions } from "./madeFunctions.js";
import { type SourceKind, unboundNames } from "./unboundNames.js";
import type { AnyNode, Class, Program } from "acorn";
import { InvalidClassDefinitionError } from "../../errors.js";
import { analyseClass } from "./classAnalysis.js";
import {
  closureMembers,
  type MemberAccess,
  memberAccess,
  suspendedMembers,
} from "./closureMembers.js";
import { decoratedClasses } from "./decorators.js";
import type { ParsedClass } from "./parsedClass.js";
import { forEachChild, parseJavaScript } from "./parser.js";
import { readsModuleScope } from "./scope.js";
import { type NestedWrite, nestedWrites } from "./nestedWrites.js";
import { thisHandOffs } from "./thisHandOffs.js";
import type { Source } from "./syntax.js";
import { skipOuterExpressions } from "./syntax.js";

/**
 * Parses the source text of one class, such as `Function.prototype.toString()`
 * of a class constructor. Spans refer to `source`.
 */
export function parseClassSource(source: string): ParsedClass {
  // A bare anonymous `class {}` is not a statement; inside parentheses every
  // class is an expression. The newline keeps a trailing line comment from
  // swallowing the closing parenthesis.
  const wrapped = `(${source}\n)`;
  const result = parseJavaScript(wrapped, "script");
  const cls = result.ok ? singleClass(result.program) : undefined;
  if (cls === undefined) {
    const excerpt = source.length > 80 ? `${source.slice(0, 77)}...` : source;
    const failure = result.ok ? undefined : result.failure;
    const reason = /^\s*(async\s+)?function\b/.test(source)
      ? "this is a function, not a class (ES5-style constructor functions are not supported: their fields cannot be read from a class body; a package's such class is updated by a restart, or held in a class of your own that a patch can update)"
      : failure === undefined
        ? "this is not a single class"
        : `syntax error at offset ${Math.max(0, failure.pos - 1)} (${failure.message})`;
    throw new InvalidClassDefinitionError(
      `parseClassSource expects the source text of one class (\`class … { … }\`); ${reason}: \`${excerpt}\``,
      { source: excerpt, ...(failure === undefined ? {} : { syntaxError: failure.message }) },
    );
  }
  return analyseClass({ text: wrapped, shift: 1 }, cls, cls.id?.name ?? "");
}

function singleClass(program: Program): Class | undefined {
  const statement = program.body.length === 1 ? program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return undefined;
  const expression = statement.expression;
  if (expression.type !== "ParenthesizedExpression") return undefined;
  return expression.expression.type === "ClassExpression" ? expression.expression : undefined;
}

/**
 * Parses a whole JavaScript module and returns its top-level classes in
 * source order: `class X`, `export class X`, `export default class [X]`,
 * `const X = class …` (also `let`/`var`, several per statement) and
 * `export default (class …)`. Decorators, which reach JavaScript as calls
 * after the class (`X = __decorate([…], X)`), are reported. A file that is
 * not a module (CommonJS) is read as a script. Throws
 * InvalidClassDefinitionError on a syntax error.
 */
export function parseModuleClasses(source: string, fileName: string): ParsedClass[] {
  let result = parseJavaScript(source, "module");
  if (!result.ok) {
    const script = parseJavaScript(source, "script");
    if (script.ok) result = script;
  }
  if (!result.ok) {
    const { line, column, message } = result.failure;
    throw new InvalidClassDefinitionError(
      `Cannot read the classes of ${fileName}: syntax error at ${line}:${column}: ${message}`,
      { fileName, line, column, syntaxError: message },
    );
  }
  const src: Source = { text: source, shift: 0 };
  const classes: ParsedClass[] = [];
  for (const statement of result.program.body) {
    for (const [node, name, extent] of topLevelClasses(statement)) {
      classes.push(analyseClass(src, node, name, extent));
    }
  }
  const decorated = decoratedClasses(result.program);
  return classes.map((parsed) => {
    const notes = decorated.get(parsed.name);
    if (notes === undefined) return parsed;
    return Object.freeze({
      ...parsed,
      unsupported: Object.freeze([...notes, ...parsed.unsupported]),
    });
  });
}

type Found = readonly [Class, string, AnyNode];

/** The classes one top-level statement binds, with their names and spans. */
function topLevelClasses(statement: AnyNode): Found[] {
  switch (statement.type) {
    case "ClassDeclaration":
      return statement.id ? [[statement, statement.id.name, statement]] : [];
    case "VariableDeclaration": {
      const found: Found[] = [];
      for (const declaration of statement.declarations) {
        const value = declaration.init ? skipOuterExpressions(declaration.init) : undefined;
        if (value?.type === "ClassExpression" && declaration.id.type === "Identifier") {
          found.push([value, declaration.id.name, value]);
        }
      }
      return found;
    }
    case "ExportNamedDeclaration": {
      const declaration = statement.declaration;
      if (declaration?.type === "ClassDeclaration") {
        return [[declaration, declaration.id.name, statement]];
      }
      return declaration ? topLevelClasses(declaration) : [];
    }
    case "ExportDefaultDeclaration": {
      const declaration = skipOuterExpressions(statement.declaration);
      if (declaration.type === "ClassDeclaration") return [[declaration, "default", statement]];
      if (declaration.type === "ClassExpression") return [[declaration, "default", declaration]];
      return [];
    }
    default:
      return [];
  }
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
    throw new InvalidClassDefinitionError(
      `expected a class, got ${cls === null ? "null" : typeof cls}: metamorph reads a class from its source text (\`class … { … }\`)`,
      { type: cls === null ? "null" : typeof cls },
    );
  }
  let parsed: ParsedClass;
  try {
    parsed = parseClassSource(Function.prototype.toString.call(cls));
  } catch (error) {
    // Named after the class handed in, not the parser (fast-xml-parser's
    // XMLBuilder is an ES5 constructor function).
    if (!(error instanceof InvalidClassDefinitionError)) throw error;
    throw new InvalidClassDefinitionError(
      error.message.replace(
        /^parseClassSource expects the source text of one class \(`class … \{ … \}`\)/,
        `${cls.name || "(anonymous)"} cannot be read as a class: metamorph reads a class from its source text (\`class … { … }\`)`,
      ),
      { ...error.details, className: cls.name },
    );
  }
  if (parsed.name === "" && cls.name !== "") parsed = Object.freeze({ ...parsed, name: cls.name });
  classCache.set(cls, parsed);
  return parsed;
}

/**
 * Whether function `f` (a method, accessor, `function` or arrow) reads a
 * name it does not bind itself other than a standard global: a binding of
 * its module (scope.ts readsModuleScope). True when its source does not
 * parse. `arguments` counts as its own.
 */
export function functionReadsModuleScope(f: Function): boolean {
  const source = Function.prototype.toString.call(f);
  // Method syntax (`get x() {…}`, `m() {…}`) stands in an object literal; `function` and arrows alone.
  for (const text of [`({ ${source}\n})`, `(${source}\n)`]) {
    const parsed = parseJavaScript(text, "script");
    if (parsed.ok) return readsModuleScope(parsed.program, new Set(["arguments"]));
  }
  return true;
}

/**
 * The members of `this` that arrow functions made by `cls`'s methods and
 * constructor read (closureMembers.ts); empty when its source does not
 * parse as a class.
 */
export function readClosureMembers(cls: Function): ReadonlySet<string> {
  const parsed = parseJavaScript(`(${Function.prototype.toString.call(cls)}\n)`, "script");
  if (!parsed.ok) return new Set();
  const statement = parsed.program.body[0];
  if (statement?.type !== "ExpressionStatement") return new Set();
  return closureMembers(skipOuterExpressions(statement.expression));
}

/**
 * Both of the above for a class whose body is `members` (sources of
 * methods and `name = (initialiser);` fields: a class metamorph builds,
 * whose generated constructor shows none of them); undefined where they
 * do not parse together as one class body.
 */
export function readClassBodyReads(members: readonly string[]):
  | {
      readonly closures: ReadonlySet<string>;
      readonly suspended: ReadonlyMap<string, readonly string[]>;
    }
  | undefined {
  const parsed = parseJavaScript(`(class {\n${members.join("\n")}\n})`, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return undefined;
  const node = skipOuterExpressions(statement.expression);
  return { closures: closureMembers(node), suspended: suspendedMembers(node) };
}

/**
 * The members of the object that calls of `cls`'s methods suspended at an
 * `await` or `yield` read when they resume, with those methods; empty when
 * its source does not parse as a class. Read here, the module the Vite page
 * stands in for: the page loads no parser.
 */
export function readSuspendedMembers(cls: Function): ReadonlyMap<string, readonly string[]> {
  const parsed = parseJavaScript(`(${Function.prototype.toString.call(cls)}\n)`, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return new Map();
  return suspendedMembers(skipOuterExpressions(statement.expression));
}

/**
 * The constructor statements of `cls` that pass `this` to another function
 * (thisHandOffs.ts); empty when its source does not parse as a class.
 */
export function readThisHandOffs(cls: Function): readonly string[] {
  return constructorFacts(cls).handOffs;
}

/** Both readings of a class's constructor from one parse, kept per class (every update of a release asks). */
const factsCache = new WeakMap<
  Function,
  { handOffs: readonly string[]; nested: readonly NestedWrite[] }
>();

function constructorFacts(cls: Function): {
  handOffs: readonly string[];
  nested: readonly NestedWrite[];
} {
  const cached = factsCache.get(cls);
  if (cached) return cached;
  const src = `(${Function.prototype.toString.call(cls)}\n)`;
  const parsed = parseJavaScript(src, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  const facts =
    statement?.type === "ExpressionStatement"
      ? {
          handOffs: thisHandOffs(skipOuterExpressions(statement.expression), src),
          nested: nestedWrites(skipOuterExpressions(statement.expression)),
        }
      : { handOffs: [], nested: [] };
  factsCache.set(cls, facts);
  return facts;
}

/**
 * What `cls`'s constructor writes inside its own fields (`options.min`:
 * nestedWrites.ts); empty when its source does not parse as a class.
 */
export function readNestedWrites(cls: Function): readonly NestedWrite[] {
  return constructorFacts(cls).nested;
}

/**
 * The names `source` reads that `bound` does not accept (unboundNames.ts).
 * Through this module, which the Vite page stands in for (it loads no
 * parser): there it throws, and the engine leaves the check to the server.
 */
export function readUnboundNames(
  source: string,
  kind: SourceKind,
  bound: (name: string) => boolean,
): string[] | undefined {
  return unboundNames(source, kind, bound);
}

/**
 * Whether `source` stands in a class body as exactly one method or accessor
 * (patch/checks/methodSource.ts): text that parses in no class body, or
 * closes it early (`m() {} }; sideEffect(); class X {`), is not.
 */
export function isOneClassMember(source: string): boolean {
  const parsed = parseJavaScript(`(class {\n${source}\n})`, "script");
  if (!parsed.ok) return false;
  const statement = parsed.program.body[0];
  if (parsed.program.body.length !== 1 || statement?.type !== "ExpressionStatement") return false;
  let node = statement.expression;
  while (node.type === "ParenthesizedExpression") node = node.expression;
  return (
    node.type === "ClassExpression" &&
    node.body.body.length === 1 &&
    node.body.body[0]!.type === "MethodDefinition"
  );
}

/** What `cls`'s instance code writes into `this` (madeFunctions.ts). */
export function readMadeFunctions(cls: Function): MadeFunctions {
  return madeFunctions(cls);
}

/** The expression `text` is, or undefined where it does not parse as one. */
function expressionOf(text: string): AnyNode | undefined {
  const parsed = parseJavaScript(text, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return undefined;
  return skipOuterExpressions(statement.expression);
}

/**
 * What a live class's code does with its object (closureMembers.ts
 * memberAccess: reads and assignments after the call that made them
 * returned, and every member each method touches); undefined where its
 * source does not parse as a class. Here, behind the page's stand-in, so
 * that the Vite page carries none of it.
 */
export function readMemberAccess(cls: Function): MemberAccess | undefined {
  const node = expressionOf(`(${Function.prototype.toString.call(cls)}\n)`);
  return node === undefined ? undefined : memberAccess(node);
}

/**
 * The same for a class whose body is `members` (sources of methods and
 * `name = (initialiser);` fields: a class metamorph builds, whose generated
 * constructor shows none of them); undefined where they do not parse
 * together as one class body.
 */
export function readClassBodyAccess(members: readonly string[]): MemberAccess | undefined {
  const node = expressionOf(`(class {\n${members.join("\n")}\n})`);
  return node === undefined ? undefined : memberAccess(node);
}

/**
 * The expression starting at an offset of a constructor's `source`, as the
 * parser reads it (migration/constructorCalls.ts: split on `;`, pg 8.13's
 * constructor without semicolons ran three statements together); undefined
 * where the source does not parse.
 */
export function readConstructorExpressions(
  source: string,
): ((offset: number) => string | undefined) | undefined {
  // `extends` lets a derived class's `super(…)` parse.
  const prefix = "(class extends Object {\n";
  const text = `${prefix}${source}\n})`;
  const parsed = parseJavaScript(text, "script");
  if (!parsed.ok) return undefined;
  return (offset) => {
    const at = offset + prefix.length;
    let found: AnyNode | undefined;
    const visit = (node: AnyNode) => {
      if (found !== undefined || node.start > at || node.end <= at) return;
      // The outermost expression the write starts, not its statement nor a comma sequence.
      const whole = !/Statement$|Declaration$|^SequenceExpression$/.test(node.type);
      if (node.start === at && whole && node.type !== "Program") found = node;
      else forEachChild(node, visit);
    };
    visit(parsed.program);
    return found === undefined ? undefined : text.slice(found.start, found.end);
  };
}
