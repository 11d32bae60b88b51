/**
 * Whether two patches can be composed. `a.andThen(b)` means "apply a, then b" as
 * one update, so `b` was written against the world `a` leaves behind. The
 * composition is refused when a step of `b` cannot mean what its author
 * meant once it follows `a`: it names a class or field that `a` removed,
 * renamed or moved away; it creates a name `a` already created; it disagrees
 * with `a` on the policy or reuses a validation name; or it derives values
 * from an old state that, in one combined update, is no longer the state `b`
 * was written against.
 *
 * The check is symbolic: it knows only what the two patches say, not the
 * namespace, so it never refuses a composition for a fact it would have to
 * guess. Whatever it cannot see (e.g. fields inherited from a superclass) is
 * left to the engine, which checks the composed patch against the live world.
 */
import type { CompositionConflict, PatchLike } from "./conflict.js";
import { stepOf } from "./conflict.js";
import { CONFLICT_CHECKS } from "./rules.js";
import { SymbolicWorld } from "./symbolicWorld.js";

/** The first step of `second` that conflicts with a step of `first`, if any. */
export function findConflict(first: PatchLike, second: PatchLike): CompositionConflict | undefined {
  const world = new SymbolicWorld();
  for (const [index, op] of first.operations.entries()) world.apply(op, { origin: "first", index });
  for (const [index, op] of second.operations.entries()) {
    const step = stepOf(first, second, index, world);
    for (const check of CONFLICT_CHECKS) {
      const conflict = check(step);
      if (conflict) return conflict;
    }
    world.apply(op, { origin: "second", index });
  }
  return undefined;
}
