/**
 * Scope analysis: the names a constructor binds, and whether an expression
 * depends on them (then it cannot be re-evaluated as a field initialiser).
 */
import type { AnyNode, Pattern } from "acorn";
import { forEachChild } from "./parser.js";
import { BINARY_DATA_CLASS_NAMES } from "../binaryData.js";

function isFunction(node: AnyNode): boolean {
  return (
    node.type === "FunctionDeclaration" ||
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression"
  );
}

function isClass(node: AnyNode): boolean {
  return node.type === "ClassDeclaration" || node.type === "ClassExpression";
}

/** A function or a class: code whose `this`, names and suspension points are its own. */
export function opensOwnScope(node: AnyNode): boolean {
  return isFunction(node) || isClass(node);
}

export function containsReturn(node: AnyNode): boolean {
  let found = false;
  const walk = (current: AnyNode): void => {
    if (found) return;
    if (current.type === "ReturnStatement") {
      found = true;
      return;
    }
    if (isFunction(current) || isClass(current)) return;
    forEachChild(current, walk);
  };
  walk(node);
  return found;
}

function addBindingNames(pattern: Pattern, into: Set<string>): void {
  switch (pattern.type) {
    case "Identifier":
      into.add(pattern.name);
      return;
    case "ObjectPattern":
      for (const property of pattern.properties) {
        addBindingNames(property.type === "RestElement" ? property : property.value, into);
      }
      return;
    case "ArrayPattern":
      for (const element of pattern.elements) if (element !== null) addBindingNames(element, into);
      return;
    case "RestElement":
      addBindingNames(pattern.argument, into);
      return;
    case "AssignmentPattern":
      addBindingNames(pattern.left, into);
      return;
    case "MemberExpression":
      return;
  }
}

/** Names a function-like node or block binds for the code inside it (parameters and declarations, conservatively ignoring block scope). */
export function declaredNames(
  parameters: readonly Pattern[],
  body: AnyNode | undefined,
): Set<string> {
  const names = new Set<string>();
  for (const parameter of parameters) addBindingNames(parameter, names);
  const walk = (current: AnyNode): void => {
    if (current.type === "VariableDeclarator") addBindingNames(current.id, names);
    else if (current.type === "CatchClause" && current.param) addBindingNames(current.param, names);
    else if (
      (current.type === "FunctionDeclaration" || current.type === "ClassDeclaration") &&
      current.id
    ) {
      names.add(current.id.name);
    }
    // Names inside nested functions are theirs, not ours.
    if (isFunction(current) || isClass(current)) return;
    forEachChild(current, walk);
  };
  if (body !== undefined) forEachChild(body, walk);
  return names;
}

/** Children of `node` whose identifiers are names of properties or labels, not variables. */
export function nonReferenceChild(node: AnyNode, child: AnyNode): boolean {
  switch (node.type) {
    case "MemberExpression":
      return child === node.property && !node.computed;
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
      return child === node.key && !node.computed && node.value !== child;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return child === node.label;
    case "MetaProperty":
      return true;
    default:
      return false;
  }
}

/**
 * Whether `hit` holds for a node of `expression` that it reaches as a
 * reference (not a property name or a label), told the names functions
 * inside `expression` bind around that node. Identifiers, `this`, `super`
 * and `new.target` are leaves.
 */
function someReference(
  expression: AnyNode,
  hit: (node: AnyNode, shadowed: ReadonlySet<string>) => boolean,
): boolean {
  let found = false;
  const walk = (current: AnyNode, shadowed: ReadonlySet<string>): void => {
    if (found) return;
    if (hit(current, shadowed)) {
      found = true;
      return;
    }
    if (
      current.type === "Identifier" ||
      current.type === "ThisExpression" ||
      current.type === "Super" ||
      current.type === "MetaProperty"
    )
      return;
    let inner = shadowed;
    if (
      current.type === "FunctionDeclaration" ||
      current.type === "FunctionExpression" ||
      current.type === "ArrowFunctionExpression"
    ) {
      const own = declaredNames(current.params, current.body);
      if (current.type === "FunctionExpression" && current.id) own.add(current.id.name);
      inner = new Set([...shadowed, ...own]);
    }
    forEachChild(current, (child) => {
      if (!nonReferenceChild(current, child)) walk(child, inner);
    });
  };
  walk(expression, new Set());
  return found;
}

