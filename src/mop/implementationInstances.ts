/**
 * A class handed in as a handle's new implementation (`replaceImplementation`)
 * answers `instanceof` for the handle's objects too.
 *
 * Why: the handle's objects stay on its stable prototype, which is not on the
 * chain of the new implementation's prototype. Code that came with the
 * implementation tests its objects against its own class — a package's next
 * release does (semver's functions wrap any argument that is not
 * `instanceof SemVer` of their own release, and throw on an object) — and
 * would reject every object the update migrated, which now runs that very
 * class's methods. An object's chain cannot list both prototypes, so the
 * class learns it through `Symbol.hasInstance`, the language's hook for this:
 * an own static of the class, the one property metamorph adds to a class
 * handed in. Readers of the class's members (its definition, the handle's
 * static forwarders) skip it, so it is never taken for the class's own.
 */
/** Restores exactly what the change did (classHandle.ts has the same type; importing it would close a cycle). */
type Undo = () => void;

interface Hook {
  readonly answer: (this: unknown, value: unknown) => boolean;
  /** The stable prototypes whose objects the class accepts: one per handle it implements. */
  readonly stables: Set<object>;
}

const hooks = new WeakMap<Function, Hook>();
const answers = new WeakSet<Function>();
const ordinary = Function.prototype[Symbol.hasInstance];

/** Whether `value` is the `Symbol.hasInstance` metamorph gave a class (not the class's own). */
export function isInstanceHook(value: unknown): boolean {
  return typeof value === "function" && answers.has(value);
}

function hookFor(implementation: Function): Hook {
  const stables = new Set<object>();
  const answer = function (this: unknown, value: unknown): boolean {
    // Subclasses inherit the static: they answer as the language does.
    if (
      this === implementation &&
      ((typeof value === "object" && value !== null) || typeof value === "function")
    ) {
      for (const stable of stables)
        if (Object.prototype.isPrototypeOf.call(stable, value)) return true;
    }
    return ordinary.call(this, value);
  };
  answers.add(answer);
  return { answer, stables };
}

/**
 * Makes `implementation instanceof` accept objects with `stable` on their
 * chain, unless the class answers `instanceof` itself. Returns the undo.
 */
export function acceptStableInstances(implementation: Function, stable: object): Undo {
  const own = Reflect.getOwnPropertyDescriptor(implementation, Symbol.hasInstance);
  if (own !== undefined && !isInstanceHook(own.value)) return () => {};
  let hook = hooks.get(implementation);
  if (hook === undefined || own === undefined) {
    hook = hookFor(implementation);
    hooks.set(implementation, hook);
    Object.defineProperty(implementation, Symbol.hasInstance, {
      configurable: true,
      value: hook.answer,
    });
  }
  if (hook.stables.has(stable)) return () => {};
  hook.stables.add(stable);
  const added = hook;
  return () => {
    added.stables.delete(stable);
    if (added.stables.size > 0) return;
    if (
      Reflect.getOwnPropertyDescriptor(implementation, Symbol.hasInstance)?.value === added.answer
    )
      delete (implementation as unknown as Record<symbol, unknown>)[Symbol.hasInstance];
    if (hooks.get(implementation) === added) hooks.delete(implementation);
  };
}
