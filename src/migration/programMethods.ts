/**
 * Methods of a class's prototype that the program replaced since the
 * running release put them there, which the update replaced by the new
 * release's. After registering ml-matrix, a program wrapped
 * `Matrix.prototype.get` (instrumentation), then updated 6.8 -> 6.10: the
 * methods a plugin added survived, the wrapper was silently replaced (0
 * calls counted after the update), and a rollback brought it back.
 *
 * The wrapper cannot be kept as it is: it calls the running release's
 * method it captured, which would run the old code under the new
 * release's objects. So the new release's method goes in, and the update
 * names what the program loses (prototypeMembers.ts records it as the
 * members are installed).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition, versionStates } from "../mop/classHandle.js";
import { homeOf } from "../mop/classVersions.js";
import { originalMembersOf } from "../mop/originalMembers.js";
import { memberPath, programMembersReplaced } from "../mop/prototypeMembers.js";

/** One method the program had replaced, which the update replaced in turn. */
export interface ReplacedProgramMethod {
  /** The property key, as the note names it (`get`, `[Symbol(kRun)]`). */
  readonly member: string;
  readonly note: string;
  readonly advice: string;
}

/**
 * What the commit that installed class `className`'s new version over the
 * running one (`old`) replaced of the program's own methods: asked right
 * after the commit, while that version is the current one.
 */
export function programMethodsReplaced(
  className: string,
  old: ClassDefinition | undefined,
): ReplacedProgramMethod[] {
  const running = old === undefined ? undefined : constructorOfDefinition(old);
  const state = running === undefined ? undefined : versionStates.get(running);
  if (state === undefined) return [];
  // The version's home, or (the class first registered, installed again) the members it was registered with.
  const installed = [homeOf(state.current), originalMembersOf(state.current)];
  const keys = installed.flatMap((from) =>
    from === undefined ? [] : programMembersReplaced(state.prototype, from),
  );
  const owner = `${className}.prototype`;
  return keys.map((key) => {
    const path = memberPath(owner, key);
    const then = Object.hasOwn(state.prototype, key)
      ? "the new release's member replaced the program's"
      : "the new release has none, and the update removed it";
    return {
      member: path.slice(owner.length).replace(/^\./, ""),
      note: `\`${path}\` is not the running release's: the program replaced it since (a wrapper, instrumentation), and ${then}`,
      advice: `the program's replacement called the running release's member it captured, so it cannot be kept: apply it again over the new release's (in an afterCommit hook of the patch, or where the program made it), or restart; a rollback puts it back`,
    };
  });
}
