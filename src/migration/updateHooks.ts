/**
 * Running a patch's afterCommit and afterRollback hooks (item 24 of issue
 * 12): program code for after the commit (re-arm timers, rebuild closures)
 * and for undoing that after a rollback. They are code carried by the patch,
 * so a patch from JSON runs them only once trusted and hydrated, like its
 * migrators (src/patch/trust.ts); they must be synchronous (building refuses
 * async ones) because they run inside the update's pause.
 *
 * afterCommit hooks run in declaration order, right after the commit
 * installed the new version (eager: every object migrated; lazy and
 * progressive: the guards in place — objects still migrate at first touch,
 * and one that cannot be migrated then fails the hook). The first that
 * throws stops the others and the update is rolled back. afterRollback hooks
 * run in reverse order once the old version is back — after a requested
 * rollback, a failed health check, a failed lazy migration or a failed
 * afterCommit hook; what they throw is reported, never allowed to stop the
 * rollback (the objects and the old version are already restored).
 */
import { RollbackError } from "../errors.js";
import { isBrandKey } from "./lazyBrand.js";
import type { Namespace } from "../namespace/namespace.js";
import type { UpdateHookContext } from "../patch/operations.js";
import type { NamedHook } from "./building/drafts.js";
import { applyState, undeletableInRewrite } from "../mop/rewriting/applyState.js";
import { captureState, type ObjectState } from "../mop/rewriting/stateTable.js";
import { sameDescriptor, sameState } from "./ownState.js";

/** A hook that threw, and what it threw. */
export interface HookError {
  readonly hook: string;
  readonly when: "afterCommit" | "afterRollback";
  readonly error: unknown;
}

/**
 * The own state of the objects an afterCommit hook was handed that the
 * update does not own (an instance of a class it does not migrate, of a
 * removed subclass, …), recorded when they are handed out: if the hook fails,
 * they are put back too, so that whatever a hook reaches through its context
 * is restored with the update.
 */
export class HookWitness {
  private readonly states = new Map<object, { state: ObjectState; extensible: boolean }>();

  /**
   * Records the whole state of `objects` as the hook is handed them: the
   * update's own objects too. What a hook did to one of those (an accessor
   * over a field, a field made read-only, another prototype, a symbol) is
   * undone from this record before the exact revert puts the old layout
   * back: that revert rewrites values and took the shape for the commit's,
   * and threw half done on a hook's getter-only accessor, the namespace
   * left on the new version (review advY2). A guess at the commit's shape
   * instead took fields the program had made read-only before the update
   * for the hook's doing (review advY6).
   */
  see(objects: readonly object[]): void {
    for (const object of objects) {
      if (this.states.has(object)) continue;
      try {
        this.states.set(object, {
          state: captureState(object),
          extensible: Object.isExtensible(object),
        });
      } catch {
        // Unreadable (a Proxy trap that throws): nothing recorded, nothing to restore.
      }
    }
  }

