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
import type {
  AnyNode,
  CallExpression,
  Class,
  Expression,
  Function as FunctionNode,
  MethodDefinition,
  Super,
} from "acorn";
import { statementExpressions } from "./constructorBody.js";
import { forEachChild } from "./parser.js";
import { declaredNames, forEachReference, isStandardGlobal, opensOwnScope } from "./scope.js";
import { skipOuterExpressions } from "./syntax.js";
import { aliasesIn } from "./thisAliases.js";

const MAP_METHODS = new Set(["get", "set", "has", "delete"]);

/**
 * Whether `map`, the object a `.get(…)` is called on, is a map the class's
 * objects do not carry: a binding of the module (`lists`), a map a module
 * object holds (`internals.lists`), or a static of the class (`Bag.store`,
 * `this.constructor.store`, `Bag.#store`). Not a local or parameter of the
 * code around (a memo passed in: `seen.get(this)`), a standard global
 * (`Reflect.get(this, key)`), nor a field of the object (`this.seen`),
 * which a migration carries over with the object.
 */
function outsideMap(
  map: Expression | Super,
  shadowed: ReadonlySet<string>,
  aliases: ReadonlySet<string>,
): boolean {
  let root: AnyNode = skipOuterExpressions(map);
  let first: AnyNode | undefined;
  let depth = 0;
  while (root.type === "MemberExpression" && !root.computed) {
    first = root.property;
    root = skipOuterExpressions(root.object);
    depth++;
  }
  const objectRoot =
    root.type === "ThisExpression" || (root.type === "Identifier" && aliases.has(root.name));
  if (objectRoot) {
    // `this.constructor.store`: a static; `this.seen`: the object's own field.
    return depth >= 2 && first?.type === "Identifier" && first.name === "constructor";
  }
  return root.type === "Identifier" && !shadowed.has(root.name) && !isStandardGlobal(root.name);
}

/**
 * `lists.get(this)`, `lists.set(self, …)` (with `const self = this`),
 * `internals.lists.has(this)`, `Bag.store.delete(this)`: a map outside the
 * object, keyed by it (hand-written private state, as emittery keeps its
 * listeners: `eventsMap.get(this)`). A field of the object as key
 * (`map.set(this.id, …)`) or the object as a value (`cache.set(key, this)`)
 * is not.
 */
function keyedByThis(
  call: CallExpression,
  shadowed: ReadonlySet<string>,
  aliases: ReadonlySet<string>,
): boolean {
  const callee = call.callee;
  if (callee.type !== "MemberExpression" || callee.computed) return false;
  if (callee.property.type !== "Identifier" || !MAP_METHODS.has(callee.property.name)) return false;
  const key = call.arguments[0] && skipOuterExpressions(call.arguments[0]);
  const byObject =
    key?.type === "ThisExpression" || (key?.type === "Identifier" && aliases.has(key.name));
  return byObject && outsideMap(callee.object, shadowed, aliases);
}

/**
 * The calls of `member` (a method, accessor, constructor, field or static
 * block) that keep state for the object in a map outside it. `this` is
 * followed where the code gives it another name (`const self = this`, and
 * into functions nested there, which still see that name) and into arrow
 * functions, whose `this` is the member's.
 */
export function callsKeyedByThis(member: AnyNode): CallExpression[] {
  const found: CallExpression[] = [];
  const walk = (
    node: AnyNode,
    shadowed: ReadonlySet<string>,
    aliases: ReadonlySet<string>,
    thisIsObject: boolean,
  ): void => {
    if (node.type === "CallExpression" && keyedByThis(node, shadowed, aliases)) found.push(node);
    if (node.type === "ClassDeclaration" || node.type === "ClassExpression") return;
    if (opensOwnScope(node)) {
      const fn = node as FunctionNode;
      const own = fn.type === "ArrowFunctionExpression" ? thisIsObject : false;
      const inner = aliasesIn(fn, aliases, own);
      const names = declaredNames(fn.params, fn.body);
      if (fn.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
      const within = new Set([...shadowed, ...names]);
      for (const p of fn.params) walk(p, within, inner, own);
      walk(fn.body, within, inner, own);
      return;
    }
    forEachChild(node, (child) => walk(child, shadowed, aliases, thisIsObject));
  };
  if (member.type === "MethodDefinition") {
    const fn = member.value;
    const aliases = aliasesIn(fn, new Set(), true);
    const names = declaredNames(fn.params, fn.body);
    for (const p of fn.params) walk(p, names, aliases, true);
    walk(fn.body, names, aliases, true);
  } else forEachChild(member, (child) => walk(child, new Set(), new Set(), true));
  return found;
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
