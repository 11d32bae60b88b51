/**
 * Top-level functions that make functions the program keeps: a middleware
 * factory (`counting(stats)` returning the `(req, res, next)` closure given
 * to `app.use` at start-up), a `setup(app)` registering route handlers or
 * listeners, a function storing a callback. A reload assigns the edited
 * function to its binding, but what it made before keeps its own code:
 * the update said "updated function counting" and responses kept the old
 * header, with no word (review advZ20 7). Such an edit gets a note.
 *
 * Only functions that leave the call are counted — returned (also inside
 * an object or array), stored outside it, or given to a call that keeps
 * them (`app.use`, `.on`, `addEventListener`, `setInterval`, …) — so a
 * plain function with callbacks it runs and drops (`users.map(u => …)`,
 * `new Promise(resolve => …)`, `.then(…)`, `setTimeout`) is not noted.
 */
import type { AnyNode, FunctionDeclaration, Pattern } from "acorn";
import { forEachChild } from "../mop/source/parser.js";
import { calleeName } from "../mop/source/syntax.js";
import { moduleBody, type ParsedModule, patternNames } from "./compile.js";

/** Calls that keep a function they are given (by the callee's last name). */
const KEEPS =
  /^(on|once|addListener|prependListener|prependOnceListener|addEventListener|use|get|post|put|patch|delete|head|options|all|route|subscribe|register|handle|watch|setInterval|define)$/;

/** How a function made inside another leaves it. */
export interface MadeFunction {
  /** Offset of the function (or of the name holding it) in the code. */
  readonly start: number;
  readonly how: "returns" | "stores" | "registers";
  /** For "registers": the call it is given to (`app.use`). */
  readonly callee?: string;
}

const MAKES = new Set(["ArrowFunctionExpression", "FunctionExpression", "ClassExpression"]);

/** Nodes whose value is their child's (or one of their children's), climbing towards where it goes. */
function passesValueUp(parent: AnyNode, child: AnyNode): boolean {
  switch (parent.type) {
    case "ParenthesizedExpression":
    case "ArrayExpression":
    case "ObjectExpression":
    case "SpreadElement":
    case "LogicalExpression":
      return true;
    case "Property":
      return parent.value === child;
    case "ConditionalExpression":
      return parent.test !== child;
    case "SequenceExpression":
      return parent.expressions.at(-1) === child;
    case "CallExpression":
      // tsx (esbuild's keepNames) names a function by `__name(fn, "name")`, which returns it.
      return parent.arguments[0] === child && calleeName(parent.callee) === "__name";
    default:
      return false;
  }
}

/** Where the value of `node` goes, given its ancestors (nearest last). */
function destination(
  node: AnyNode,
  ancestors: readonly AnyNode[],
  locals: ReadonlySet<string>,
  /** Local names given a function, with where it is made. */
  holders: Map<string, number>,
): Omit<MadeFunction, "start"> | undefined {
  let child = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i]!;
    if (passesValueUp(parent, child)) {
      child = parent;
      continue;
    }
    switch (parent.type) {
      case "ReturnStatement":
      case "YieldExpression":
        return { how: "returns" };
      case "ArrowFunctionExpression":
        return parent.body === child ? { how: "returns" } : undefined;
      case "VariableDeclarator":
        if (parent.init === child && parent.id.type === "Identifier")
          holders.set(parent.id.name, node.start);
        return undefined;
      case "AssignmentExpression":
        if (parent.right !== child) return undefined;
        if (parent.left.type === "Identifier" && locals.has(parent.left.name)) {
          holders.set(parent.left.name, node.start);
          return undefined;
        }
        return { how: "stores" };
      case "CallExpression":
      case "NewExpression": {
        if (parent.callee === child) return undefined;
        const callee = calleeName(parent.callee);
        const last = callee?.split(".").at(-1);
        return last !== undefined && KEEPS.test(last)
          ? { how: "registers", callee: callee! }
          : undefined;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Every name the function declares anywhere inside (parameters, variables, functions), shadowing ignored. */
function declaredInside(fn: FunctionDeclaration): Set<string> {
  const names: string[] = [];
  const walk = (node: AnyNode): void => {
    if (node.type === "VariableDeclarator") patternNames(node.id, names);
    else if (node.type === "FunctionDeclaration" && node.id) names.push(node.id.name);
    if ("params" in node && Array.isArray(node.params)) {
      for (const p of node.params as Pattern[]) patternNames(p, names);
    }
    forEachChild(node, walk);
  };
  walk(fn);
  return new Set(names);
}

/**
 * The first function `fn` makes that leaves its call (see above), or
 * undefined. A name holding one (`const mw = (…) => …; return mw;`, an
 * inner `function`) leaves the call where the name does.
 */
export function madeFunction(fn: FunctionDeclaration): MadeFunction | undefined {
  const locals = declaredInside(fn);
  const holders = new Map<string, number>();
  const uses: { node: AnyNode & { name: string }; ancestors: AnyNode[] }[] = [];
  let found: MadeFunction | undefined;
  const walk = (node: AnyNode, ancestors: AnyNode[]): void => {
    if (found !== undefined) return;
    if (MAKES.has(node.type)) {
      const goes = destination(node, ancestors, locals, holders);
      if (goes !== undefined) found = { start: node.start, ...goes };
    } else if (node.type === "FunctionDeclaration" && node.id && ancestors.length > 0) {
      holders.set(node.id.name, node.start);
    } else if (node.type === "Identifier" && ancestors.length > 0) {
      uses.push({ node, ancestors: [...ancestors] });
    }
    ancestors.push(node);
    forEachChild(node, (child) => walk(child, ancestors));
    ancestors.pop();
  };
  walk(fn.body, [fn]);
  if (found !== undefined) return found;
  // Then the names holding one (the walk found them all): where each is used decides.
  for (const { node, ancestors } of uses) {
    if (!holders.has(node.name)) continue;
    const parent = ancestors.at(-1)!;
    if (parent.type === "VariableDeclarator" && parent.id === node) continue;
    if (parent.type === "FunctionDeclaration" && parent.id === node) continue;
    const goes = destination(node, ancestors, locals, new Map());
    if (goes !== undefined) return { start: holders.get(node.name)!, ...goes };
  }
  return undefined;
}

/** The note for an edited function `name` that makes functions the program may hold. */
export function madeFunctionNote(
  name: string,
  line: number,
  made: MadeFunction,
  madeLine: number,
): string {
  const what =
    made.how === "returns"
      ? "returns a function it makes"
      : made.how === "stores"
        ? "stores a function it makes outside the call"
        : `gives a function it makes to ${made.callee}`;
  return `line ${line}: function ${name} ${what} (line ${madeLine}): the functions it made before this save (a middleware, a handler, a listener) keep the old code; call it again, or restart, to use the new`;
}

/** The notes for the edited top-level functions `names` of the saved module that make functions it may hold. */
export function madeFunctionNotes(parsed: ParsedModule, names: readonly string[]): string[] {
  const notes: string[] = [];
  for (const statement of moduleBody(parsed).statements) {
    const fn =
      statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration"
        ? statement.declaration
        : statement;
    if (fn?.type !== "FunctionDeclaration" || !fn.id || !names.includes(fn.id.name)) continue;
    const made = madeFunction(fn);
    if (made === undefined) continue;
    const line = (offset: number) => parsed.origin(offset).line;
    notes.push(madeFunctionNote(fn.id.name, line(fn.start), made, line(made.start)));
  }
  return notes;
}
