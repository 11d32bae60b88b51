/**
 * Objects of a class the namespace does not manage that extends a class
 * whose instances this update migrates: the program's `class Special
 * extends Handle`, a package's `Vector extends Base`. They would run the
 * new version's methods (inherited) over the old version's fields, which no
 * migration rewrites: the update is refused before anything changes,
 * naming the subclass, whose registration (`registerClass`) lets its
 * objects migrate with the rest. A lazy update also refuses one met at
 * first touch (lazyCompletion.ts), rolling back.
 *
 * Seen before a lazy commit too: the registry records the objects such a
 * subclass builds through the handle (registryFinder.ts `subclassEntry`);
 * with the heap finder, the handle records the subclass itself
 * (mop/foreignTargets.ts), whose objects one query then finds, and a
 * package's subclass of the class it was given (`Vector extends Base`, not
 * the handle) is met in the pause's query where it makes one anyway
 * (`alongTheQuery`). Only where it makes none is such an object found at
 * first touch (docs/production.md).
 */
import { UnmanagedClassError } from "../errors.js";
import {
  currentVersion,
  handleOfPrototype,
  stablePrototype,
  versionHistory,
} from "../mop/classHandle.js";
import { outsideHome } from "../mop/classVersions.js";
import { liveTargets } from "../mop/foreignTargets.js";
import { findEachOf } from "../mop/instances/findEach.js";
import { chainContains, getPrototypeOf, isMixin } from "../mop/instances/finder.js";
import type { Namespace } from "../namespace/namespace.js";

/** The prototypes objects of managed classes sit on: stable ones, each version's, outside homes. */
export function managedHomes(namespace: Namespace): Set<object> {
  const homes = new Set<object>();
  for (const handle of namespace.classes()) {
    homes.add(stablePrototype(handle));
    homes.add(currentVersion(handle).ctor.prototype as object);
    for (const version of versionHistory(handle)) homes.add(version.ctor.prototype as object);
    const outside = outsideHome(handle);
    if (outside !== null) homes.add(outside);
  }
  return homes;
}

/**
 * Whether `home` is the prototype of a class `namespace` does not manage.
 * Not an object made with `Object.create(instance)` (winston's and pino's
 * child loggers inherit their parent's fields, which its migration
 * rewrites in place).
 */
export function isUnmanagedHome(home: object, managed: ReadonlySet<object>): boolean {
  if (managed.has(home) || handleOfPrototype(home) !== undefined) return false;
  if (isMixin(home)) return true;
  const ctor = Object.getOwnPropertyDescriptor(home, "constructor")?.value as unknown;
  return typeof ctor === "function" && (ctor as { prototype?: unknown }).prototype === home;
}

/** The refusal of `object`, an instance of the unmanaged subclass `home` of `className`. */
export function unmanagedSubclassError(
  className: string,
  home: object,
  count: number,
  /** Where the update meets them. */
  state: "alive" | "pending" | "reached",
): UnmanagedClassError {
  if (isMixin(home)) return mixinError(className, count, state);
  const subclass =
    (home as { constructor?: { name?: string } }).constructor?.name || "(anonymous class)";
  const objects =
    count === 1 ? `1 object of class ${subclass}` : `${count} objects of class ${subclass}`;
  return new UnmanagedClassError(
    `${objects}, which extends ${className} but is not managed by this namespace, ${count === 1 ? "is" : "are"} ${state}: ${count === 1 ? "it" : "they"} would run ${className}'s new methods over its old fields, which only a migration of ${count === 1 ? "its" : "their"} own rewrites. Register ${subclass} (registerClass) so that its objects migrate with ${className}'s`,
    { className, subclass, count },
  );
}

/** One unmanaged subclass's objects, as a refusal counts them. */
export interface UnmanagedHome {
  readonly className: string;
  readonly home: object;
  readonly count: number;
}

/**
 * The refusal of every unmanaged subclass found, in one error: three's
 * Texture has four (DepthTexture, CubeTexture…) and an operator told of one
 * per attempt retried four times (review advZ10). Mixins are their own
 * refusal (another remedy).
 */
