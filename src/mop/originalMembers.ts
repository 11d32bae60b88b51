/**
 * The members a class handed to `registerClass` had on its own prototype,
 * which becomes the handle's stable prototype: every later version's
 * methods are installed over them, so the class read back later (a release
 * re-applied to go back to it: graphql 16.9 → 16.0) would bring the running
 * version's methods, not its own. Kept apart, on an object of their own.
 * (A module of its own: registration loads it, and the page of a Vite app
 * loads registration without the update engine.)
 */
import {
  type MembersBeforeRegistration,
  membersBeforeRegistration,
} from "./membersBeforeRegistration.js";

const originalMembers = new WeakMap<Function, object>();
const releaseMembers = new WeakMap<Function, object>();
const programMembers = new WeakMap<Function, MembersBeforeRegistration>();

/**
 * Stands, among the release's members, for the release's function under a
 * key the program had replaced before registration: the release's own is
 * held only by the program's wrapper. Another function than the one on the
 * prototype, so the first update names the wrapper it replaces, as it does
 * one made after registration (prototypeMembers.ts programMembersLost).
 */
function releaseFunctionUnknown(): never {
  throw new Error(
    "metamorph: the release's own member, replaced by the program before registration",
  );
}

/**
 * Remembers `ctor`'s own prototype members as they are now (its
 * registration), and which of them the release's and which the program
 * put there first (membersBeforeRegistration.ts).
 */
export function rememberOriginalMembers(ctor: Function, skip: ReadonlySet<PropertyKey>): void {
  const prototype = ctor.prototype as object;
  const copy = Object.create(null) as object;
  for (const key of Reflect.ownKeys(prototype))
    if (!skip.has(key))
      Object.defineProperty(copy, key, Reflect.getOwnPropertyDescriptor(prototype, key)!);
  originalMembers.set(ctor, copy);
  const program = membersBeforeRegistration(ctor, skip);
  if (program === undefined || program.added.length + program.replaced.length === 0) return;
  programMembers.set(ctor, program);
  const release = Object.create(null) as object;
  Object.defineProperties(release, Object.getOwnPropertyDescriptors(copy));
  for (const key of program.added) Reflect.deleteProperty(release, key);
  for (const key of program.replaced) {
    const d = Reflect.getOwnPropertyDescriptor(copy, key)!;
    const { configurable, enumerable, writable } = d;
    const stand = releaseFunctionUnknown;
    const part = "value" in d ? { writable, value: stand } : { get: stand };
    Object.defineProperty(release, key, { configurable, enumerable, ...part });
  }
  releaseMembers.set(ctor, release);
}

/** The members `ctor`'s prototype had when it was registered, if it was. */
export function originalMembersOf(ctor: Function): object | undefined {
  return originalMembers.get(ctor);
}

/**
 * Of those, the release's own, as the first update over them replaces
 * them: without the members the program added before registration (they
 * stay, as one added after it), and with a stand-in for each it had
 * replaced (the update names the wrapper it replaces).
 */
export function releaseMembersOf(ctor: Function): object | undefined {
  return releaseMembers.get(ctor) ?? originalMembers.get(ctor);
}

/** The members the program had put on `ctor`'s prototype when it was registered, where there were. */
export function programMembersOf(ctor: Function): MembersBeforeRegistration | undefined {
  return programMembers.get(ctor);
}
