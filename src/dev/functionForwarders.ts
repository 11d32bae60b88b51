/**
 * Top-level function declarations that follow their edits wherever the
 * program holds them. A reload used to assign the saved function to the
 * module binding, but the function object the program had captured before
 * — `http.createServer(handle)`, `setInterval(tick, 100)`, `bus.on("ping",
 * onPing)`, the most common wiring of a Node program — kept the old code:
 * "updated function handle", and requests still got v1 (review H2).
 *
 * Instead the binding keeps the function the module declared, and that
 * function forwards to the running version once a save replaced it: its
 * body starts with a check of a slot (a `var` of the module, so that a call
 * before the module body ran, hoisting included, runs the function's own
 * code). The module's accessor of the binding (./scopeAccess.ts) reads and
 * writes the slot, so a reload's assignment, its undo and a release's
 * rollback need no change, and the binding — hence every importer, every
 * listener registered with it and every `off(handle)` — keeps one identity.
 *
 * The forward keeps `this`, `new.target` (a constructor function builds its
 * object from the declared function's `prototype`), and all arguments; a
 * generator delegates to the new version's generator with `yield*` (the
 * check runs at its first `next()`), an `async` function returns the new
 * version's promise. Costs (Node 20, a tight loop calling a two-argument
 * function): before any edit about 1–3 ns a call more than without the
 * check; after an edit of it, the forwarded call is about 20 ns. `length`
 * follows the running version; `toString()` stays the declared one (a
 * function's source text cannot be replaced).
 */
import type { AnyNode, FunctionDeclaration } from "acorn";
import { moduleBody, type ParsedModule } from "./compile.js";
import type { Edit } from "./sourceMap.js";

/** The slot of function `name`: the running version, undefined while it is the declared one. */
function slotOf(name: string): string {
  return `__metamorph$fn$${name}`;
}

/** The top-level function declarations of a module (named ones: the others have no binding). */
function declaredFunctions(parsed: ParsedModule): FunctionDeclaration[] {
  const out: FunctionDeclaration[] = [];
  for (const statement of moduleBody(parsed).statements) {
    const node: AnyNode | null | undefined =
      statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration"
        ? statement.declaration
        : statement;
    if (node?.type === "FunctionDeclaration" && node.id) out.push(node);
  }
  return out;
}

/** The check at the start of `fn`'s body that forwards a call to the running version. */
function forwardText(fn: FunctionDeclaration, slot: string): string {
  // Not `${slot}.apply(…)`: ~7 ns against ~20, but ~370 ns when the new
  // version's own properties were redefined (esbuild's `__name`), which makes
  // V8 look `apply` up the slow way on every call.
  const call = `Reflect.apply(${slot}, this, arguments)`;
  if (fn.generator) return `if (${slot} !== undefined) return yield* ${call};`;
  if (fn.async) return `if (${slot} !== undefined) return ${call};`;
  return `if (${slot} !== undefined) return new.target === undefined ? ${call} : Reflect.construct(${slot}, arguments, new.target);`;
}

/** Where the check goes: after the body's directive prologue, which must stay first (`"use strict"`). */
function bodyStart(fn: FunctionDeclaration): number {
  let at = fn.body.start + 1;
  for (const statement of fn.body.body) {
    if (statement.type !== "ExpressionStatement" || statement.directive === undefined) break;
    at = statement.end;
  }
  return at;
}

/**
 * The edits that make each top-level function declaration of `parsed` a
 * forwarder, and the declaration of their slots (for the module's header).
 */
export function forwarderEdits(parsed: ParsedModule): {
  edits: Edit[];
  slots: Map<string, string>;
  declaration: string;
} {
  const edits: Edit[] = [];
  const slots = new Map<string, string>();
  for (const fn of declaredFunctions(parsed)) {
    const name = fn.id!.name;
    // A name declared twice (sloppy scripts allow it): the last declaration is the binding's.
    const slot = slotOf(name);
    slots.set(name, slot);
    const at = bodyStart(fn);
    edits.push({ start: at, end: at, text: forwardText(fn, slot) });
  }
  const names = [...slots.values()].flatMap((slot) => [slot, lengthSlotOf(slot)]);
  const declaration = names.length > 0 ? `var ${names.join(", ")};` : "";
  return { edits, slots, declaration };
}

/**
 * The accessors of function `name` whose slot is `slot`: read the running
 * version, write it to the slot (the declared function itself empties it).
 */
export function forwardedAccessors(name: string, slot: string, value: string): string[] {
  // The declared function also shows the running version's `length`: code
  // that dispatches on arity (Express's four-parameter error handlers,
  // callback-or-promise helpers) must see the parameters the saved version
  // takes. The declared length is kept in a slot of its own the first time,
  // to give it back on an undo; Reflect.defineProperty, because a program may
  // have frozen its function.
  const declared = lengthSlotOf(slot);
  const length = `typeof ${value} === "function" && ${value} !== ${name} ? ${value}.length : ${declared}`;
  return [
    `get ${name}() { return ${slot} === undefined ? ${name} : ${slot}; }`,
    `set ${name}(${value}) { if (${declared} === undefined) ${declared} = ${name}.length; ${slot} = ${value} === ${name} ? undefined : ${value}; Reflect.defineProperty(${name}, "length", { value: ${length} }); }`,
  ];
}

/** The slot keeping the declared function's own `length` once a save replaced it. */
function lengthSlotOf(slot: string): string {
  return `${slot}$length`;
}