export function unmanagedSubclassesError(
  found: readonly UnmanagedHome[],
  state: "alive" | "pending" | "reached",
): UnmanagedClassError {
  const classes = found.filter((f) => !isMixin(f.home));
  if (classes.length < 2) {
    const one = classes[0] ?? found[0]!;
    return unmanagedSubclassError(one.className, one.home, one.count, state);
  }
  const name = (f: UnmanagedHome) =>
    (f.home as { constructor?: { name?: string } }).constructor?.name || "(anonymous class)";
  // By name: the heap lists them in no order a reader can follow.
  classes.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const subclasses = classes.map(name);
  const count = classes.reduce((n, f) => n + f.count, 0);
  const extended = [...new Set(classes.map((f) => f.className))].join(", ");
  const listed = classes.map((f) => `${name(f)} (${f.count})`).join(", ");
  return new UnmanagedClassError(
    `${count} objects of ${classes.length} classes that extend ${extended} but are not managed by this namespace are ${state}: ${listed}. They would run ${extended}'s new methods over their old fields, which only a migration of their own rewrites. Register ${subclasses.join(", ")} (registerClass) so that their objects migrate with ${extended}'s`,
    { className: classes[0]!.className, subclass: subclasses[0]!, subclasses, count },
  );
}

/**
 * The refusal of objects of `className` given a prototype of their own
 * (`Object.setPrototypeOf(o, Object.create(C.prototype, methods))`): an
 * update rewrites objects that sit on their class's prototype.
 */
function mixinError(
  className: string,
  count: number,
  state: "alive" | "pending" | "reached",
): UnmanagedClassError {
  const objects = count === 1 ? `1 ${className} object` : `${count} ${className} objects`;
  return new UnmanagedClassError(
    `${objects} with a prototype of ${count === 1 ? "its" : "their"} own (a per-object mixin put between ${count === 1 ? "it" : "them"} and ${className}.prototype with Object.setPrototypeOf) ${count === 1 ? "is" : "are"} ${state}: an update migrates only objects that sit on their class's prototype, and ${count === 1 ? "this one" : "these"} would run ${className}'s new methods over old fields. Give the mixin's methods to a subclass of ${className} registered with the namespace, and build such objects with it`,
    { className, subclass: null, count },
  );
}

/** An unmanaged subclass's objects in `below`, the first such subclass: its objects' count and one of them. */
export interface UnmanagedBelow {
  readonly className: string;
  readonly home: object;
  readonly object: object;
  readonly count: number;
}

/**
 * The first unmanaged subclass with objects in `below` (the heap finder's
 * instances of subclasses of the `migrating` classes, by the migrating
 * class's prototype), if any.
 */
export function unmanagedBelow(
  namespace: Namespace,
  migrating: ReadonlyMap<object, string>,
  below: ReadonlyMap<object, readonly object[]>,
): UnmanagedBelow | undefined {
  return everyUnmanagedBelow(namespace, migrating, below, true)[0];
}

/** Every unmanaged subclass with objects in `below`, with one object of each (or only the first: `first`). */
function everyUnmanagedBelow(
  namespace: Namespace,
  migrating: ReadonlyMap<object, string>,
  below: ReadonlyMap<object, readonly object[]>,
  first = false,
): UnmanagedBelow[] {
  let managed: Set<object> | undefined;
  const found = new Map<object, { className: string; object: object; count: number }>();
  const known = new Set<object>();
  for (const [prototype, objects] of below) {
    const className = migrating.get(prototype);
    if (className === undefined) continue;
    for (const object of objects) {
      const home = getPrototypeOf(object) as object;
      if (migrating.has(home)) continue;
      const seen = found.get(home);
      if (seen !== undefined) {
        seen.count++;
        continue;
      }
      if ((first && found.size > 0) || known.has(home)) continue;
      known.add(home);
      managed ??= managedHomes(namespace);
      if (!isUnmanagedHome(home, managed)) continue;
      found.set(home, { className, object, count: 1 });
    }
    if (first && found.size > 0) break;
  }
  return [...found].map(([home, f]) => ({ ...f, home }));
}

/**
 * The objects of `lists` (one per plan) that a per-object mixin separates
 * from their class's prototype (the finders report them: finder.ts
 * `perObjectHome`), as `unmanagedBelow` reads them.
 */
