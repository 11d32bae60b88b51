/**
 * Whether a function source of a patch (a migrator, an initialiser, a
 * validation) is written as a function — `function …`, an arrow function or
 * method shorthand — so that compiling it evaluates nothing but the
 * function itself. Hydrating a trusted patch evaluates each source; one
 * that is an expression (`(sideEffect(), 42)`), a class (its static blocks
 * run) or a shorthand with a computed key ran before the patch was refused
 * for not being a function, and the code of earlier operations had run too.
 */
import type { AnyNode } from "acorn";
import { parseJavaScript } from "../../mop/source/parser.js";

const NAME = /^[A-Za-z_$][\w$]*/;

/** The index just past the bracket closing the one at `open`, or -1 (strings and templates skipped). */
export function closing(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === "\\") i++;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The text is one function and nothing else: parsed (where a parser is
 * loaded) as the only expression of a statement, or the only method of an
 * object literal, so that a comma (`x => x, sideEffect()`) cannot follow
 * it; the form alone where no parser is (a browser page).
 */
export function isFunctionSource(text: string, classToo = false): boolean {
  return functionSourceVerdict(text, classToo) === "function";
}

/**
 * The same, telling apart a source the parser gave up on: nested deeper
 * than its stack, which V8 still compiles. Taken for a syntax error (which
 * compiling would report), a migrator written as `(o, t) => {}, (sideEffect()), [[[…
 * 1000 deep …]]], (o, t) => {}` ran its side effect at hydration, and the
 * update was refused after (review advZ21).
 */
export function functionSourceVerdict(
  text: string,
  classToo = false,
): "function" | "other" | "too deep" {
  try {
    if (classToo && /^\s*class\b/.test(text)) return oneClass(text) ? "function" : "other";
    if (!hasFunctionForm(text)) return "other";
    return parsedAsOneFunction(text) ? "function" : "other";
  } catch (error) {
    if (error instanceof RangeError) return "too deep";
    return "function"; // no parser here (a page): the form was checked
  }
}

/** A new implementation: one class expression (evaluating it runs its static blocks, as loading the class would). */
function oneClass(text: string): boolean {
  const parsed = parseOrThrow(`(${text}\n)`);
  if (!parsed.ok || parsed.program.body.length !== 1) return false;
  const statement = parsed.program.body[0]!;
  return (
    statement.type === "ExpressionStatement" &&
    unwrap(statement.expression).type === "ClassExpression"
  );
}

/** Parsed, or a RangeError where the parser ran out of stack (acorn says so as a syntax error). */
function parseOrThrow(text: string): ReturnType<typeof parseJavaScript> {
  const parsed = parseJavaScript(text, "script");
  if (!parsed.ok && /^Not enough stack space/.test(parsed.failure.message))
    throw new RangeError(parsed.failure.message);
  return parsed;
}

function parsedAsOneFunction(text: string): boolean {
  const asExpression = parseOrThrow(`(${text}\n)`);
  if (asExpression.ok) {
    const statement = asExpression.program.body[0];
    if (asExpression.program.body.length !== 1 || statement?.type !== "ExpressionStatement")
      return false;
    return isFunctionNode(unwrap(statement.expression));
  }
  const asMethod = parseOrThrow(`({ ${text}\n })`);
  // Text that parses neither way is a syntax error, which compiling reports
  // without evaluating anything.
  if (!asMethod.ok) return true;
  if (asMethod.program.body.length !== 1) return false;
  const statement = asMethod.program.body[0]!;
  if (statement.type !== "ExpressionStatement") return false;
  const object = unwrap(statement.expression);
  return (
    object.type === "ObjectExpression" &&
    object.properties.length === 1 &&
    object.properties[0]!.type === "Property" &&
    object.properties[0]!.method &&
    !object.properties[0]!.computed
  );
}

function unwrap(node: AnyNode): AnyNode {
  return node.type === "ParenthesizedExpression" ? unwrap(node.expression) : node;
}

const isFunctionNode = (node: AnyNode): boolean =>
  node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";

/** The text's head is that of a function, an arrow function or method shorthand. */
function hasFunctionForm(text: string): boolean {
  const source = text.trim().replace(/^async(?=[\s(])\s*/, "");
  if (/^function\b/.test(source)) return true;
  if (source.startsWith("(")) {
    const end = closing(source, 0);
    return end > 0 && /^\s*=>/.test(source.slice(end));
  }
  const name = NAME.exec(source.replace(/^\*\s*/, ""))?.[0];
  if (name === undefined || name === "class") return false;
  const rest = source.replace(/^\*\s*/, "").slice(name.length);
  // `x => …`, or method shorthand `migrate(old, t) { … }`.
  return /^\s*=>/.test(rest) || (/^\s*\(/.test(rest) && !source.startsWith("class"));
}
