/**
 * Writes to `this` (the instance in a constructor, the class in a static
 * block): assignments, and the calls transpilers emit for fields
 * (`__publicField`, `_defineProperty`, `Object.defineProperty`) and lowered
 * private state (`_A_p.set(this, v)`).
 */
import type { AnyNode, AssignmentExpression, CallExpression } from "acorn";
import { helperKind } from "./helperNames.js";
import { forEachChild } from "./parser.js";
import type { Source } from "./syntax.js";
import { calleeName, isThis, literalKey, readKey, skipOuterExpressions, textOf } from "./syntax.js";

export type Write =
  | {
      readonly type: "field";
      readonly name: string;
      readonly value: AnyNode | undefined;
      /** Made by `this.name = …` (runs a setter the class has), not by a define. */
      readonly assigned?: true;
      /** Defined non-configurable (`Object.defineProperty(this, name, { value })`): no migration can delete it. */
      readonly fixed?: true;
      /** Read from a call in the shape of a minified field helper (its text): perhaps no field at all. */
      readonly minified?: string;
    }
  | { readonly type: "private"; readonly text: string }
  | { readonly type: "opaque"; readonly text: string }
  | { readonly type: "ignored" };

type ThisTarget =
  | { readonly type: "name"; readonly name: string }
  | { readonly type: "private" }
  | { readonly type: "dynamic" };

function thisTarget(node: AnyNode): ThisTarget | undefined {
  const target = skipOuterExpressions(node);
  if (target.type !== "MemberExpression" || !isThis(target.object)) return undefined;
  if (target.property.type === "PrivateIdentifier") return { type: "private" };
  if (!target.computed) {
    return target.property.type === "Identifier"
      ? { type: "name", name: target.property.name }
      : undefined;
  }
  const literal = literalKey(skipOuterExpressions(target.property));
  return literal === undefined ? { type: "dynamic" } : { type: "name", name: literal };
}

const DEFINE_PROPERTY = new Set(["Object.defineProperty", "Reflect.defineProperty", "__defProp"]);

/** The `value` of a property descriptor literal, or "opaque" when it defines an accessor. */
function descriptorValue(src: Source, descriptor: AnyNode): AnyNode | undefined | "opaque" {
  if (descriptor.type !== "ObjectExpression") return "opaque";
  let value: AnyNode | undefined;
  for (const property of descriptor.properties) {
    if (property.type !== "Property") continue;
    const name = readKey(src, property.key, property.computed);
    const key = name.type === "key" ? name.key : undefined;
    if (key === "get" || key === "set") return "opaque";
    if (key === "value" && property.kind === "init" && !property.method) value = property.value;
  }
  return value;
}

/**
 * Whether a descriptor literal says `configurable: true` (`!0` minified).
 * The default is false, and what the source cannot tell (a variable, a
 * spread) counts as false: the objects are then looked at (src/migration/unswappable.ts).
 */
function configurable(src: Source, descriptor: AnyNode): boolean {
  if (descriptor.type !== "ObjectExpression") return false;
  return descriptor.properties.some((property) => {
    if (property.type !== "Property") return false;
    const name = readKey(src, property.key, property.computed);
    return name.type === "key" && name.key === "configurable" && isTrue(property.value);
  });
}

const isTrue = (node: AnyNode): boolean =>
  (node.type === "Literal" && node.value === true) ||
  (node.type === "UnaryExpression" &&
    node.operator === "!" &&
    node.argument.type === "Literal" &&
    node.argument.value === 0);

/**
 * A call in the shape of a bundle's minified field helper: esbuild's
 * `__publicField` (graphlib 3's `c(this, "_nodes", {})`) or Babel's
 * `_defineProperty` renamed to a short name — a plain function of three
 * arguments called with `this` and a string literal key, or of two for a
 * field declared with no value (tinybench 2.5.1's `r(this, "name")`).
 * Not seen at all, the fields of such a release were taken for dropped,
 * and an update to it deleted them from every object; read as an opaque
 * write, a field the new release added stayed undefined on every live
 * object (esbuild --minify's `r(this, "unit", "pcs")`). Read as a field,
 * marked `minified`: any other short function of that shape (`on(this,
 * "close", fn)`) would make a field no object has, so the readers keep it
 * out of what a method of that name would be shadowed by (bodyFields.ts)
 * and of other code's writes (classAnalysis.ts).
 */
function minifiedFieldHelper(call: CallExpression): boolean {
  const [, key] = call.arguments;
  return (
    call.callee.type === "Identifier" &&
    call.callee.name.length <= 2 &&
    (call.arguments.length === 3 || call.arguments.length === 2) &&
    key?.type === "Literal" &&
    typeof key.value === "string"
  );
}

/**
 * Whether a two-argument call of that shape is the class's field helper:
 * the class calls the same function with a value too (tinybench's
 * `r(this, "runs", 0)` beside `r(this, "name")`). Alone, `g(this, "b")`
 * may be anything, and makes no field.
 */
