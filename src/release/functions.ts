/**
 * Changed top-level functions of a bundle (BundleFunction), delivered in the
 * same transaction as its patches. The service names its modules by their
 * path relative to its root and hands the release layer a binding per
 * function (ServiceModules: under `metamorph run`, the dev runtime's module
 * scopes). Before anything is compiled every named module and function is
 * checked (`checkFunctions`: a module the service has not loaded, a name it
 * does not bind to a function declaration, is refused, nothing changed).
 * Once the bundle is verified, each source is compiled in its module's scope
 * (so it sees the module's imports and variables, as `metamorph dev`'s new
 * functions do) and the assignment becomes the first afterCommit hook of the
 * update, with an afterRollback hook that puts the old function back: the
 * bindings change when the classes do, stay as they were when the update is
 * refused or rolled back inside the engine, and are restored by a later
 * rollback (`metamorph rollback`, a failed health check). Callers that
 * captured the old function (a callback registered already) keep it.
 */
import { keepName } from "../mop/keepName.js";
import { patch as newPatch } from "../patch/builder.js";
import { Patch } from "../patch/patch.js";
import type { Bundle, BundleFunction } from "./bundle.js";
import { FunctionBindingError, UnverifiedBundleError } from "./errors.js";
import { functionSourceProblem } from "./functionSource.js";
import { isVerified } from "./verify.js";

/** A module-level binding holding a function declaration, in a running module. */
export interface FunctionBinding {
  /** The function the binding holds now. */
  read(): unknown;
  /** Any value: a rollback puts back what the binding held, whatever the program had assigned. */
  assign(value: unknown): void;
  /** Evaluates an expression in the module's scope (only ever a verified bundle's function). */
  evaluate(expression: string): unknown;
}

/** The running service's modules, as the release layer reaches them. */
export interface ServiceModules {
  /** The directory module paths are relative to (in messages). */
  readonly root: string;
  /** The binding, or why there is none (module not loaded, not a function declaration, …). */
  functionBinding(module: string, name: string): FunctionBinding | string;
}

/** Resolves every function of the bundle, refusing the first that the service cannot replace. */
export function checkFunctions(
  modules: ServiceModules | undefined,
  bundle: Bundle,
): FunctionBinding[] {
  const functions = bundle.payload.functions ?? [];
  return functions.map((f) => {
    const refuse = (why: string) =>
      new FunctionBindingError(
        `bundle ${bundle.payload.manifest.name}: ${f.module}: function ${f.name}: ${why}; nothing was changed`,
        { module: f.module, name: f.name },
      );
    if (!modules) {
      throw refuse(
        "this service does not expose its modules (top-level functions are replaced under metamorph run)",
      );
    }
    const problem = functionSourceProblem(f.source, f.name);
    if (problem !== undefined) throw refuse(problem);
    const binding = modules.functionBinding(f.module, f.name);
    if (typeof binding === "string")
      throw refuse(`${binding} (modules are named relative to ${modules.root})`);
    return binding;
  });
}

/** What the release history records of the bundle's functions: `module:name` each (status lists them). */
export function recordedFunctions(bundle: Bundle): { readonly functions?: readonly string[] } {
  const functions = bundle.payload.functions;
  return functions ? { functions: functions.map((f) => `${f.module}:${f.name}`) } : {};
}

const hookName = (functions: readonly BundleFunction[]) =>
  `top-level functions ${functions.map((f) => `${f.module}:${f.name}`).join(", ")}`;

/**
 * `patch` with the bundle's functions: compiled in their modules' scopes and
 * assigned by the update's first afterCommit hook, put back by an
 * afterRollback hook. Refused (UnverifiedBundleError) for a bundle
 * `verifyBundle` did not return, before anything is compiled.
 */
export function withFunctions(
  modules: ServiceModules | undefined,
  bundle: Bundle,
  patch: Patch,
): Patch {
  const functions = bundle.payload.functions ?? [];
  if (functions.length === 0) return patch;
  if (!isVerified(bundle)) {
    throw new UnverifiedBundleError(
      `bundle ${bundle.payload.manifest.name} has not been verified: its functions are not compiled until verifyBundle accepts its signature`,
      {},
    );
  }
  const bindings = checkFunctions(modules, bundle);
  const replacements = functions.map((f, i) => {
    const binding = bindings[i]!;
    // esbuild's naming helper, which a function packed from a TypeScript module may call.
    const make = binding.evaluate(`(function (__name) { return (${f.source}\n); })`);
    const fn =
      typeof make === "function" ? (make as (k: typeof keepName) => unknown)(keepName) : undefined;
    if (typeof fn !== "function") {
      throw new FunctionBindingError(
        `${f.module}: function ${f.name}: its source did not evaluate to a function`,
        {
          module: f.module,
          name: f.name,
        },
      );
    }
    return { binding, next: fn, old: binding.read() };
  });
  const name = hookName(functions);
  const hooks = newPatch(patch.name)
    .afterCommit(name, () => {
      for (const r of replacements) r.binding.assign(r.next);
    })
    .afterRollback(name, () => {
      for (const r of replacements) r.binding.assign(r.old);
    })
    .build();
  // First: the program's own afterCommit hooks see the new functions.
  return new Patch(patch.name, [...hooks.operations, ...patch.operations]);
}
