/**
 * Where an `async` or generator function's call may be suspended (`await`,
 * `yield`, `for await`), and which of its code may run after: a call paused
 * there when an update commits resumes later, on objects the update changed.
 * The code after the first point in the text, and every loop holding one (its
 * next round, its test). Branches are not told apart: code in the `else` of
 * an `if` that awaits counts too.
 */
import type { AnyNode, Function as FunctionNode } from "acorn";
import { forEachChild } from "./parser.js";
import { opensOwnScope } from "./scope.js";

export interface Suspension {
  /** Whether `node` may run after the call was suspended. */
  after(node: AnyNode): boolean;
}

const LOOPS = new Set([
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
]);

/** `fn`'s points, or undefined where it has none (a plain function, or an `async` one that never awaits). */
export function suspensionOf(fn: FunctionNode): Suspension | undefined {
  if (!fn.async && !fn.generator) return undefined;
  let first = Number.POSITIVE_INFINITY;
  const loops = new Set<AnyNode>();
  const enclosing: AnyNode[] = [];
  const reach = (end: number) => {
    first = Math.min(first, end);
    for (const loop of enclosing) loops.add(loop);
  };
  const visit = (node: AnyNode): void => {
    if (opensOwnScope(node)) return; // their points suspend their own calls
    if (node.type === "AwaitExpression" || node.type === "YieldExpression") reach(node.end);
    if (!LOOPS.has(node.type)) {
      forEachChild(node, visit);
      return;
    }
    // The iterable of a `for … of` is read once, before the loop: only its body repeats.
    const repeats =
      node.type === "ForOfStatement" || node.type === "ForInStatement" ? node.body : node;
    enclosing.push(repeats);
    if (node.type === "ForOfStatement" && node.await) reach(node.right.end);
    forEachChild(node, visit);
    enclosing.pop();
  };
  visit(fn.body);
  if (first === Number.POSITIVE_INFINITY) return undefined;
  return {
    after: (node) =>
      node.start >= first ||
      [...loops].some((loop) => node.start >= loop.start && node.end <= loop.end),
  };
}
