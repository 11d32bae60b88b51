/**
 * The prototype of an update's shadow copies: where a migrator's target, an
 * initialiser's `this` and a validation's object find their methods. Before
 * an eager commit the class's stable prototype still holds the running
 * version's members, so a copy on it saw the old methods, or none the new
 * version adds (`this.inc = this.incWithoutExemplar` in prom-client 15's
 * constructor gave every migrated Counter `inc: undefined`), while a lazy
 * update's copies, made after the commit, saw the new ones. Copies sit on a
 * preview instead: one object per class and update holding the new
 * version's members, in front of the stable prototype (so `instanceof` the
 * handle still holds). Made only where the class or an ancestor changes.
 */
import { stablePrototype, stateOf } from "../mop/classHandle.js";
import { homeOf, objectConstructor } from "../mop/classVersions.js";
import { createdDefinition } from "../mop/createClass.js";
import { createShadowCopy } from "../mop/instances/shadowCopies.js";
import type { Shadow } from "../namespace/shadow.js";

/** `chain`: the class's name and its ancestors' in the shadow, the class first. */
export function copyPrototype(chain: readonly string[], shadow: Shadow): object {
  const changed = shadow.changedClasses();
  const handles = chain.map((name) => shadow.classNamed(name));
  const stable = stablePrototype(handles[0]!);
  const versions = handles.map((handle) => changed.get(handle)?.version ?? null);
  if (versions.every((v) => v === null)) return stable;
  // Marked as a shadow copy: on the stable prototype, it is no instance.
  const preview = createShadowCopy(stable);
  const defined = new Set<PropertyKey>(["constructor"]);
  // `this.constructor` as the commit will make it (classVersions.ts
  // installVersion): a class the user wrote is its own constructor, so that
  // `this.constructor.currency()` reads the new version's statics.
  const own = versions[0];
  if (
    own &&
    createdDefinition(own.ctor) === undefined &&
    stateOf(handles[0]!).implementationConstructor
  ) {
    Object.defineProperty(preview, "constructor", {
      value: objectConstructor(own.ctor, handles[0]!),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  handles.forEach((handle, i) => {
    const version = versions[i];
    const below = i + 1 < handles.length ? stablePrototype(handles[i + 1]!) : Object.prototype;
    // A changed class: its new version's own members. Another: what its
    // stable prototype holds, up to its superclass's (a link to the class
    // it was given as an implementation included), which hides the same
    // names further down as it does on instances.
    const sources = version ? [homeOf(version.ctor)] : ownChain(stablePrototype(handle), below);
    for (const source of sources) {
      for (const key of Reflect.ownKeys(source)) {
        if (defined.has(key)) continue;
        defined.add(key);
        Object.defineProperty(preview, key, Reflect.getOwnPropertyDescriptor(source, key)!);
      }
    }
  });
  return preview;
}

function ownChain(from: object, below: object): object[] {
  const out: object[] = [];
  for (let p: object | null = from; p !== null && p !== below && p !== Object.prototype; ) {
    out.push(p);
    p = Object.getPrototypeOf(p) as object | null;
  }
  return out;
}
