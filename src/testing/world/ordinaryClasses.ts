/**
 * Ordinary classes as world classes. A class the program wrote (`class
 * Account { … }`) is registered in every world's fresh namespace — but not
 * the class itself: a committed update rewrites a registered class's
 * prototype, so one class shared by every world would carry one run's
 * update into the next, and into the program. Each world gets a fresh copy,
 * evaluated again from the class's source text (what `Function.prototype.
 * toString` gives: the JavaScript the compiler emitted), with its
 * superclass's copy and the `scope` the source refers to.
 */
import { MetamorphError } from "../../errors.js";
import type { Constructor } from "../../mop/createClass.js";
import type { Namespace } from "../../namespace/namespace.js";
import { keepName } from "../../mop/keepName.js";

/** A world source names a class the kit cannot use; `details.className` says which. */
export class WorldSourceError extends MetamorphError {
  readonly code = "MM_WORLD_SOURCE";
}

/** Superclasses first. */
function ordered(classes: readonly Function[]): Function[] {
  const out: Function[] = [];
  const place = (cls: Function) => {
    if (out.includes(cls)) return;
    const parent = Object.getPrototypeOf(cls) as Function;
    if (classes.includes(parent)) place(parent);
    out.push(cls);
  };
  for (const cls of classes) place(cls);
  return out;
}

function sourceOf(cls: Function): string {
  const source = Function.prototype.toString.call(cls);
  if (!/^class\b/.test(source) || /\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new WorldSourceError(
      `checkMigration: ${cls.name || "an anonymous function"} is not a class written in JavaScript (its source text is not a class declaration), so it cannot be copied into each world; give a class spec or a \`namespace\` factory`,
      { className: cls.name },
    );
  }
  return source;
}

/** Evaluates each class's source again, superclasses first, with `scope` and the copies made so far in view. */
function revive(
  classes: readonly Function[],
  scope: Readonly<Record<string, unknown>>,
): Map<Function, Function> {
  const copies = new Map<Function, Function>();
  for (const cls of classes) {
    const names: Record<string, unknown> = { __name: keepName, ...scope };
    for (const [original, copy] of copies) names[original.name] = copy;
    const parent = Object.getPrototypeOf(cls) as Function;
    const copyOfParent = copies.get(parent);
    if (copyOfParent === undefined && parent !== Function.prototype && !(parent.name in names)) {
      names[parent.name] = parent;
    }
    const keys = Object.keys(names).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
    let copy: Function;
    try {
      copy = new Function(...keys, `"use strict"; return (${sourceOf(cls)});`)(
        ...keys.map((k) => names[k]),
      ) as Function;
    } catch (error) {
      if (error instanceof WorldSourceError) throw error;
      throw new WorldSourceError(
        `checkMigration: class ${cls.name} could not be copied from its source: ${(error as Error).message}`,
        { className: cls.name, cause: error },
      );
    }
    copies.set(cls, copy);
  }
  return copies;
}

/** A maker of the ordinary classes' part of a world: fresh copies registered in `ns`. */
export function ordinaryClassRegistrar(
  classes: readonly Function[],
  scope: Readonly<Record<string, unknown>>,
): (ns: Namespace) => void {
  const inOrder = ordered(classes);
  // Once now, so that a class that cannot be copied is reported before any run.
  revive(inOrder, scope);
  return (ns) => {
    const copies = revive(inOrder, scope);
    // Worlds make their instances through the handles (world/build.ts), so the
    // registry sees them all: no heap query per update in a property run.
    for (const cls of inOrder)
      ns.registerClass(copies.get(cls) as Constructor, { constructedOnlyThroughHandle: true });
  };
}
