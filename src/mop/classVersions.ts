/**
 * Versions of a class handle: installing a new version (its constructor and
 * methods on the stable prototype), forgetting old ones once an update is
 * permanent, and moving the handle under another superclass. Each change
 * returns its undo.
 */
import { toFastProperties } from "./fastProperties.js";
import type { ClassVersion, Undo } from "./classHandle.js";
import { SKIPPED_STATICS } from "./staticForwarders.js";
import { forwardUpdatedStatics } from "./staticUpdates.js";
import { carryDefinedFields, settleProgramStatics } from "./staticWrites.js";
import { type HandleState, withInitialise } from "./handleState.js";
import {
  constructionOf,
  defineConstructor,
  initialiserOf,
  followSuperclass,
  followSuperclassInChildren,
  isClassHandle,
  PROTOTYPE_SKIP,
  prototypeStates,
  recordVersion,
  stateOf,
  versionStates,
} from "./classHandle.js";
import type { Constructor } from "./createClass.js";
import { bindClassName, createdDefinition, METHOD_HOME } from "./createClass.js";
import { derivedFrom } from "./derivedFrom.js";
import {
  holdsWritten,
  linkStableToImplementation,
  noteWrittenHome,
} from "./implementationInstances.js";
import { initialiserHolder } from "./initialiserReuse.js";
import { originalMembersOf, releaseMembersOf } from "./originalMembers.js";
import { isSameScope } from "./sameScope.js";
import { madeFor } from "./stableClass.js";
import { followWrittenStatics } from "./writtenStatics.js";
import { restoreDescriptors, snapshotDescriptors, transplantMethods } from "./prototypeMembers.js";

/**
 * The class the user wrote that `ctor` is, or that it was derived from: its
 * prototype is where the stable prototype may be linked
 * (implementationInstances.ts). Null for a version metamorph generated. Not
 * a derived version's own home: it holds the very methods the stable
 * prototype gets, so their `super` calls would find them again (an
 * `emit` calling `super.emit` recursed forever).
 */
function writtenClass(ctor: Constructor): Constructor | null {
  const from = derivedFrom(ctor);
  if (from !== undefined) return writtenClass(from);
  return createdDefinition(ctor) === undefined ? ctor : null;
}

/**
 * What `obj.constructor` answers for a class registered without
 * `constructedOnlyThroughHandle` once `ctor` runs: the class the program
 * wrote that runs (the one registered, or a release's class handed in as a
 * new implementation), never a version metamorph derived from it for a
 * patch. Those are functions no code holds: `obj.constructor` became one
 * after any patch, and what the program and its libraries key by the class
 * (class-transformer's `@Exclude()` metadata, superjson's registered
 * classes) stopped applying — `instanceToPlain(user)` leaked `password`.
 * The handle for a version generated from a definition (no class written).
 */
export function objectConstructor(ctor: Constructor, handle: Function): Function {
  return writtenClass(ctor) ?? handle;
}

/** Where a version's methods live: its prototype, or for a version metamorph derived, the object it keeps them on. */
export function homeOf(ctor: Constructor): object {
  // Its own only, as `derivedFrom`: a class extending a handle inherits it.
  const own = Object.hasOwn(ctor, METHOD_HOME)
    ? (ctor as unknown as Record<symbol, unknown>)[METHOD_HOME]
    : undefined;
  return (own ?? ctor.prototype) as object;
}

/**
 * The prototype objects the handle's running version builds can sit on
 * outside the handle, or null: a class the user handed in as a new
 * implementation (a package's next release) builds its own objects with
 * `new` inside its module — the handle never sees them, and they sit on
 * that class's prototype, not the stable one. Null for the class first
 * registered (its prototype is the stable one) and for versions metamorph
 * made (only the handle builds them).
 */
export function outsideHome(handle: Function): object | null {
  const state = stateOf(handle);
  return homeOutside(state, state.current);
}

