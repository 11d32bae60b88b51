/**
 * The members of `this` that code of a class can read after the call that
 * made it returned, and so after an update:
 * - closures: an arrow function inside a method or the constructor
 *   (`setInterval(() => this._checkPing(), …)`, `this.on("close", () =>
 *   this.pingTimer.clear())`) keeps the object and reads those members when
 *   it runs. A new version that drops such a member leaves these closures to
 *   fail later (mqtt 5.0 -> 5.10: the old keep-alive timer called a method
 *   the new release no longer has, and the process died a second after the
 *   commit). A `function` reaches the object through a name holding it
 *   (`var _this = this`: thisAliases.ts), as transpiled arrows do;
 * - suspended calls: an `async` or generator method paused at an `await` or
 *   `yield` resumes its old code, and reads what follows on the object
 *   (bottleneck 2.18 -> 2.19: a job executing during the update called the
 *   removed `doResolve` when its task settled, and its promise never did).
 *   Transpilers write such a method as a generator run at once, which counts
 *   the same.
 */
import type {
  AnyNode,
  Function as FunctionNode,
  MethodDefinition,
  PropertyDefinition,
} from "acorn";
import { forEachChild } from "./parser.js";
import { type Suspension, suspensionOf } from "./suspensionPoints.js";
import { keyDisplay, readKey, skipOuterExpressions } from "./syntax.js";
import { aliasesIn } from "./thisAliases.js";

/** Members code reads (or assigns) after the call that made it returned. */
export interface OutlivingAccess {
  /** By closures, which may run any time after the call that made them. */
  readonly closures: ReadonlySet<string>;
  /** After an `await` or `yield`, with the methods (`run()`) whose calls touch them then. */
  readonly suspended: ReadonlyMap<string, readonly string[]>;
}

/** All that a class's code does with the members of its object (memberAccess). */
export interface MemberAccess {
  /** Read after the call: a member missing then fails the code. */
  readonly reads: OutlivingAccess;
  /**
   * Only assigned after the call (`this.status = "done"`): a missing member
   * is added back, and the value is lost where the update keeps it under
   * another name.
   */
  readonly writes: OutlivingAccess;
  /** The members each method (by name: `inc`) reads, and only assigns, anywhere in its code. */
  readonly byMethod: ReadonlyMap<string, MethodAccess>;
}

/** What one method's code does with the members of its object, anywhere in it. */
export interface MethodAccess {
  readonly reads: ReadonlySet<string>;
  /** Assigned (`this.status = "done"`); such a member may be read elsewhere too. */
  readonly assigns: ReadonlySet<string>;
}

interface Outliving {
  readonly closures: Set<string>;
  readonly suspended: Map<string, string[]>;
}

interface Access {
  readonly reads: Outliving;
  readonly writes: Outliving;
  readonly byMethod: Map<string, { reads: Set<string>; assigns: Set<string> }>;
}

/** Array methods that call their callback before they return: a function given to one does not outlive the call. */
const SYNCHRONOUS_CALLBACKS = new Set([
  "map",
  "forEach",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "reduce",
  "reduceRight",
  "sort",
  "flatMap",
]);

/**
 * How a function made in a method runs, where it is not simply a closure:
 * during the call (`onThis`: with the method's `this`), or later with the
 * method's `this` (`bound`: `function () {…}.bind(this)`).
 */
type Run = "during" | "onThis" | "bound";

type FunctionLike = Extract<AnyNode, FunctionNode>;

const isFunction = (node: AnyNode): node is FunctionLike =>
  node.type === "ArrowFunctionExpression" ||
  node.type === "FunctionExpression" ||
  node.type === "FunctionDeclaration";

const suspends = (node: AnyNode): boolean =>
  node.type === "FunctionExpression" && (node.generator || node.async);

/**
 * The body of an `async` method as transpilers write it, a generator run at
 * once: Babel's `_asyncToGenerator(function* () {…})()` (or `.call(this)`),
 * tsc's `__awaiter(this, …, function* () {…})`, esbuild's `__async(this,
 * null, function* () {…})` — the last two with the method's `this`.
 */
