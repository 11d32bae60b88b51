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
 *
 * The same for a plugin installed before registration (dayjs `extend`,
 * chai `use`), told from the class's own members by its source text
 * (mop/membersBeforeRegistration.ts); the methods it added stay, and the
 * first update names those the new release has none of, which a release
 * of the package could have removed.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition, PROTOTYPE_SKIP, versionStates } from "../mop/classHandle.js";
import { homeOf } from "../mop/classVersions.js";
import type { Constructor } from "../mop/createClass.js";
import type { HandleState } from "../mop/handleState.js";
import { membersBeforeRegistration } from "../mop/membersBeforeRegistration.js";
import { originalMembersOf, programMembersOf } from "../mop/originalMembers.js";
import { memberPath, programMembersReplaced } from "../mop/prototypeMembers.js";

/** One method the program had replaced, which the update replaced in turn. */
export interface ReplacedProgramMethod {
  /** The property key, as the note names it (`get`, `[Symbol(kRun)]`). */
  readonly member: string;
  readonly note: string;
  readonly advice: string;
}

function stateOfRunning(old: ClassDefinition | undefined): HandleState | undefined {
  const running = old === undefined ? undefined : constructorOfDefinition(old);
  return running === undefined ? undefined : versionStates.get(running);
}

function memberName(owner: string, key: PropertyKey): string {
  return memberPath(owner, key).slice(owner.length).replace(/^\./, "");
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
  const state = stateOfRunning(old);
  if (state === undefined) return [];
  // The version's home, or (the class first registered, installed again) the members it was registered with.
  const installed = [homeOf(state.current), originalMembersOf(state.current)];
  const keys = installed
    .flatMap((from) => (from === undefined ? [] : programMembersReplaced(state.prototype, from)))
    .filter((key) => !wrappedInBoth(old!, state.current, key));
  const owner = `${className}.prototype`;
  return keys.map((key) => {
    const path = memberPath(owner, key);
    const then = Object.hasOwn(state.prototype, key)
      ? "the new release's member replaced the program's"
      : "the new release has none, and the update removed it";
    return {
      member: memberName(owner, key),
      note: `\`${path}\` is not the running release's: the program replaced it since (a wrapper, instrumentation), and ${then}`,
      advice: `the program's replacement called the running release's member it captured, so it cannot be kept: apply it again over the new release's (in an afterCommit hook of the patch, or where the program made it), or restart; a rollback puts it back`,
    };
  });
}

/**
 * Whether the registered class had `key` replaced when it was registered
 * and the new release, as its module left it, has its own replaced too:
 * the package's code outside the class body wraps it (TypeScript's
 * `__decorate`, `X.prototype.m = wrap(X.prototype.m)`), or the program
 * applied its plugin to the new release already. Nothing of the
 * program's is lost.
 */
function wrappedInBoth(old: ClassDefinition, current: Constructor, key: PropertyKey): boolean {
  const registered = constructorOfDefinition(old);
  if (registered === undefined || !programMembersOf(registered)?.replaced.includes(key))
    return false;
  if (homeOf(current) !== current.prototype) return false;
  return membersBeforeRegistration(current, PROTOTYPE_SKIP)?.replaced.includes(key) === true;
}

/**
 * The methods that were on the running class's prototype when it was
 * registered, which its body does not declare, and which the new release
 * has none of: the update kept them (the program's, as one added after
 * registration), though a release's own outside its class body would look
 * the same.
 */
export function programMethodsKept(
  className: string,
  old: ClassDefinition | undefined,
): ReplacedProgramMethod[] {
  const running = old === undefined ? undefined : constructorOfDefinition(old);
  const state = stateOfRunning(old);
  const added = running === undefined ? undefined : programMembersOf(running)?.added;
  if (state === undefined || added === undefined || state.current === running) return [];
  const home = homeOf(state.current);
  const owner = `${className}.prototype`;
  return added
    .filter((key) => !Object.hasOwn(home, key) && Object.hasOwn(state.prototype, key))
    .map((key) => ({
      member: memberName(owner, key),
      note: `\`${memberPath(owner, key)}\` was on the prototype when the class was registered but is not in its class body (a plugin's, or the package's own code outside the class): taken for the program's, it stays, and the new release has none`,
      advice: `if the package defined it and the new release removed it, delete it in an afterCommit hook of the patch; a plugin's method needs nothing`,
    }));
}
