/**
 * The top-level function bindings of the running program's modules, for a
 * signed bundle's changed functions (src/release/functions.ts) under
 * `metamorph run`: a module is named by its path relative to the service's
 * root; a function is a `function` declaration of the module's running
 * JavaScript (not an import, a class or a variable, whose bindings a new
 * function must not take over). Its binding is read and assigned through the
 * module's accessor (./scopeAccess.ts), as `metamorph dev` assigns a changed function: the
 * accessor reads and sets the running version the declared function forwards
 * to (./functionForwarders.ts), so importers and callers that captured the
 * function run the new one, and a rollback assigns back what was read.
 */
import { resolve } from "node:path";
import type { FunctionBinding, ServiceModules } from "../release/index.js";
// Its own module, not the release index: that loads the whole release layer
// (bundles, signatures), ~50 ms of every `metamorph dev` start-up.
import { FunctionBindingError } from "../release/errors.js";
import { parseModule, topLevel } from "./compile.js";
import type { ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import { TopLevelOnlyBinding } from "./scopeEvaluate.js";

/** Why `record` has no function declaration `name`, or undefined when it has one. */
function missing(record: ModuleRecord, name: string): string | undefined {
  if (record.js === "") return "the service does not know this module's running source";
  let top: ReturnType<typeof topLevel>;
  try {
    top = topLevel(parseModule(record.js, record.file, record.sourceType));
  } catch {
    return "the service cannot read this module's running source";
  }
  if (top.functions.has(name)) return undefined;
  if (top.classes.has(name)) return `${name} is a class (a patch's class operations change it)`;
  if (top.bindings.has(name)) return `${name} is not a function declaration of this module`;
  return `the module declares no ${name}`;
}

function binding(record: ModuleRecord, module: string, name: string): FunctionBinding {
  const scope = record.access.bindings;
  return {
    read: () => scope[name],
    assign(value) {
      scope[name] = value;
    },
    evaluate(expression) {
      try {
        return record.evaluate(expression);
      } catch (error) {
        // Refused before anything of it ran: the service cannot take this function live.
        if (!(error instanceof TopLevelOnlyBinding)) throw error;
        throw new FunctionBindingError(`${module}: function ${name}: ${error.message}`, {
          module,
          name,
          binding: error.binding,
        });
      }
    },
  };
}

/** The modules of `graph` as a release target reaches them, named relative to `root`. */
export function serviceModules(graph: ModuleGraph, root: string): ServiceModules {
  return {
    root,
    functionBinding(module, name) {
      const record = graph.get(resolve(root, ...module.split("/")));
      if (!record) return "the service has not loaded this module";
      return missing(record, name) ?? binding(record, module, name);
    },
  };
}