function asyncBodies(call: AnyNode, into: Map<AnyNode, Run>): void {
  if (call.type !== "CallExpression") return;
  const callee = skipOuterExpressions(call.callee);
  const applied =
    callee.type === "MemberExpression" &&
    callee.property.type === "Identifier" &&
    (callee.property.name === "call" || callee.property.name === "apply");
  const wrapper = skipOuterExpressions(applied ? callee.object : callee);
  if (wrapper.type === "CallExpression")
    for (const argument of wrapper.arguments)
      if (suspends(argument)) into.set(argument, applied ? "onThis" : "during");
  if (call.arguments.some((a) => skipOuterExpressions(a).type === "ThisExpression"))
    for (const argument of call.arguments) if (suspends(argument)) into.set(argument, "onThis");
}

/**
 * Functions that only run during the call that makes them: those handed to
 * an array method that calls them at once, one called where it is written,
 * a local helper only ever called (a recursive helper: heap 4's `isValid`),
 * never passed on, and async bodies (asyncBodies).
 */
function inlineFunctions(body: AnyNode): Map<AnyNode, Run> {
  const inline = new Map<AnyNode, Run>();
  const helpers = new Map<string, AnyNode>();
  const passedOn = new Set<string>();
  const visit = (node: AnyNode, parent: AnyNode | undefined): void => {
    if (node.type === "CallExpression") {
      const callee = skipOuterExpressions(node.callee);
      if (
        callee.type === "MemberExpression" &&
        !callee.computed &&
        callee.property.type === "Identifier" &&
        SYNCHRONOUS_CALLBACKS.has(callee.property.name)
      )
        for (const argument of node.arguments)
          if (isFunction(argument)) inline.set(argument, "during");
      if (isFunction(callee)) inline.set(callee, "during");
      if (
        callee.type === "MemberExpression" &&
        callee.property.type === "Identifier" &&
        callee.property.name === "bind" &&
        node.arguments[0]?.type === "ThisExpression" &&
        skipOuterExpressions(callee.object).type === "FunctionExpression"
      )
        inline.set(skipOuterExpressions(callee.object), "bound");
      asyncBodies(node, inline);
    }
    if (
      node.type === "VariableDeclarator" &&
      node.id.type === "Identifier" &&
      node.init &&
      isFunction(node.init)
    )
      helpers.set(node.id.name, node.init);
    if (node.type === "FunctionDeclaration" && node.id) helpers.set(node.id.name, node);
    if (node.type === "Identifier" && parent !== undefined) {
      const called = parent.type === "CallExpression" && parent.callee === node;
      const declared =
        (parent.type === "VariableDeclarator" || parent.type === "FunctionDeclaration") &&
        parent.id === node;
      const property =
        parent.type === "MemberExpression" && parent.property === node && !parent.computed;
      if (!called && !declared && !property) passedOn.add(node.name);
    }
    forEachChild(node, (child) => visit(child, node));
  };
  visit(body, undefined);
  for (const [name, fn] of helpers)
    if (!passedOn.has(name)) inline.set(fn, inline.get(fn) ?? "during");
  return inline;
}

/** What holds the object where code runs, and when that code runs. */
interface Context {
  readonly thisIsObject: boolean;
  readonly aliases: ReadonlySet<string>;
  /** The code may run any time after the method returned: a closure. */
  readonly escapes: boolean;
  /** The points of the functions, running during the call, it is in. */
  readonly suspensions: readonly Suspension[];
}

const NO_SOURCE = { text: "", shift: 0 };

