// What an instrumented module hands the dev runtime so that later versions
// of its classes and functions can reach its scope: an object of accessors
// (a getter, and a setter for `let`/`var`/function/class bindings) for the
// module bindings new code may use — imports, function and class
// declarations, the variables some function or class body of the module
// already references (in the module's context anyway: a closure keeps them),
// and those never assigned after their declaration (`const UNIT = "cm"`: a
// context slot written once and read costs nothing measurable). The
// variables only top-level statements reassign (`let acc` of a top-level
// loop) get none, so V8 keeps them in registers: a direct
// `eval` in the module, the way this used to be done, forces every binding
// of the module into its context and a top-level loop then stores each
// temporary there (issue 15, item 1). Code that needs one of those cannot
// be applied live (./scopeEvaluate.ts).
import type { AnyNode, Pattern } from "acorn";
import { forEachChild } from "../mop/source/parser.js";
import { nonReferenceChild } from "../mop/source/scope.js";
import { moduleBody, type ParsedModule, patternNames, type TopLevel } from "./compile.js";
import type { SourceType } from "./conventions.js";
import { forwardedAccessors } from "./functionForwarders.js";

// The module's side of evaluating code in its scope (built by the header `accessHeader` writes).
export interface ScopeAccess {
  // Accessors of the module bindings new code may use, by name (own properties only count).
  readonly bindings: Record<string, unknown>;
  // `import()` as the module itself calls it (relative specifiers resolve against the module).
  readonly import: (specifier: string) => Promise<unknown>;
  // The module's `import.meta` (ES modules).
  readonly meta?: object;
  // Whether the module's code is strict (ES modules, scripts with a "use strict" directive).
  readonly strict: boolean;
}

// The setters' parameter (chosen not to collide with a program name).
const VALUE = "__metamorph$value";

// Bindings CommonJS gives a module's code as parameters of its wrapper.
const COMMONJS_BINDINGS = ["require", "module", "exports", "__filename", "__dirname"];

function isFunctionOrClass(node: AnyNode): boolean {
  return (
    node.type === "FunctionDeclaration" ||
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression" ||
    node.type === "ClassDeclaration" ||
    node.type === "ClassExpression"
  );
}

// How a module's code uses names, by name only (shadowing is not resolved).
export interface NameUses {
  // Every identifier inside a function or class (declared there or not).
  readonly inFunctions: ReadonlySet<string>;
  // Every name assigned anywhere after its declaration (`x = …`, `x++`, `for (x of …)`).
  readonly assigned: ReadonlySet<string>;
}

// How the module's top-level `statements` use names. Shadowing is not resolved: an over-approximation
// that at worst gives a module binding an accessor it did not need, or
// counts a binding as reassigned because a local of the same name is.
export function nameUses(statements: readonly AnyNode[]): NameUses {
  const inFunctions = new Set<string>();
  const assigned: string[] = [];
  const walk = (node: AnyNode, inside: boolean): void => {
    if (inside && node.type === "Identifier") inFunctions.add(node.name);
    let target: AnyNode | undefined;
    if (node.type === "AssignmentExpression") target = node.left;
    else if (node.type === "UpdateExpression") target = node.argument;
    else if (node.type === "ForInStatement" || node.type === "ForOfStatement") target = node.left;
    if (target && target.type !== "VariableDeclaration") patternNames(target as Pattern, assigned);
    const deeper = inside || isFunctionOrClass(node);
    forEachChild(node, (child) => {
      if (!nonReferenceChild(node, child)) walk(child, deeper);
    });
  };
  for (const statement of statements) walk(statement, false);
  return { inFunctions, assigned: new Set(assigned) };
}

// Whether a statement list begins with a "use strict" directive.
function hasUseStrict(statements: readonly AnyNode[]): boolean {
  for (const statement of statements) {
    if (statement.type !== "ExpressionStatement" || statement.directive === undefined) break;
    if (statement.directive === "use strict") return true;
  }
  return false;
}

// The module bindings that get accessors, each with whether it can be assigned.
export function accessorBindings(
  parsed: ParsedModule,
  top: TopLevel,
  sourceType: SourceType,
): Map<string, boolean> {
  const uses = nameUses(moduleBody(parsed).statements);
  const out = new Map<string, boolean>();
  for (const i of top.imports) for (const b of i.bindings) out.set(b.local, false);
  for (const name of top.functions.keys()) out.set(name, true);
  for (const name of top.classes.keys()) out.set(name, true);
  for (const variable of top.variables.values()) {
    for (const name of variable.names) {
      // A binding written only by its declaration costs nothing in the context.
      if (uses.inFunctions.has(name) || !uses.assigned.has(name)) {
        out.set(name, variable.kind !== "const");
      }
    }
  }
  if (sourceType === "script") {
    for (const name of COMMONJS_BINDINGS) if (!top.bindings.has(name)) out.set(name, false);
  }
  return out;
}

// The text of the `ScopeAccess` object a module hands the runtime (one line).
export function accessHeader(
  parsed: ParsedModule,
  top: TopLevel,
  sourceType: SourceType,
  /** Slots of the functions that forward to their running version (./functionForwarders.ts). */
  forwarded: ReadonlyMap<string, string> = new Map(),
): string {
  const accessors: string[] = [];
  for (const [name, writable] of accessorBindings(parsed, top, sourceType)) {
    const slot = forwarded.get(name);
    if (slot !== undefined && writable) {
      accessors.push(...forwardedAccessors(name, slot, VALUE));
      continue;
    }
    accessors.push(`get ${name}() { return ${name}; }`);
    if (writable) accessors.push(`set ${name}(${VALUE}) { ${name} = ${VALUE}; }`);
  }
  const strict =
    sourceType === "module" ||
    hasUseStrict(parsed.program.body) ||
    hasUseStrict(moduleBody(parsed).statements);
  // A getter: Node materialises a module's import.meta on first access, which
  // under the loader hooks cost ~35 ms of start-up on a hello-world.
  const meta = sourceType === "module" ? ", get meta() { return import.meta; }" : "";
  return `{ bindings: { ${accessors.join(", ")} }, import: (s) => import(s)${meta}, strict: ${strict} }`;
}

// `access` with its accessors on an object V8 keeps in fast mode: an object
// literal with accessors is created in dictionary mode, where every read of
// a binding by reloaded code would be a generic lookup and a call instead of
// an inlined getter (about 6× slower in a hot method).
export function withFastBindings(access: ScopeAccess): ScopeAccess {
  const bindings: Record<string, unknown> = {};
  for (const name of Object.keys(access.bindings)) {
    Object.defineProperty(bindings, name, Object.getOwnPropertyDescriptor(access.bindings, name)!);
  }
  // Descriptors, not a spread: the spread would call the `meta` getter.
  return Object.defineProperties(
    { bindings },
    Object.fromEntries(
      Object.entries(Object.getOwnPropertyDescriptors(access)).filter(([k]) => k !== "bindings"),
    ),
  ) as ScopeAccess;
}
