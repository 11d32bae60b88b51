/**
 * Calls a class's constructor makes that hand the object to other code:
 * `bindMembers(this)`, `autoBind(this)`, `mixin(this, …)` as statements of
 * the constructor's body. What such a call gives the object — bound copies
 * of its methods (i18next binds every method onto each instance), handlers,
 * state — is out of the source reader's sight, and stays what the release
 * that ran the constructor made: after an upgrade, `i18n.t()` still ran the
 * old release's `t`, and nothing said so.
 */
import type { AnyNode } from "acorn";
import { constructorStatements, statementExpressions } from "./constructorBody.js";
import { isPlainCallee } from "./syntax.js";
import { isWriteHelper } from "./thisWrites.js";

/**
 * The text of each constructor statement (or call of a statement's comma
 * sequence) of `classNode` that passes `this` to a plain function
 * (`bindMembers(this)`, an imported one called as `(0, _bind.default)(this)`
 * or `_bind._(this)`): a method call on another object
 * (`registry.add(this)`) registers the object more often than it gives it
 * properties, and one on `this` is the class's own code.
 */
export function thisHandOffs(classNode: AnyNode, src: string): string[] {
  const out: string[] = [];
  for (const statement of constructorStatements(classNode)) {
    // Each call of a sequence on its own (swc's `super(...args), bindAll(this)`).
    const calls = statementExpressions([statement]);
    for (const call of calls) {
      if (call.type !== "CallExpression" || !isPlainCallee(call.callee)) continue;
      // A transpiler's field helper writes fields (read as such: thisWrites.ts).
      if (isWriteHelper(call)) continue;
      if (call.arguments.some((a) => a.type === "ThisExpression")) {
        const shown = calls.length === 1 ? statement : call;
        out.push(src.slice(shown.start, shown.end));
      }
    }
  }
  return out;
}
