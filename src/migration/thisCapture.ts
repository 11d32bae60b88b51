/**
 * Whether a field initialiser's value can hold the object it is computed
 * for: `this.remove.bind(this)`, `(p) => this.remove(p)`, `new Helper(this)`,
 * `[this]`, `this` itself. Before the commit such an initialiser runs on a
 * shadow copy (it reads the object's state as the new version would see
 * it, without touching the live object), and its value would hold that
 * copy: a bound handler that writes to a phantom object (chokidar 4's
 * `FSWatcher`). The migration runs it once more on the object itself, once
 * the object has its new fields and its class the new version
 * (instanceMigration.ts `rebindFields`).
 *
 * Read from the source: `this` anywhere but as the object of a member read
 * (`this.x`, `this[k]`), or anywhere inside an arrow function, captures it;
 * so does a method called on it (`this.makeHandler()` may return a closure
 * over its `this`).
 * A `function` or a class inside has a `this` of its own. What does not
 * parse is taken to capture (running an initialiser again on the object is
 * right for any initialiser; it only costs a second run).
 */
import type { AnyNode } from "acorn";
import { MigrationError } from "../errors.js";
import { asyncRefusal, isThenable } from "./synchronous.js";
import { forEachChild, parseJavaScript } from "../mop/source/parser.js";

const THIS = /\bthis\b/;

/** Whether `child` is the member a call (or tagged template) of `node` calls: `this.m()` passes `this`. */
const calls = (node: AnyNode, child: AnyNode): boolean =>
  (node.type === "CallExpression" && node.callee === child) ||
  (node.type === "TaggedTemplateExpression" && node.tag === child);

export function capturesThis(source: string): boolean {
  if (!THIS.test(source)) return false;
  const parsed = parseJavaScript(`(${source}\n)`, "script");
  if (!parsed.ok) return true;
  let captures = false;
  const visit = (
    node: AnyNode,
    parent: AnyNode | undefined,
    inArrow: boolean,
    call: boolean,
  ): void => {
    if (captures) return;
    if (node.type === "ThisExpression") {
      const read = parent?.type === "MemberExpression" && parent.object === node;
      if (inArrow || !read) captures = true;
      return;
    }
    if (call && node.type === "MemberExpression" && node.object.type === "ThisExpression") {
      captures = true;
      return;
    }
    if (node.type === "FunctionExpression" || node.type === "FunctionDeclaration") return;
    // A class's `extends` and computed keys see the outer `this`; its body does not.
    if (node.type === "ClassExpression" || node.type === "ClassDeclaration") {
      if (node.superClass) visit(node.superClass, node, inArrow, false);
      for (const member of node.body.body) {
        if ("computed" in member && member.computed) visit(member.key, member, inArrow, false);
      }
      return;
    }
    const arrow = inArrow || node.type === "ArrowFunctionExpression";
    forEachChild(node, (child) => visit(child, node, arrow, calls(node, child)));
  };
  visit(parsed.program, undefined, false, false);
  return captures;
}

/**
 * A field of a migrated object that must be computed again on the object
 * itself: `fn` (a default initialiser that captures `this`), or, without
 * one, the object itself (a value that was the shadow copy: a migrator's
 * `target.self = target`).
 */
export interface Rebind {
  readonly index: number;
  readonly fn?: (this: object) => unknown;
}

/**
 * The fields of a freshly prepared migration to compute again on the
 * object (see the top of this file): capturing defaults whose value no
 * migrator replaced, and values that are the copy itself. Null if none.
 */
export function rebindsOf(
  capturing: readonly Rebind[],
  copy: object | null,
  computed: readonly unknown[],
  final: readonly unknown[],
): Rebind[] | null {
  let out: Rebind[] | null = null;
  for (const r of capturing) {
    // A migrator that gave the field another value decided it.
    if (Object.is(computed[r.index], final[r.index])) (out ??= []).push(r);
  }
  if (copy === null) return out;
  for (let i = 0; i < final.length; i++) {
    if (final[i] === copy && !capturing.some((r) => r.index === i)) (out ??= []).push({ index: i });
  }
  return out;
}

/**
 * Computes the `rebinds` of a just rewritten `object` on it, in field order,
 * and writes them in place (its fields are there: no layout change, no
 * setter runs), recording each value in `values` (what was installed).
 * Runs after the new version is installed (its methods are the prototype's);
 * a throw leaves the object to be reverted by the caller, as any failure
 * of its rewrite.
 */
export function rebindFields(
  object: object,
  plan: { readonly className: string; readonly fields: readonly string[] },
  rebinds: readonly Rebind[],
  values: unknown[],
): void {
  let field = "";
  try {
    for (const { index, fn } of rebinds) {
      field = plan.fields[index]!;
      const value = fn ? fn.call(object) : object;
      if (isThenable(value)) throw asyncRefusal(value, `the initialiser of field "${field}"`);
      if (!Reflect.defineProperty(object, field, { value }))
        throw new TypeError(`field "${field}" cannot be written`);
      values[index] = value;
    }
  } catch (error) {
    throw new MigrationError(
      `computing field "${field}" of a ${plan.className} instance on the object itself (its initialiser captures \`this\`) threw: ${(error as Error)?.message ?? String(error)}`,
      { className: plan.className, field, object, cause: error },
    );
  }
}