/**
 * Whether an expression depends on the constructor's parameters or locals (or
 * `arguments`, `new.target`), i.e. whether it cannot be re-evaluated as a field
 * initialiser. `this` and `super` count too unless `allowThis`.
 */
export function dependsOnScope(
  expression: AnyNode,
  scope: ReadonlySet<string>,
  allowThis: boolean,
): boolean {
  return someReference(expression, (node, shadowed) => {
    if (node.type === "Identifier") return scope.has(node.name) && !shadowed.has(node.name);
    if (node.type === "ThisExpression" || node.type === "Super") return !allowThis;
    return node.type === "MetaProperty" && node.meta.name === "new";
  });
}

/**
 * Standard globals a field initialiser may name and still be evaluated
 * outside its module (a module rarely rebinds them).
 */
const STANDARD_GLOBALS: ReadonlySet<string> = new Set([
  "undefined",
  "NaN",
  "Infinity",
  "Object",
  "Array",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Date",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "Math",
  "JSON",
  "BigInt",
  "RegExp",
  "Error",
  "Promise",
  "Reflect",
  "Proxy",
  "Intl",
  ...BINARY_DATA_CLASS_NAMES,
  "Atomics",
  "Function",
  "WeakRef",
  "FinalizationRegistry",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "AggregateError",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "encodeURI",
  "decodeURI",
  "structuredClone",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "console",
  "TextEncoder",
  "TextDecoder",
  "URL",
  "URLSearchParams",
  "AbortController",
  "Buffer",
  "globalThis",
  // The browser's and Node's other globals: a field reading one was taken for
  // one reading its module, lost its initialiser after the first edit and was
  // refused when added (review advY5 C3).
  ..."EvalError ReferenceError URIError Iterator AbortSignal Event EventTarget CustomEvent Blob File FormData Headers Request Response fetch crypto performance atob btoa process setImmediate clearImmediate".split(
    " ",
  ),
  ..."window self document navigator location history screen localStorage sessionStorage indexedDB customElements requestAnimationFrame cancelAnimationFrame requestIdleCallback cancelIdleCallback matchMedia getComputedStyle alert confirm prompt devicePixelRatio innerWidth innerHeight addEventListener removeEventListener dispatchEvent".split(
    " ",
  ),
  ..."HTMLElement Element Node Text DocumentFragment KeyboardEvent MouseEvent PointerEvent FileReader WebSocket Worker BroadcastChannel MessageChannel Image Audio AudioContext OffscreenCanvas DOMParser XMLHttpRequest IntersectionObserver ResizeObserver MutationObserver".split(
    " ",
  ),
]);

/** A standard global, which no module is expected to rebind. */
export function isStandardGlobal(name: string): boolean {
  return STANDARD_GLOBALS.has(name);
}

/** Calls `visit` with every node of `root` reached as a reference, with the names functions inside `root` bind around it. */
export function forEachReference(
  root: AnyNode,
  visit: (node: AnyNode, shadowed: ReadonlySet<string>) => void,
): void {
  someReference(root, (node, shadowed) => {
    visit(node, shadowed);
    return false;
  });
}

/**
 * Whether `expression` reads a name it does not bind itself other than a
 * standard global: a binding of the module the class was evaluated in
 * (three's `this.gpuType = FloatType`), or a global such a binding may
 * shadow. Evaluated anywhere but in that module, it throws or reads
 * something else.
 */
export function readsModuleScope(
  expression: AnyNode,
  /** Names the code around the expression binds (a constructor's parameters and locals). */
  bound: ReadonlySet<string> = new Set(),
): boolean {
  return someReference(
    expression,
    (node, shadowed) =>
      node.type === "Identifier" &&
      !shadowed.has(node.name) &&
      !bound.has(node.name) &&
      !STANDARD_GLOBALS.has(node.name),
  );
}