export function onMixins(
  plans: readonly { readonly prototype: object }[],
  lists: readonly { readonly objects: readonly object[] }[],
): Map<object, object[]> {
  const below = new Map<object, object[]>();
  plans.forEach(({ prototype }, p) => {
    const mixed = lists[p]!.objects.filter(
      (o) => getPrototypeOf(o) !== prototype && isMixin(getPrototypeOf(o) as object),
    );
    if (mixed.length > 0) below.set(prototype, mixed);
  });
  return below;
}

/**
 * The classes of a lazy or progressive update (`later`) that its pause's heap
 * query looks below too, when the pause queries the heap anyway (for the
 * objects of the implementations it installs): a package's subclass of the
 * class it was given (`Vector extends Base`, built by the original
 * constructor) is seen by no handle, and the same walk meets its objects at
 * no measurable cost (docs/production.md). A pause that queries nothing
 * pays no query for this: those are refused at first touch.
 */
export function alongTheQuery(
  finder: { readonly kind: string },
  searched: ReadonlySet<object>,
  later: ReadonlyMap<object, string>,
): object[] {
  if (finder.kind !== "heap" || searched.size === 0) return [];
  return [...later.keys()].filter((prototype) => !searched.has(prototype));
}

/** Refuses the update if `below` holds an object of an unmanaged subclass (`unmanagedBelow`). */
export function refuseUnmanagedBelow(
  namespace: Namespace,
  migrating: ReadonlyMap<object, string>,
  below: ReadonlyMap<object, readonly object[]>,
): void {
  const found = everyUnmanagedBelow(namespace, migrating, below);
  if (found.length > 0) throw unmanagedSubclassesError(found, "alive");
}

/**
 * Refuses the update if the finder knows live objects of an unmanaged
 * subclass of one of the `migrating` classes (class name by stable
 * prototype): the registry lists them. The heap finder lists nothing; an
 * eager update's heap query meets them (`refuseUnmanagedBelow`), and a lazy
 * or progressive one (`later`), which makes no query before its commit,
 * asks for the objects of the subclasses the handles met as `new.target`
 * (mop/foreignTargets.ts) — one query of their prototypes, only when there
 * is such a class. Without it the update committed, and the first call on
 * one of them rolled it back in the middle of new code (review advZ27 #5).
 */
export function refuseUnmanagedSubclasses(
  namespace: Namespace,
  migrating: ReadonlyMap<object, string>,
  later = false,
): void {
  if (migrating.size === 0) return;
  const finder = namespace.finder as { kind: string; prototypes?: () => object[] };
  if (finder.kind === "registry" && finder.prototypes !== undefined) {
    refuseFound(namespace, migrating, finder.prototypes(), (home) => namespace.finder.find(home));
  } else if (later) {
    const homes = liveTargets().flatMap((target) => {
      const home = prototypeOf(target);
      return home === undefined ? [] : [home];
    });
    if (homes.length === 0) return;
    let now: ((home: object) => readonly object[]) | undefined;
    refuseFound(namespace, migrating, homes, (home) => {
      // One query for every such class, asked for only once one is below a migrating class.
      now ??= findEachOf(namespace.finder, homes);
      return now(home);
    });
  }
}

/** The objects of each unmanaged one of `homes` below a `migrating` class, refused if any. */
function refuseFound(
  namespace: Namespace,
  migrating: ReadonlyMap<object, string>,
  homes: readonly object[],
  objectsOn: (home: object) => readonly object[],
): void {
  let managed: Set<object> | undefined;
  const found: UnmanagedHome[] = [];
  for (const home of homes) {
    if (migrating.has(home)) continue;
    for (const [prototype, className] of migrating) {
      if (!chainContains(home, prototype)) continue;
      managed ??= managedHomes(namespace);
      if (!isUnmanagedHome(home, managed)) break;
      const objects = objectsOn(home);
      if (objects.length > 0) found.push({ className, home, count: objects.length });
      break;
    }
  }
  if (found.length > 0) throw unmanagedSubclassesError(found, "alive");
}

/** A class's `prototype`, read without running code (a class given through a Proxy has none here). */
function prototypeOf(target: Function): object | undefined {
  try {
    const value = Object.getOwnPropertyDescriptor(target, "prototype")?.value as unknown;
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined; // a revoked Proxy
  }
}
