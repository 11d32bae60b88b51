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
 * A small class takes about 0.5 ms to parse (`readClassSource` caches).
 */
import { InvalidClassDefinitionError } from "../../errors.js";
import { analyseClass } from "./classAnalysis.js";
import type { ParsedClass } from "./parsedClass.js";
import { firstParseError, scriptKind, typescript } from "./parser.js";
import type { Source } from "./syntax.js";
import { hasModifier, skipOuterExpressions } from "./syntax.js";

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
