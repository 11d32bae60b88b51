/**
 * Objects a class's running implementation built outside its handle: a
 * package's next release, installed with `replaceImplementation`, builds
 * with `new` inside its own modules (yup's `string()`, ajv's names), so its
 * objects sit on that release's prototype, not on the handle's stable one.
 * Every update that gives such a class a new version takes them in: they
 * move onto the stable prototype in the commit (with the old layout, like
 * every other instance, so an eager migration rewrites them and lazy guards
 * catch them), and go back where they were if the update is undone or
 * rolled back. A rollback also takes in what the rolled-back release built
 * while it ran: those get the old layout and the stable prototype, the old
 * version's methods.
 *
 * Only the heap finder sees such objects (the registry records
 * constructions through handles); with the registry they stay where they
 * are, as before.
 */
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import { findEachOf } from "../mop/instances/findEach.js";
import { outsideHome } from "../mop/classVersions.js";
import { isSameScope } from "../mop/sameScope.js";
import type { InstanceFinder } from "../mop/instances/finder.js";
import { moveToPrototype } from "../mop/rewriting/applyState.js";
import { fromAnotherScope } from "./build.js";
import type { Built } from "./phases/build.js";

/** The homes to search, by the stable prototype of the class that has each. */
export type OutsideHomes = ReadonlyMap<object, object>;

/** The outside homes of `handles` as they are now. */
export function outsideHomes(handles: readonly Function[]): OutsideHomes {
  const homes = new Map<object, object>();
  for (const handle of handles) {
    const home = outsideHome(handle);
    if (home !== null && !isSameScope(currentVersion(handle).ctor))
      homes.set(stablePrototype(handle), home);
  }
  return homes;
}

/** Objects found on outside homes, each with where it was found and the stable prototype it joins. */
export class OutsideBuilt {
  private readonly objects: object[] = [];
  private readonly from: object[] = [];
  private readonly to: object[] = [];
  private moved = 0;

  get length(): number {
    return this.objects.length;
  }

  add(objects: readonly object[], home: object, stable: object): void {
    for (const object of objects) {
      // One that cannot change its prototype stays on the release that built it.
      if (!Object.isExtensible(object)) continue;
      this.objects.push(object);
      this.from.push(home);
      this.to.push(stable);
    }
  }

  /** Each object with the stable prototype it joins. */
  *entries(): Generator<{ readonly object: object; readonly stable: object }> {
    for (let i = 0; i < this.objects.length; i++)
      yield { object: this.objects[i]!, stable: this.to[i]! };
  }

  /** Moves every object onto its stable prototype (the commit); `undo` moves back those it moved. */
  moveIn(finder: InstanceFinder): void {
    for (; this.moved < this.objects.length; this.moved++) {
      const object = this.objects[this.moved]!;
      if (!moveToPrototype(object, this.to[this.moved]!)) continue;
      finder.record(object);
    }
  }

  /** Puts back, last first, every object moved in that is still on its stable prototype. */
  undo(finder: InstanceFinder): void {
    for (let i = this.moved - 1; i >= 0; i--) {
      const object = this.objects[i]!;
      if (Object.getPrototypeOf(object) !== this.to[i]) continue;
      if (moveToPrototype(object, this.from[i]!)) finder.record(object);
    }
    this.moved = 0;
  }

  /** Forgets the objects (the update is permanent or undone). */
  clear(): void {
    this.objects.length = 0;
    this.from.length = 0;
    this.to.length = 0;
    this.moved = 0;
  }
}

/** The objects on each of `homes` now (exact prototype), found in as few heap queries as the finder allows. */
export function findOnHomes(
  finder: InstanceFinder,
  homes: OutsideHomes,
  find: (prototype: object) => object[] = findEachOf(finder, [...homes.values()]),
  /** Which objects to take; the others are left where they are. */
  taken?: (object: object) => boolean,
): OutsideBuilt {
  const built = new OutsideBuilt();
  for (const [stable, home] of homes) {
    const objects = find(home);
    built.add(taken ? objects.filter(taken) : objects, home, stable);
  }
  return built;
}

/**
 * The prototypes of the implementations `built` installs from another scope
 * (a package's next release): objects that release built before the update
 * are on them already.
 */
export function installedHomes({ build, oldDefs }: Built): object[] {
  const homes: object[] = [];
  for (const cls of build.classes.values()) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const change = fromAnotherScope(cls, old);
    if (change?.running !== undefined) homes.push(change.implementation.prototype as object);
  }
  return homes;
}
