/**
 * Whether a method's source text is in method syntax of the declared kind,
 * so that it can stand in a class body.
 */
import type { MemberKey, MethodDefinition } from "../../mop/classDefinition.js";
import { memberKeyName } from "../../mop/classDefinition.js";
import { methodNameIn } from "../../mop/methodName.js";
import { isOneClassMember } from "../../mop/source/parse.js";
import { type OperationProblem, problem } from "./problem.js";

const ACCESSOR = /^(?:get|set)(?:\s+[^\s(]|\s*[[\\"'])/;

/**
 * Whether `source` can stand in a class body as the member `method` says.
 * Arrow functions and `function` expressions print without a method name, so
 * the text alone tells them apart from method syntax — except a shorthand
 * method named `function`, which only its key can confirm.
 */
export function methodSourceProblem(method: MethodDefinition): OperationProblem | undefined {
  const name = memberKeyName(method.key);
  const details = { member: name };
  const source = method.source.trim().replace(/^static\s+/, "");
  const example = `e.g. ${typeof method.key === "string" ? name : `[${method.key.symbol}]`}() { … }`;
  if (source.length === 0) return problem(`member ${name} has no source`, details);
  if (
    /^async\s+function\b/.test(source) ||
    (/^function\b/.test(source) && !isShorthandNamedFunction(source, method.key))
  ) {
    return problem(
      `member ${name} is a function expression (${sourceHead(source)}); patches need method syntax, ${example}`,
      details,
    );
  }
  if (/^\(/.test(source) || /^(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.test(source)) {
    return problem(
      `member ${name} is an arrow function (${sourceHead(source)}); patches need method syntax, ${example}`,
      details,
    );
  }
  if (/^class\b(?!\s*\()/.test(source)) {
    return problem(`member ${name} is a class, not a method`, details);
  }
  if (source.includes("[native code]")) {
    return problem(
      `member ${name} is a native or bound function, whose source cannot be carried by a patch`,
      details,
    );
  }
  const named = methodNameIn(source);
  // A computed name is checked only for a string key (a symbol key's source is computed).
  const mismatch =
    named !== undefined &&
    (typeof method.key === "string" ? named.name !== method.key : named.name !== null);
  if (mismatch) {
    const defined = named.name === null ? "a computed member" : `${named.name}()`;
    return problem(
      `member ${name}'s source defines ${defined}, not ${name}: the class would get that member instead (write ${example.slice(5)})`,
      details,
    );
  }
  if (!oneMember(method.source)) {
    return problem(
      `member ${name}'s source is not exactly one method or accessor definition that parses (${sourceHead(source)}): a class body built from it would get other members too — a static block or field that runs when the class is made, say`,
      details,
    );
  }
  const accessor = ACCESSOR.test(source);
  if (method.kind === "method" && accessor) {
    return problem(`member ${name} is declared as a method but its source is an accessor`, details);
  }
  if (method.kind !== "method" && !(accessor && source.startsWith(method.kind))) {
    const role = method.kind === "get" ? "getter" : "setter";
    return problem(
      `member ${name} is declared as a ${role} but its source is not one (${sourceHead(source)}); write ${method.kind} ${name}(…) { … }`,
      details,
    );
  }
  return undefined;
}

function isShorthandNamedFunction(source: string, key: MemberKey): boolean {
  return key === "function" && /^function\s*\(/.test(source);
}

function sourceHead(source: string): string {
  const line = source.replace(/\s+/g, " ");
  return line.length <= 30 ? line : `${line.slice(0, 29)}…`;
}

/**
 * The text is one member of a class body and nothing more. The engine puts
 * a method's source into a class body, so `m() {} static { … }` would carry
 * a static block that runs as the class is made, before any check of the
 * update. Where no parser is loaded (the Vite page stands in for parse.ts,
 * which then throws) the other checks stand alone.
 */
function oneMember(source: string): boolean {
  try {
    return isOneClassMember(source);
  } catch {
    return true;
  }
}