function homeOutside(state: HandleState, ctor: Constructor): object | null {
  // A first version the handle made a stable class for builds only through the handle.
  if (madeFor(state.stableClass) === ctor) return null;
  // A version derived from a running one (an addField or a methods patch on
  // a registered class) builds on the stable prototype; the code outside
  // builds with the class it derives from. Its own home holds members only:
  // taken for a release's, every later update of the class searched it,
  // with the heap finder a query of the whole heap in the pause (130–190 ms
  // at 10^5 objects, for a methods patch that migrates none).
  const from = derivedFrom(ctor);
  if (from !== undefined) return homeOutside(state, from);
  const home = homeOf(ctor);
  return home !== state.prototype && createdDefinition(ctor) === undefined ? home : null;
}

/**
 * The old version's static data values, onto a constructor metamorph made
 * that defines them too: a class the user handed in (a new implementation)
 * keeps its own, untouched.
 */
function carryStaticValues(from: Function, to: Function, fields: ReadonlySet<PropertyKey>): void {
  for (const key of Reflect.ownKeys(to)) {
    if (SKIPPED_STATICS.has(key)) continue;
    const oldD = Reflect.getOwnPropertyDescriptor(from, key);
    const newD = Reflect.getOwnPropertyDescriptor(to, key);
    if (
      oldD &&
      "value" in oldD &&
      // A function is a static method (the version's own), unless the
      // definition lists it as a field (a class held there: tar's `Pack.Sync`).
      (typeof oldD.value !== "function" || fields.has(key)) &&
      newD &&
      "value" in newD &&
      newD.writable
    ) {
      (to as unknown as Record<PropertyKey, unknown>)[key] = oldD.value;
    }
  }
}

/**
 * The handle's static forwarders as they are, and how to put them back:
 * the forwarders themselves, not forwarders made again — a rollback gives
 * back the very accessor functions the handle had (prom-client's
 * `Registry.merge` came back as another function).
 */
function saveForwarders(state: HandleState): Undo {
  const { handle } = state;
  // What the program wrote over them since is the running version's first,
  // where the update finds it (staticWrites.ts).
  settleProgramStatics(state);
  const statics = new Map(state.statics);
  const saved = [...statics.keys()].map((key) => Reflect.getOwnPropertyDescriptor(handle, key));
  const length = Reflect.getOwnPropertyDescriptor(handle, "length")!;
  return () => {
    if (handle.length !== length.value) Object.defineProperty(handle, "length", length);
    carryDefinedFields(state);
    // Made fast again below, with the statics put back.
    for (const key of state.statics.keys()) Reflect.deleteProperty(handle, key);
    [...statics.keys()].forEach((key, i) => {
      const d = saved[i];
      if (d) Object.defineProperty(handle, key, d);
    });
    state.statics = statics;
    toFastProperties(handle);
  };
}

/**
 * Puts the members of `ctor` (its methods' `home`) on the stable prototype:
 * the class first registered, whose own prototype is the stable one,
 * installed again after others, brings back the members it was registered
 * with.
 */
function installMembers(
  state: HandleState,
  ctor: Constructor,
  home: object,
  current: Function,
): void {
  const { prototype, handle } = state;
  const running = homeOf(current as Constructor);
  const previous = running === prototype ? releaseMembersOf(current) : running;
  if (home !== prototype) {
    transplantMethods(home, prototype, PROTOTYPE_SKIP, handle.name, previous);
    state.homes.add(home);
  } else if (ctor !== current) {
    const original = originalMembersOf(ctor);
    if (original !== undefined)
      transplantMethods(original, prototype, PROTOTYPE_SKIP, handle.name, previous);
  }
}

/**
 * Makes `version` the handle's current version: fresh objects are built by
 * its constructor, and its methods and accessors replace the old ones on the
 * stable prototype (DESIGN.md: ~40 µs, whatever the number of instances, no
 * steady-state cost). Static data values of the old version are carried over
 * when the new one defines them too and metamorph generated it (createClass);
 * a class the user wrote keeps its own here (namespace/staticValues.ts
 * carries those a patch names). Returns the undo.
 */
