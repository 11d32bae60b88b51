/**
 * The handle's objects are instances of the class handed in as its new
 * implementation (`replaceImplementation`): the stable prototype is linked
 * onto that class's prototype.
 *
 * Why: the handle's objects stay on its stable prototype, which is not on the
 * chain of the new implementation's prototype. Code that came with the
 * implementation tests its objects against its own class — a package's next
 * release does (semver's functions wrap any argument that is not
 * `instanceof SemVer` of their own release, and throw on an object) — and
 * would reject every object the update migrated, which now runs that very
 * class's methods.
 *
 * The link adds one level to every object's chain, between the stable
 * prototype (which holds the running version's members itself, so nothing
 * on the new level is reached that the stable prototype lacks but the
 * running version's own members) and the superclass's prototype, where the
 * implementation's prototype sits already. A root class handed in is not
 * touched (issue 12 item 19); a subclass's prototype, written against its
 * release's base class, is moved onto the base handle's stable prototype, as
 * the prototypes of installed versions follow their superclass. The objects
 * keep their hidden classes (their [[Prototype]] is still the stable one).
 * Made only where the implementation's prototype extends what the stable
 * prototype does (or what the base's stable prototype is linked onto), so
 * that nothing else moves, and where it holds no member the stable prototype
 * lacks (classVersions.ts linkVersion: after a `removeMethod` on such a
 * class the objects are no longer instances of it, rather than keep the
 * removed method).
 */
import type { HandleState } from "./handleState.js";

/** Restores exactly what the change did (classHandle.ts has the same type; importing it would close a cycle). */
type Undo = () => void;

/**
 * The own keys each written class's prototype had when it first became a
 * version (registered, or installed): its members as written. What the
 * program adds to that prototype later (a plugin's method) is not one of
 * them, and does not keep a link from being made.
 */
const writtenKeys = new WeakMap<object, readonly PropertyKey[]>();

/** Remembers `home`'s own keys as written, the first time it is seen. */
export function noteWrittenHome(home: object): void {
  if (!writtenKeys.has(home)) writtenKeys.set(home, Reflect.ownKeys(home));
}

/**
 * Whether the stable prototype holds every member `home` was written with
 * (but `constructor`): a link onto it then exposes nothing the running
 * version removed (a `removeMethod` on a class the program wrote would
 * otherwise find the method again, one level up).
 */
export function holdsWritten(stable: object, home: object): boolean {
  noteWrittenHome(home);
  return writtenKeys.get(home)!.every((key) => key === "constructor" || Object.hasOwn(stable, key));
}

/** What the stable prototype extends when it is not linked onto an implementation. */
function naturalParent(state: HandleState): object | null {
  const parent = Object.getPrototypeOf(state.prototype) as object | null;
  return parent !== null && state.homes.has(parent) ? Object.getPrototypeOf(parent) : parent;
}

/**
 * Links the stable prototype onto `home` (the running version's own
 * prototype) when it is a class the user wrote whose prototype extends what
 * the stable prototype does, and back onto its natural parent otherwise (a
 * version metamorph generated, whose home holds nothing of its own). Returns
 * the undo.
 */
export function linkStableToImplementation(
  state: HandleState,
  home: object,
  userMade: boolean,
): Undo {
  const stable = state.prototype;
  const before = Object.getPrototypeOf(stable) as object | null;
  const natural = naturalParent(state);
  const homeParent = Object.getPrototypeOf(home) as object | null;
  const linkable = userMade && home !== stable;
  // A subclass of a package's next release extends the release's own base
  // class, whose prototype the base handle's stable prototype is linked onto
  // (by this function, at the base's install): the subclass's prototype moves
  // onto that stable prototype, as homes follow their superclass, so that the
  // chain still passes through the base handle's.
  const underLinkedBase =
    linkable && natural !== null && homeParent !== null && homeParent !== natural
      ? homeParent === Object.getPrototypeOf(natural)
      : false;
  const wanted = linkable && (homeParent === natural || underLinkedBase) ? home : natural;
  if (wanted === before) return () => {};
  if (underLinkedBase) Object.setPrototypeOf(home, natural);
  Object.setPrototypeOf(stable, wanted);
  return () => {
    if (Object.getPrototypeOf(stable) === wanted) Object.setPrototypeOf(stable, before);
    if (underLinkedBase && Object.getPrototypeOf(home) === natural)
      Object.setPrototypeOf(home, homeParent);
  };
}
