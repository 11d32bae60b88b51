/**
 * A class's code read for what it does with the members of its object
 * (closureMembers.ts memberAccess): reads and assignments after the call
 * that made them returned, and every member each method touches. Beside
 * parse.ts's readers of the reads alone, which the update's closure
 * warning began with; the assignments matter where an update keeps a
 * field's value under another name (migration/staleClosures.ts).
 */
import type { AnyNode } from "acorn";
import { type MemberAccess, memberAccess } from "./closureMembers.js";
import { parseJavaScript } from "./parser.js";
import { skipOuterExpressions } from "./syntax.js";

/** The expression `text` is, or undefined where it does not parse as one. */
function expressionOf(text: string): AnyNode | undefined {
  const parsed = parseJavaScript(text, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return undefined;
  return skipOuterExpressions(statement.expression);
}

/** What a live class's code does with its object; undefined where its source does not parse as a class. */
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
