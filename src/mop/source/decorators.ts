/**
 * Decorators in JavaScript: TypeScript's `experimentalDecorators` (tsc,
 * esbuild, swc) emit them as calls after the class, `__decorate([log],
 * D.prototype, "m", null)` for a member and `D = __decorate([sealed], D)` for
 * the class. They are not evaluated here; the classes they touch are noted.
 */
import type { AnyNode, Program } from "acorn";
import { calleeName, skipOuterExpressions } from "./syntax.js";

const DECORATE = /^(_{1,2}decorate(Class)?|_ts_decorate)$/;
const CLASS_NOTE = "class decorators are not evaluated; they may replace the class or its members";
const MEMBER_NOTE =
  "member decorators are not evaluated; they may replace members or add initialisers";

/** The class a decorator call targets, and whether it decorates the class itself. */
function decorateTarget(expression: AnyNode): { name: string; member: boolean } | undefined {
  let call = skipOuterExpressions(expression);
  if (call.type === "AssignmentExpression") call = skipOuterExpressions(call.right);
  if (call.type !== "CallExpression") return undefined;
  const callee = calleeName(call.callee);
  if (callee === undefined || !DECORATE.test(callee)) return undefined;
  const target = call.arguments[1];
  if (target === undefined || target.type === "SpreadElement") return undefined;
  const inner = skipOuterExpressions(target);
  if (inner.type === "Identifier") {
    // `__decorate([d], D, "s", null)` decorates a static member.
    return { name: inner.name, member: call.arguments.length > 2 };
  }
  if (inner.type === "MemberExpression" && inner.object.type === "Identifier") {
    return { name: inner.object.name, member: true };
  }
  return undefined;
}

/** Notes for each top-level class that decorator calls touch, by class name. */
export function decoratedClasses(program: Program): Map<string, string[]> {
  const flags = new Map<string, { cls: boolean; member: boolean }>();
  for (const statement of program.body) {
    if (statement.type !== "ExpressionStatement") continue;
    const target = decorateTarget(statement.expression);
    if (target === undefined) continue;
    const flag = flags.get(target.name) ?? { cls: false, member: false };
    if (target.member) flag.member = true;
    else flag.cls = true;
    flags.set(target.name, flag);
  }
  const notes = new Map<string, string[]>();
  for (const [name, flag] of flags) {
    notes.set(name, [...(flag.cls ? [CLASS_NOTE] : []), ...(flag.member ? [MEMBER_NOTE] : [])]);
  }
  return notes;
}