/** Adds to `access` what `member`'s code reads and assigns of the object. */
function readMethod(member: MethodDefinition, access: Access): void {
  const key = keyDisplay(readKey(NO_SOURCE, member.key, member.computed));
  const method = key === "" ? "a method" : `${key}()`;
  const touched = access.byMethod.get(key) ?? { reads: new Set(), assigns: new Set() };
  access.byMethod.set(key, touched);
  const inline = inlineFunctions(member.value.body);
  const holdsObject = (node: AnyNode, ctx: Context): boolean => {
    const object = skipOuterExpressions(node);
    if (object.type === "ThisExpression") return ctx.thisIsObject;
    return object.type === "Identifier" && ctx.aliases.has(object.name);
  };
  const record = (name: string, node: AnyNode, ctx: Context, assigned: boolean): void => {
    (assigned ? touched.assigns : touched.reads).add(name);
    const { closures, suspended } = assigned ? access.writes : access.reads;
    if (ctx.escapes) closures.add(name);
    else if (ctx.suspensions.some((s) => s.after(node))) {
      const by = suspended.get(name) ?? [];
      if (!by.includes(method)) by.push(method);
      suspended.set(name, by);
    }
  };
  const enter = (fn: FunctionLike, ctx: Context, thisIsObject: boolean, escapes: boolean) => {
    const aliases = aliasesIn(fn, ctx.aliases, thisIsObject);
    if (!thisIsObject && aliases.size === 0) return; // nothing in it reaches the object
    const suspension = escapes ? undefined : suspensionOf(fn);
    const suspensions = suspension ? [...ctx.suspensions, suspension] : ctx.suspensions;
    const inner: Context = { thisIsObject, aliases, escapes, suspensions };
    for (const parameter of fn.params) walk(parameter, fn, inner);
    walk(fn.body, fn, inner);
  };
  const walk = (node: AnyNode, parent: AnyNode, ctx: Context): void => {
    if (node.type === "ClassExpression" || node.type === "ClassDeclaration") return;
    if (isFunction(node)) {
      const how = inline.get(node);
      // An arrow's `this` is the enclosing one; a `function`'s its own, unless it is bound to it.
      const own = node.type !== "ArrowFunctionExpression" && how !== "onThis" && how !== "bound";
      const escapes = ctx.escapes || how === undefined || how === "bound";
      enter(node, ctx, !own && ctx.thisIsObject, escapes);
      return;
    }
    // Told apart: assigning a member the new version dropped adds a
    // property, where reading it fails; but the assigned value is lost
    // where the update keeps the member's value under another name.
    const assigned =
      parent.type === "AssignmentExpression" && parent.operator === "=" && parent.left === node;
    if (
      node.type === "MemberExpression" &&
      !node.computed &&
      node.property.type === "Identifier" &&
      holdsObject(node.object, ctx)
    )
      record(node.property.name, node, ctx, assigned);
    forEachChild(node, (child) => walk(child, node, ctx));
  };
  const root: Context = { thisIsObject: true, aliases: new Set(), escapes: false, suspensions: [] };
  enter(member.value, root, true, false);
}

/**
 * What `classNode`'s methods, constructor and field initialisers read and
 * assign of the object, after they return and anywhere (MemberAccess).
 */
export function memberAccess(classNode: AnyNode): MemberAccess {
  const outliving = (): Outliving => ({ closures: new Set(), suspended: new Map() });
  const access: Access = { reads: outliving(), writes: outliving(), byMethod: new Map() };
  if (classNode.type === "ClassExpression" || classNode.type === "ClassDeclaration")
    for (const member of classNode.body.body) {
      if (member.type === "MethodDefinition" && !member.static) readMethod(member, access);
      // A field initialiser runs during construction; an arrow it makes
      // (`onTick = () => this.tick()`) is a closure that keeps the object
      // (review advX5): read as a method whose body is the initialiser.
      else if (member.type === "PropertyDefinition" && !member.static && member.value)
        readMethod(initialiserAsMethod(member), access);
    }
  return access;
}

/** A field's initialiser as a method of no parameters whose body is that expression. */
function initialiserAsMethod(field: PropertyDefinition): MethodDefinition {
  const value = field.value!;
  const body = {
    type: "FunctionExpression",
    id: null,
    params: [],
    body: value,
    expression: true,
    generator: false,
    async: false,
    start: value.start,
    end: value.end,
  };
  return {
    ...field,
    type: "MethodDefinition",
    kind: "method",
    value: body,
  } as unknown as MethodDefinition;
}

/** Names read as `this.name` by closures made in `classNode`'s methods, constructor and field initialisers. */
export function closureMembers(classNode: AnyNode): ReadonlySet<string> {
  return memberAccess(classNode).reads.closures;
}

/**
 * The members of the object that calls of a class's methods suspended at
 * an `await` or `yield` read when they resume, with those methods.
 */
export function suspendedMembers(classNode: AnyNode): ReadonlyMap<string, readonly string[]> {
  return memberAccess(classNode).reads.suspended;
}
