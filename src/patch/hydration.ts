/**
 * Hydrating a patch's operations: compiling each function source with the
 * hydrate scope's names in view. Everything that can refuse does so before
 * any source is evaluated (evaluating a class runs its static blocks), so a
 * refused hydration has run none of the patch's code.
 */
import { InvalidPatchError } from "../errors.js";
import { keepName } from "../mop/keepName.js";
import { functionSourceVerdict } from "./checks/functionSource.js";
import { unboundFunctionNames } from "./checks/unboundFunctions.js";
import { functionsOf } from "./functions.js";
import type { Operation, PatchFunction } from "./operations.js";
import { describeOperation } from "./summary.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A function of the patch to compile, and what it sees besides the hydrate scope. */
interface Planned {
  readonly index: number;
  readonly op: Operation;
  readonly key: string;
  readonly fn: PatchFunction;
  /** Classes the patch adds whose implementations come earlier: an implementation extends them by name. */
  readonly added: readonly string[];
  /** The class this implementation gives the later ones, when the patch adds it. */
  readonly adds?: string;
}

/**
 * Compiles a function source with `scope`'s names in view. A function's
 * `toString()` is an expression unless it was written in method shorthand
 * (`migrate(old, t) { … }`), which only parses inside an object literal.
 */
function compile(source: string, names: readonly string[], values: readonly unknown[]): Function {
  let factory: Function;
  try {
    factory = new Function(...names, `"use strict";\nreturn (${source}\n);`);
  } catch (asExpression) {
    try {
      factory = new Function(...names, `"use strict";\nreturn Object.values({ ${source}\n })[0];`);
    } catch {
      throw asExpression;
    }
  }
  const fn: unknown = factory(...values);
  if (typeof fn !== "function")
    throw new TypeError(`its source evaluates to ${typeof fn}, not a function`);
  return fn;
}

/**
 * The functions in order. The implementation of a class the patch adds is
 * what the implementations after it extend by its name (`class User extends
 * Person`, Person added by the same bundle): it was "not defined", and such
 * a release needed two bundles (review advZ13).
 */
function plan(operations: readonly Operation[], visible: Readonly<Record<string, unknown>>) {
  const added = new Set(
    operations.flatMap((op) =>
      op.op === "addClass" || op.op === "insertSuperclass" ? [op.shape.name] : [],
    ),
  );
  const compiled: string[] = [];
  const planned: Planned[] = [];
  operations.forEach((op, index) => {
    for (const { key, fn } of functionsOf(op)) {
      const name = op.op === "replaceImplementation" ? op.className : undefined;
      const adds =
        name !== undefined && added.has(name) && !Object.hasOwn(visible, name) ? name : undefined;
      const seen = key === "implementation" ? [...compiled] : [];
      planned.push({ index, op, key, fn, added: seen, ...(adds ? { adds } : {}) });
      if (adds !== undefined && !compiled.includes(adds)) compiled.push(adds);
    }
  });
  return planned;
}

function refuseScopeNames(patchName: string, names: readonly string[]): void {
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      throw new InvalidPatchError(
        `patch "${patchName}": hydrate scope name ${JSON.stringify(name)} is not an identifier`,
        { patch: patchName, scopeName: name },
      );
    }
  }
}

/** Every source is a function (an implementation a class): nothing of the patch runs unless all of it is. */
function refuseNonFunctions(patchName: string, planned: readonly Planned[]): void {
  for (const { index, op, key, fn } of planned) {
    const implementation = key === "implementation";
    const verdict = functionSourceVerdict(fn.source, implementation);
    if (verdict === "function") continue;
    if (verdict === "too deep")
      throw new InvalidPatchError(
        `patch "${patchName}": operations[${index}] (${describeOperation(op)}): its ${key} source nests too deeply for metamorph to check that it is one ${implementation ? "class" : "function"} and nothing else, and none of the patch's code was run: move deep literals out of it (into the hydrate scope)`,
        { patch: patchName, index, operation: op.op, function: key },
      );
    throw new InvalidPatchError(
      `patch "${patchName}": operations[${index}] (${describeOperation(op)}): its ${key} source is not a ${implementation ? "class" : "function"} (written as ${implementation ? "class …" : "function …, an arrow function or method shorthand"}), and none of the patch's code was run: \`${fn.source.trim().slice(0, 40)}\``,
      { patch: patchName, index, operation: op.op, function: key },
    );
  }
}

/** Where the refused function is, for the details: its class, field, validation or hook. */
function placeOf(op: Operation): Record<string, string> {
  const place: Record<string, string> = {};
  if ("className" in op) place.className = op.className;
  if ("field" in op) place.field = op.field;
  if ("name" in op) place.name = op.name;
  return place;
}

/**
 * Every source reads only names its compilation binds: compiled anyway, a
 * read of its module's constant threw when the update ran it — after a
 * lazy update had committed (review advZ17).
 */
function refuseUnboundNames(
  patchName: string,
  names: readonly string[],
  planned: readonly Planned[],
) {
  for (const { index, op, key, fn, added } of planned) {
    const scope = new Set([...names, ...added]);
    const unbound = unboundFunctionNames(fn.source, key === "implementation", (n) => scope.has(n));
    if (unbound === undefined || unbound.length === 0) continue;
    const one = unbound.length === 1;
    throw new InvalidPatchError(
      `patch "${patchName}": operations[${index}] (${describeOperation(op)}): its ${key} function reads ${unbound.map((n) => `\`${n}\``).join(", ")}, which ${one ? "is" : "are"} bound nowhere it runs: a function a patch carries as source is compiled with the hydrate scope's names and the globals in view, not the module it was written in (nor the namespace's classes, unless the scope has them). Pass ${one ? "it" : "them"} to hydrate (\`patch.hydrate({ ${unbound.join(", ")} })\`, \`listen({ scope })\`) or write what ${one ? "it holds" : "they hold"} into the function; none of the patch's code was compiled or run`,
      { patch: patchName, index, operation: op.op, function: key, ...placeOf(op), names: unbound },
    );
  }
}

/** `operations` with every function compiled from its source, or a refusal before any is. */
export function hydrateOperations(
  patchName: string,
  operations: readonly Operation[],
  scope: Readonly<Record<string, unknown>>,
): Operation[] {
  // Sources written by esbuild (a TypeScript patch module packed through tsx) call __name.
  const visible: Readonly<Record<string, unknown>> = { __name: keepName, ...scope };
  const names = Object.keys(visible);
  refuseScopeNames(patchName, names);
  const values = names.map((n) => visible[n]);
  const planned = plan(operations, visible);
  refuseNonFunctions(patchName, planned);
  refuseUnboundNames(patchName, names, planned);
  const classes = new Map<string, Function>();
  const copies = new Map<number, Record<string, unknown>>();
  for (const { index, op, key, fn, added, adds } of planned) {
    let compiled: Function;
    try {
      compiled = compile(
        fn.source,
        [...names, ...added],
        [...values, ...added.map((n) => classes.get(n))],
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidPatchError(
        `patch "${patchName}": operations[${index}] (${describeOperation(op)}): its ${key} function does not compile: ${reason}`,
        { patch: patchName, index, operation: op.op, function: key, cause: reason },
      );
    }
    if (adds !== undefined) classes.set(adds, compiled);
    const copy = copies.get(index) ?? { ...op };
    copy[key] = { source: fn.source, fn: compiled };
    copies.set(index, copy);
  }
  return operations.map((op, index) => (copies.get(index) as Operation | undefined) ?? op);
}