  /**
   * A recorded object the hook changed in a way no rewrite undoes (made it
   * non-extensible, defined a property non-configurable, or reshaped it
   * where putting it back would have to delete a property the program had
   * made non-configurable), if any: looked at before anything is restored,
   * so that the update then stays committed as a whole instead of half
   * restored.
   */
  unrestorable(owned: (object: object) => boolean): object | undefined {
    for (const [object, { state, extensible }] of this.states) {
      if (extensible && !Object.isExtensible(object)) return object;
      const now = captureState(object);
      if (!this.#changed(object, state, now, owned)) continue;
      if (undeletableInRewrite(now, state) !== undefined) return object;
      for (let i = 0; i < now.keys.length; i++) {
        if (now.descriptors[i]!.configurable !== false) continue;
        const k = state.keys.indexOf(now.keys[i]!);
        if (k < 0 || !sameDescriptor(state.descriptors[k]!, now.descriptors[i]!)) return object;
      }
    }
    return undefined;
  }

  /**
   * Puts back, whole (descriptors and prototype included), every recorded
   * object the hook changed — of the update's own objects (`owned`), only
   * those whose shape it changed: their values and layouts are the exact
   * revert's, which keeps them on their hidden classes (a whole state put
   * back in front of a lazy update's brand left them in dictionary mode).
   */
  restore(owned: (object: object) => boolean): void {
    for (const [object, { state }] of this.states) {
      if (this.#changed(object, state, captureState(object), owned)) applyState(object, state);
    }
  }

  #changed(
    object: object,
    state: ObjectState,
    now: ObjectState,
    owned: (object: object) => boolean,
  ): boolean {
    return owned(object) ? reshaped(state, now) : !sameState(now, state);
  }
}

/** The refusal of a rollback that would have to undo what a hook locked on an object it was handed. */
export function lockedByHookError(object: object): RollbackError {
  return new RollbackError(
    "the update cannot be rolled back: an object the hook was handed (ctx.instancesOf) was made non-extensible or given a non-configurable property, or reshaped where putting it back would delete a property that cannot be deleted; nothing was rolled back",
    { object },
  );
}

/**
 * Whether `now` differs from `before` by more than values and the fields a
 * migration adds or removes: another prototype, a symbol added or taken
 * away, a property's attributes changed, an accessor or hidden field.
 */
function reshaped(before: ObjectState, now: ObjectState): boolean {
  if (before.prototype !== now.prototype) return true;
  // A lazy update's brand comes and goes with its touches: no hook's doing.
  const symbols = (s: ObjectState) => s.keys.filter((k) => typeof k === "symbol" && !isBrandKey(k));
  const was = symbols(before);
  const is = symbols(now);
  if (was.length !== is.length || was.some((k, i) => is[i] !== k)) return true;
  return now.keys.some((key, i) => {
    if (isBrandKey(key)) return false;
    const d = now.descriptors[i]!;
    const k = before.keys.indexOf(key);
    if (k >= 0) return !sameAttributes(before.descriptors[k]!, d);
    return !(
      "value" in d &&
      d.writable === true &&
      d.enumerable === true &&
      d.configurable === true
    );
  });
}

function sameAttributes(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return (
    "value" in a === "value" in b &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

/** The live world as hooks see it: bindings and instances of the version running now. */
export function hookContext(
  namespace: Namespace,
  patch: string,
  witness?: HookWitness,
): UpdateHookContext {
  return {
    patch,
    get version() {
      return namespace.version;
    },
    lookup: (name) => (namespace.has(name) ? namespace.lookup(name) : undefined),
    instancesOf: (className) => {
      const found = namespace.allInstances(namespace.classNamed(className), {
        includeSubclasses: true,
      });
      witness?.see(found);
      return found;
    },
  };
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") &&
  value !== null &&
  typeof (value as { then?: unknown }).then === "function";

function runOne(entry: NamedHook, context: UpdateHookContext): void {
  const returned: unknown = entry.hook(context);
  if (isThenable(returned)) {
    // Observed, so that its rejection is not unhandled; its work would land after the pause.
    Promise.resolve(returned).catch(() => {});
    throw new Error(
      `it returned a promise; hooks run synchronously inside the update's pause (work after an await would run on whatever the program is then)`,
    );
  }
}

/** Runs the afterCommit hooks in order; returns the first failure (the rest are not run). */
export function runAfterCommit(
  hooks: readonly NamedHook[],
  context: UpdateHookContext,
  /** A failure the hook may have caught and swallowed (a lazy migration it started). */
  failedMeanwhile: () => unknown = () => undefined,
):
  | {
      readonly hook: string;
      readonly index: number;
      readonly error: unknown;
      readonly caught?: true;
    }
  | undefined {
  for (let index = 0; index < hooks.length; index++) {
    try {
      runOne(hooks[index]!, context);
    } catch (error) {
      return { hook: hooks[index]!.name, index, error };
    }
    const swallowed = failedMeanwhile();
    if (swallowed !== undefined)
      return { hook: hooks[index]!.name, index, error: swallowed, caught: true };
  }
  return undefined;
}

/** Runs every afterRollback hook, last declared first; returns what they threw. */
export function runAfterRollback(
  hooks: readonly NamedHook[],
  context: UpdateHookContext,
): HookError[] {
  const errors: HookError[] = [];
  for (let i = hooks.length - 1; i >= 0; i--) {
    try {
      runOne(hooks[i]!, context);
    } catch (error) {
      errors.push({ hook: hooks[i]!.name, when: "afterRollback", error });
    }
  }
  return errors;
}