export function installVersion(handle: Function, version: ClassVersion): Undo {
  const state = stateOf(handle);
  const { prototype } = state;
  const before = {
    current: state.current,
    definition: state.definition,
    name: Object.getOwnPropertyDescriptor(handle, "name")!,
    prototype: snapshotDescriptors(prototype, PROTOTYPE_SKIP),
    construction: state.construction,
    initialise: state.initialise,
    constructor: Object.getOwnPropertyDescriptor(prototype, "constructor"),
    forwarders: saveForwarders(state),
  };
  const home = homeOf(version.ctor);
  const hadHome = state.homes.has(home);
  const hadOwner = versionStates.has(version.ctor);
  const linkedBefore = Object.getPrototypeOf(version.ctor) as object | null;
  let pushed = false;
  let undoLink: Undo = () => {};
  let undoWritten: Undo = () => {};
  const undo = (): void => {
    undoLink();
    undoWritten();
    restoreDescriptors(prototype, before.prototype, PROTOTYPE_SKIP);
    if (!hadHome) state.homes.delete(home);
    state.current = before.current;
    state.construction = before.construction;
    withInitialise(state, before.initialise);
    state.definition = before.definition;
    const at = pushed ? state.versions.lastIndexOf(version) : -1;
    if (at >= 0) state.versions.splice(at, 1);
    if (Object.getPrototypeOf(version.ctor) !== linkedBefore)
      Object.setPrototypeOf(version.ctor, linkedBefore);
    followSuperclass(state);
    followSuperclassInChildren(state);
    // After the children let go of it: they recognise it as this class's version.
    if (!hadOwner) versionStates.delete(version.ctor);
    Object.defineProperty(handle, "name", before.name);
    before.forwarders();
    if (before.constructor) Object.defineProperty(prototype, "constructor", before.constructor);
    else Reflect.deleteProperty(prototype, "constructor");
  };
  // Whatever throws part-way (a member the prototype will not take, a
  // constructor that cannot be relinked) leaves everything as it was.
  try {
    if (version.ctor !== before.current && createdDefinition(version.ctor) !== undefined)
      carryStaticValues(
        before.current,
        version.ctor,
        new Set(version.definition.staticFields.map((f) => f.name)),
      );
    if (createdDefinition(version.ctor) === undefined) noteWrittenHome(home);
    installMembers(state, version.ctor, home, before.current);
    state.current = version.ctor;
    bindClassName(version.ctor, handle);
    state.construction = constructionOf(version.ctor, prototype);
    withInitialise(state, initialiserOf(version.ctor, prototype));
    state.definition = version.definition;
    state.versions.push(version);
    pushed = true;
    recordVersion(version);
    if (!hadOwner) versionStates.set(version.ctor, state);
    followSuperclass(state);
    followSuperclassInChildren(state);
    if (version.definition.name !== handle.name) {
      Object.defineProperty(handle, "name", { ...before.name, value: version.definition.name });
    }
    forwardUpdatedStatics(state, before.current);
    undoWritten = followWrittenStatics(state, version.ctor);
    if (state.implementationConstructor)
      defineConstructor(prototype, objectConstructor(version.ctor, handle));
    // After the superclass links above: the home extends the superclass now.
    undoLink = linkVersion(state, version.ctor, home);
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}

/** Links the stable prototype for the version `ctor` just installed (implementationInstances.ts); returns the undo. */
function linkVersion(state: HandleState, ctor: Constructor, home: object): Undo {
  const writtenBy = writtenClass(ctor);
  if (writtenBy !== null && keepsLink(state, writtenBy)) return () => {};
  const written = writtenBy === null ? null : homeOf(writtenBy);
  const linked = written !== null && holdsWritten(state.prototype, written) ? written : null;
  return linkStableToImplementation(state, linked ?? home, linked !== null);
}

/**
 * Whether the stable prototype stays where it is for a version `written`
 * (the class the user wrote) of a class the handle made a stable class for,
 * written in the running version's
 * module scope (sameScope.ts: no code names it, so nothing tests
 * `instanceof` it), while the stable prototype sits on a written class's
 * prototype it still holds every member of. Moving it would cost every later
 * construction: V8 (11.3) builds objects through a derived new.target ~5×
 * slower, for good, once its prototype's [[Prototype]] changed after the
 * first object (measured: 15 ns against 3; a `metamorph dev` save is such a
 * version).
 */
function keepsLink(state: HandleState, written: Constructor): boolean {
  if (!isSameScope(written) || madeFor(state.stableClass) === undefined) return false;
  const parent = Object.getPrototypeOf(state.prototype) as object | null;
  return parent !== null && state.homes.has(parent) && holdsWritten(state.prototype, parent);
}

/**
 * Forgets every version but the current one and the homes of methods no
 * longer installed: called when an update is made permanent (nothing can
 * undo it), so that a class updated many times does not keep them all.
 */
export function forgetOldVersions(handle: Function, homesToo: boolean): void {
  const state = stateOf(handle);
  state.versions.splice(0, state.versions.length - 1);
  if (!homesToo) return;
  const home = homeOf(state.current);
  for (const h of state.homes) if (h !== home) state.homes.delete(h);
}

/**
 * Points the handle, its current constructor, its stable prototype and the
 * homes of its methods at `superclass` (a handle, or null for a root class).
 * Only class-level objects change; no instance changes map.
 */
export function reparent(handle: Function, superclass: Constructor | null): Undo {
  const state = stateOf(handle);
  // A version that reuses an earlier one's field initialiser reaches the
  // superclass's through that earlier constructor's [[Prototype]]: it follows too.
  const holder = initialiserHolder(state.current);
  const functions: object[] =
    holder === state.current ? [handle, state.current] : [handle, state.current, holder];
  const targets: object[] = [...functions, state.prototype, ...state.homes];
  const before = targets.map((t) => Object.getPrototypeOf(t) as object | null);
  const parentBefore = Object.getPrototypeOf(handle) as Function | null;
  const undo = (): void => {
    targets.forEach((t, i) => {
      if (Object.getPrototypeOf(t) !== before[i]) Object.setPrototypeOf(t, before[i]!);
    });
  };
  let moved = false;
  let undoLink: Undo;
  try {
    relink(state, targets, functions, superclass);
    moveChild(state, parentBefore, superclass);
    moved = true;
    followSuperclass(state);
    // A new implementation that extends its release's own new superclass (a
    // class the release moved under another) could not be linked when it was
    // installed, under the old superclass: now it can.
    undoLink = linkVersion(state, state.current, homeOf(state.current));
  } catch (error) {
    // An object that will not take its new [[Prototype]] (not extensible).
    undo();
    if (moved) moveChild(state, superclass, parentBefore);
    throw error;
  }
  return () => {
    undoLink();
    undo();
    moveChild(state, superclass, parentBefore);
  };
}

/** Sets the [[Prototype]] of each of `targets` for `superclass` (see reparent). */
function relink(
  state: HandleState,
  targets: readonly object[],
  functions: readonly object[],
  superclass: Constructor | null,
): void {
  const parentPrototype = superclass === null ? Object.prototype : (superclass.prototype as object);
  for (const t of targets) {
    const current = Object.getPrototypeOf(t) as object | null;
    // Linked onto the running implementation's prototype (implementationInstances.ts),
    // which follows the superclass itself.
    if (t === state.prototype && current !== null && state.homes.has(current)) continue;
    // A root class may extend something outside the namespace (EventEmitter,
    // a lifecycle base class): only a link to a managed class is cut.
    const managed =
      current !== null &&
      (isClassHandle(current) ||
        prototypeStates.has(current) ||
        versionStates.has(current as Function));
    if (superclass === null && !managed) continue;
    const wanted = functions.includes(t) ? (superclass ?? Function.prototype) : parentPrototype;
    if (current !== wanted) Object.setPrototypeOf(t, wanted);
  }
}

/** Moves `state`'s class from the children of `from` to those of `to` (either may be no handle). */
function moveChild(state: HandleState, from: Function | null, to: Function | null): void {
  if (from !== null && isClassHandle(from)) stateOf(from).children.delete(state.self);
  if (to !== null && isClassHandle(to)) stateOf(to).children.add(state.self);
}
