/**
 * State a class keeps for its objects outside them, in a map of its module
 * keyed by the object: called directly (`eventsMap.get(this)`), or behind
 * helpers whose names a minifier took away (private state lowered). esbuild --minify below ES2022 turns `#pin = "0000"` into `c(this, p,
 * "0000")` in the constructor (its `__privateAdd`) and `this.#pin` into
 * `b(this, p)` (`__privateGet`), with `p = new WeakMap` in the module —
 * which a class's own text, all that `Function.prototype.toString` gives,
 * does not show; terser does the same to Babel's and swc's helpers. Not
 * seen, an update of such a class committed and every private access on
 * the old objects threw ("Cannot read from private field").
 *
 * Read by shape instead: the constructor hands `this` with a binding of the
 * module (`p`) to a short-named function, and other code of the class hands
 * `this` with that same binding to a function again, in either order
 * (Babel's `_classPrivateFieldGet(_pin, this)`): the objects' state kept in
 * `p`, keyed by the object. Both are needed: a module binding handed over
 * once (`mixin(this, Events)`) is not read back, and a minified field
 * helper's key is a string (thisWrites.ts).
 */
import type { AnyNode, CallExpression, Class, MethodDefinition } from "acorn";
import { statementExpressions } from "./constructorBody.js";
import { declaredNames, forEachReference, isStandardGlobal } from "./scope.js";

const MAP_METHODS = new Set(["get", "set", "has", "delete"]);

/**
 * `name.get(this)`, `name.set(this, …)`, `.has`, `.delete`: a map outside
 * the object, keyed by it (hand-written private state, as emittery keeps its
 * listeners: `eventsMap.get(this)`).
 */
export function keyedByThis(call: CallExpression): boolean {
  const callee = call.callee;
  return (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.object.type === "Identifier" &&
    callee.property.type === "Identifier" &&
    MAP_METHODS.has(callee.property.name) &&
    call.arguments[0]?.type === "ThisExpression"
  );
}

/** A name a minifier gives (`c`, `Me`): at most two characters. */
const MINIFIED = /^[A-Za-z_$][\w$]?$/;

/** The module binding a constructor call `f(this, p[, v])` hands over with `this`, `f` minified. */
function handedMap(call: AnyNode, locals: ReadonlySet<string>): string | undefined {
  if (call.type !== "CallExpression" || call.callee.type !== "Identifier") return undefined;
  if (!MINIFIED.test(call.callee.name)) return undefined;
  const [target, map] = call.arguments;
  if (call.arguments.length > 3 || target?.type !== "ThisExpression") return undefined;
  if (map?.type !== "Identifier" || locals.has(map.name) || isStandardGlobal(map.name)) {
    return undefined;
  }
  return map.name;
}

/** Whether `call` passes `this` and the unshadowed binding `map` among its arguments. */
function passesWithThis(call: CallExpression, map: string, shadowed: ReadonlySet<string>) {
  if (shadowed.has(map)) return false;
  const args = call.arguments;
  return (
    args.some((a) => a.type === "ThisExpression") &&
    args.some((a) => a.type === "Identifier" && a.name === map)
  );
}

/** The constructor call by which `node` keeps its objects' state behind minified helpers, if it does. */
export function minifiedPrivateState(node: Class): CallExpression | undefined {
  const ctor = node.body.body.find(
    (m): m is MethodDefinition => m.type === "MethodDefinition" && m.kind === "constructor",
  );
  if (ctor === undefined) return undefined;
  const locals = declaredNames(ctor.value.params, ctor.value.body);
  locals.add("arguments");
  if (node.id) locals.add(node.id.name);
  for (const call of statementExpressions(ctor.value.body.body)) {
    const map = handedMap(call, locals);
    if (map === undefined) continue;
    let readBack = false;
    for (const member of node.body.body) {
      forEachReference(member, (current, shadowed) => {
        if (current !== call && current.type === "CallExpression")
          readBack ||= passesWithThis(current, map, shadowed);
      });
    }
    if (readBack) return call as CallExpression;
  }
  return undefined;
}