function helperOfTheClass(src: Source, call: CallExpression): boolean {
  if (call.arguments.length === 3 || call.callee.type !== "Identifier") return true;
  const name = call.callee.name.replace(/[$]/g, "\\$");
  return new RegExp(`(?<![\\w$.])${name}\\s*\\(\\s*this\\s*,\\s*(["'\`])[^"'\`]*\\1\\s*,`).test(
    src.text,
  );
}

/**
 * Whether `call` is one of the transpilers' helpers that write to `this`
 * (`__publicField`, `_defineProperty`, lowered private state, `__name`, or
 * a minified one's shape, with two arguments too): read as writes, not as
 * the object handed to other code (thisHandOffs.ts). tinybench 2.5.1's
 * eight `r(this, "name")` were each said as MM_UNSEEN_STATE ("the
 * constructor hands the object to other code") for plain declarations.
 */
export function isWriteHelper(call: CallExpression): boolean {
  const name = calleeName(call.callee);
  if (name === undefined) return false;
  return name === "__name" || helperKind(name) !== undefined || minifiedFieldHelper(call);
}

/** Recognises the calls that transpilers and programmers use to create a field on `this`. */
function callWrite(src: Source, call: CallExpression): Write | undefined {
  const name = calleeName(call.callee);
  if (name === undefined) return undefined;
  const [target, key, value] = call.arguments;
  if (!isThis(target)) return undefined;
  if (name === "__name") return { type: "ignored" };
  const kind = helperKind(name);
  // TypeScript lowers `#p = v` to `_A_p.set(this, v)` on a WeakMap, and
  // private methods to `_A_instances.add(this)` on a WeakSet.
  if (kind === "privateInit" || /^_[A-Za-z0-9_$]*\.(set|add)$/.test(name)) {
    return { type: "private", text: textOf(src, call) };
  }
  if (name === "Object.assign") return { type: "opaque", text: textOf(src, call) };
  const keyText = key === undefined ? undefined : literalKey(skipOuterExpressions(key));
  if (kind === "field") {
    if (keyText === undefined) return { type: "opaque", text: textOf(src, call) };
    return { type: "field", name: keyText, value };
  }
  if (minifiedFieldHelper(call) && keyText !== undefined && helperOfTheClass(src, call)) {
    return { type: "field", name: keyText, value, minified: textOf(src, call) };
  }
  if (DEFINE_PROPERTY.has(name)) {
    const fieldValue =
      value === undefined ? "opaque" : descriptorValue(src, skipOuterExpressions(value));
    if (keyText === undefined || fieldValue === "opaque") {
      return { type: "opaque", text: textOf(src, call) };
    }
    const descriptor = skipOuterExpressions(value!);
    return configurable(src, descriptor)
      ? { type: "field", name: keyText, value: fieldValue }
      : { type: "field", name: keyText, value: fieldValue, fixed: true };
  }
  return undefined;
}

function isAssignment(node: AnyNode): node is AssignmentExpression {
  return node.type === "AssignmentExpression" && node.operator === "=";
}

/**
 * Writes that an expression statement makes unconditionally, in evaluation
 * order (`this.a = this.b = 0` writes b first; minifiers join statements with
 * commas). Sub-expressions that may hold further, conditional writes go to `rest`.
 */
export function collectWrites(src: Source, node: AnyNode, out: Write[], rest: AnyNode[]): void {
  const expression = skipOuterExpressions(node);
  if (expression.type === "SequenceExpression") {
    for (const part of expression.expressions) collectWrites(src, part, out, rest);
    return;
  }
  if (isAssignment(expression)) {
    let value: AnyNode = skipOuterExpressions(expression.right);
    if (isAssignment(value)) {
      collectWrites(src, value, out, rest);
      while (isAssignment(value)) value = skipOuterExpressions(value.right);
    } else {
      rest.push(value);
    }
    const target = thisTarget(expression.left);
    if (target?.type === "name")
      out.push({ type: "field", name: target.name, value, assigned: true });
    else if (target?.type === "dynamic")
      out.push({ type: "opaque", text: textOf(src, expression) });
    else if (target === undefined) rest.push(expression.left);
    return;
  }
  if (expression.type === "CallExpression") {
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
function bindsOwnThis(node: AnyNode): boolean {
  switch (node.type) {
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ClassDeclaration":
    case "ClassExpression":
    case "StaticBlock":
      return true;
    default:
      return false;
  }
}

/** Every write to `this` anywhere inside `node`, including arrow functions but not functions with their own `this`. */
export function scanWrites(src: Source, node: AnyNode, visit: (write: Write) => void): void {
  const walk = (current: AnyNode): void => {
    if (bindsOwnThis(current)) return;
    if (isAssignment(current)) {
      const target = thisTarget(current.left);
      if (target?.type === "name")
        visit({ type: "field", name: target.name, value: current.right });
      else if (target?.type === "dynamic") visit({ type: "opaque", text: textOf(src, current) });
    } else if (current.type === "CallExpression") {
      const write = callWrite(src, current);
      if (write !== undefined) visit(write);
    }
    forEachChild(current, walk);
  };
  walk(node);
}
