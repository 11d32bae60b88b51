/**
 * Phase 4, prepare: every instance of a migrating class is found and its new
 * state computed (migrators, initialisers, defaults), without touching it.
 * Eager updates need every new state for the commit; lazy and progressive
 * ones compute them only as a dry run, when validations must see the new
 * state, and migrate at first touch instead. Input: the plans; output: the
 * prepared migrations. Undo: nothing live is touched (states are copies).
 */
import { findEachOf, sampleOf } from "../../mop/instances/findEach.js";
import { perObjectInstancesSeen } from "../../mop/instances/finder.js";
import type { Namespace } from "../../namespace/namespace.js";
import { MetamorphError, UnswappableObjectError } from "../../errors.js";
import { unreadableError } from "../../mop/unreadableObjects.js";
import type { Plan } from "../migrationPlan.js";
import { MigrationLog } from "../migrationLog.js";
import { LiveStateWitness } from "../sideEffects.js";
import type { OutsideBuilt } from "../outsideBuilt.js";
import { findOnHomes, installedHomes } from "../outsideBuilt.js";
import { refuseModuleSymbols, scopeChanges, VALUE_SAMPLE } from "../moduleSymbols.js";
import {
  alongTheQuery,
  onMixins,
  refuseUnmanagedBelow,
  refuseUnmanagedSubclasses,
} from "../unmanagedSubclasses.js";
import { refuseHiddenState } from "../proxies.js";
import { refuseUnswappableAhead, unextensibleError } from "../unswappable.js";
import type { Built } from "./build.js";
import type { Prefound } from "./find.js";
import { allPlain } from "./plainAhead.js";
import type { Shadowed } from "./shadow.js";

export interface Prepared {
  /** One log per plan (in plan order), its objects in the order they were found. */
  readonly logs: readonly MigrationLog[];
  /** How many objects the logs hold. */
  readonly count: number;
  /** The new states only served the validations: the commit applies none of them. */
  readonly dryRun: boolean;
  /** What migration code must not have written, when it ran (checked after the validations). */
  readonly witness: LiveStateWitness | undefined;
  /** Objects the running implementations built outside their handles, moved onto the stable prototypes in the commit. */
  readonly builtOutside: OutsideBuilt;
  /** Objects already on the prototypes of the implementations this update installs (where a query found them). */
  readonly preexisting: WeakSet<object>;
}

/**
 * The engine reads every object here (its prototype, its keys, its
 * descriptors): a Proxy's trap that throws, on any call, refuses the
 * update (MM_UNSWAPPABLE_OBJECT, rule `unreadable`) instead of leaving as
 * it came — naming the class, the object where it can be told, and the
 * step. Migrators and initialisers are not guarded here: their errors are
 * typed where they run (MigrationError).
 */
export function preparePhase(
  namespace: Namespace,
  built: Built,
  shadowed: Shadowed,
  /** Instances found before the pause (update()), where still valid. */
  prefound?: Prefound,
  /**
   * Nothing after the commit needs the exact old values (no afterCommit
   * hook, no commit-step callback): plans that carry every field keep none.
   */
  leanAllowed = false,
  /** No code runs between the scan and the rewrite (no event listener, no commit-step callback). */
  nothingRunsBefore = false,
  /** Throws once the update is out of time (budget.ts), read between objects. */
  late: () => void = () => {},
): Prepared {
  const reading: Reading = { step: FINDING, className: undefined, lists: [], scanning: undefined };
  try {
    return prepareAll(
      namespace,
      built,
      shadowed,
      reading,
      prefound,
      leanAllowed,
      nothingRunsBefore,
      late,
    );
  } catch (error) {
    throw refusalOf(error, reading, shadowed.plans);
  }
}

function prepareAll(
  namespace: Namespace,
  built: Built,
  { plans, outside }: Shadowed,
  reading: Reading,
  prefound: Prefound | undefined,
  leanAllowed: boolean,
  nothingRunsBefore: boolean,
  late: () => void,
): Prepared {
  const { policy } = built;
  const dryRun = refuseAhead(namespace, built, plans);
  const active = policy === "eager" || dryRun ? plans : [];
  // Found earlier (update()), an object the program has since moved off its
  // class is not an instance: the scan leaves it out. Objects built outside
  // the handle are found in the pause only (nothing observes their
  // construction), and a class that has them is found there whole, in the
  // same query.
  const early = active.map((plan) =>
    policy === "eager" && !outside.has(plan.prototype)
      ? prefound?.objectsFor(plan.prototype)
      : undefined,
  );
  const { found, builtOutside, preexisting } = findInstances(
    namespace,
    built,
    outside,
    active,
    early,
    prefound?.below,
    new Map(active === plans ? [] : plans.map((plan) => [plan.prototype, plan.className])),
  );
  reading.lists = active.map((plan, p) => ({ plan, objects: found[p]!.objects }));
  // Only migration code can write where it should not (sideEffects.ts).
  const witness = active.some((p) => p.needsOldView) ? new LiveStateWitness(namespace) : undefined;
  const logs: MigrationLog[] = [];
  let count = 0;
  // Two passes: every object is checked and recorded before any migration
  // code runs, since that code may reach any instance.
  active.forEach((plan, p) => {
    const log = new MigrationLog(plan, plan.compiled);
    const { objects, recheck } = found[p]!;
    reading.step = SCANNING;
    reading.className = plan.className;
    reading.scanning = { log, objects };
    const lean = leanAllowed && policy === "eager" && witness === undefined;
    // Allocated before the pause (find.ts), where the objects were found then.
    const arrays = recheck ? prefound?.arrays.get(plan.prototype) : undefined;
    prefound?.arrays.delete(plan.prototype);
    // Before anything is read for the migration: a Proxy hiding fields is refused.
    refuseHiddenState(plan, objects);
    log.scan(
      objects,
      (object, index) => {
        throw unextensibleError(object, plan, index);
      },
      recheck,
      lean,
      arrays,
      nothingRunsBefore,
      // An event listener runs in the pause before this scan: what was looked at before is not trusted.
      nothingRunsBefore && foundPlain(plan, objects, recheck ? prefound : undefined),
    );
    reading.scanning = undefined;
    witness?.watch(log);
    logs.push(log);
    count += log.length;
  });
  computeEach(logs, reading, witness, late);
  return { logs, count, dryRun, witness, builtOutside, preexisting };
}

/** The second pass: every object's migration code, stopped between objects once out of time. */
function computeEach(
  logs: readonly MigrationLog[],
  reading: Reading,
  witness: LiveStateWitness | undefined,
  late: () => void,
): void {
  reading.step = PREPARING;
  try {
    for (const log of logs) {
      reading.className = log.plan.className;
      log.computeAll(late);
    }
    // The last objects' migration code may have run past it too.
    late();
  } catch (error) {
    witness?.restore();
    throw error;
  }
}

/**
 * Whether every one of `objects` was found with plain written fields and
 * no symbols before the pause (plainAhead.ts; only the objects made since
 * are looked at now): the scan then looks for no symbols. It reads the
 * written fields' descriptors in any case (one may have been redefined since).
 */
function foundPlain(
  plan: Plan,
  objects: readonly object[],
  prefound: Prefound | undefined,
): boolean {
  const checked = prefound?.plain.get(plan.prototype);
  const firstNotPlain = plan.compiled.firstNotPlain;
  if (checked === undefined || firstNotPlain === undefined) return checked !== undefined;
  return allPlain(firstNotPlain, objects, checked, objects.length);
}

const FINDING = "finding the instances";
const SCANNING = "scanning the instances";
const PREPARING = "preparing their new states";

/** Where the phase is, for the refusal of an object whose read throws. */
interface Reading {
  step: string;
  /** The class whose objects it is going through, if one. */
  className: string | undefined;
  /** The objects of each class, once found. */
  lists: readonly { readonly plan: Plan; readonly objects: readonly object[] }[];
  /** The log being scanned, and the list it scans. */
  scanning: { readonly log: MigrationLog; readonly objects: readonly object[] } | undefined;
}

/**
 * What the phase throws for `error`: a refusal as it came, named where it
 * could not name its object's class (carriedState.ts `hasUnmanagedState`);
 * the scan's read of an object that threw, as the refusal of that object
 * (compiledSource.ts `scanSource` lists its position); anything else — a
 * trap's Error thrown where nothing tells which object it read — as the
 * refusal of an instance of the class being read.
 */
function refusalOf(error: unknown, reading: Reading, plans: readonly Plan[]): unknown {
  const { step, scanning } = reading;
  const last = scanning?.log.generalAt.at(-1);
  if (!(error instanceof MetamorphError) && scanning && last !== undefined && last < 0) {
    const index = -1 - last;
    const at = { className: scanning.log.plan.className, index, object: scanning.objects[index] };
    return unreadableError(at, "a read of it", step, error);
  }
  if (!(error instanceof MetamorphError)) {
    const className = reading.className ?? plans.map((plan) => plan.className).join(" or ");
    return unreadableError({ className }, "a read of one of its instances", step, error);
  }
  const { details } = error;
  const object = details.object;
  if (
    !(error instanceof UnswappableObjectError) ||
    details.rule !== "unreadable" ||
    details.className !== undefined ||
    typeof object !== "object" ||
    object === null
  )
    return error;
  for (const { plan, objects } of reading.lists) {
    const index = objects.indexOf(object);
    if (index < 0) continue;
    const at = { className: plan.className, index, object };
    return unreadableError(at, String(details.what), String(details.step), details.cause);
  }
  return error;
}

/**
 * The objects of the migrating classes (those found before the pause where
 * still valid, the rest now, in as few heap queries as possible), with the
 * objects the running implementations built outside their handles and
 * those the installed ones had built already; refuses module symbols on
 * them first.
 */
function findInstances(
  namespace: Namespace,
  built: Built,
  outside: Shadowed["outside"],
  active: readonly Plan[],
  early: readonly (object[] | undefined)[],
  /** What the query before the pause met below the migrating classes (find.ts). */
  prefoundBelow: ReadonlyMap<object, readonly object[]> | undefined,
  /** The classes a lazy or progressive update migrates after its commit (name by prototype). */
  later: ReadonlyMap<object, string>,
) {
  // Looked at before anything else runs: a refusal leaves nothing changed.
  // A class that reads computed keys is searched for that alone (every
  // object must be looked at).
  const changes = scopeChanges(namespace, built);
  const searched = new Set<object>([
    ...active.flatMap((plan, p) => (early[p] ? [] : [plan.prototype])),
    ...outside.values(),
  ]);
  // Values (minimatch's GLOBSTAR, semver's ANY) are looked at on the first
  // objects of every class from another scope no migrator covers, even one
  // that is not migrating: from the registry's list, else in the heap query.
  const answered = new Set(active.map((plan) => plan.prototype));
  const sampled = new Map<object, readonly object[]>();
  for (const [prototype, change] of changes) {
    if (change.migrated || answered.has(prototype) || searched.has(prototype)) continue;
    const sample = change.keyed ? undefined : sampleOf(namespace.finder, prototype, VALUE_SAMPLE);
    if (sample !== undefined) sampled.set(prototype, sample);
    // A lazy or progressive update's class: no heap query in its pause for that alone.
    else if (change.keyed || !later.has(prototype)) searched.add(prototype);
  }
  // Where the implementations this update installs already have objects (a
  // release in use before the upgrade, another package's copy of it): a
  // rollback leaves those alone. Also in a lazy or progressive pause, or one
  // whose objects were found before it: without knowing them, a rollback
  // took them for objects the release built while it ran and rewrote them
  // to the old layout. Only the heap finder sees such objects.
  const installed = installedHomes(built);
  if (namespace.finder.kind === "heap") for (const home of installed) searched.add(home);
  // Instances of subclasses the query met on the way (heap finder): refused if unmanaged.
  const below = new Map<object, object[]>();
  const now = findEachOf(
    namespace.finder,
    [...searched, ...alongTheQuery(namespace.finder, searched, later)],
    below,
  );
  const migrating = new Map(active.map((plan) => [plan.prototype, plan.className]));
  refuseUnmanagedBelow(namespace, new Map([...migrating, ...later]), below);
  if (early.some((list) => list !== undefined) && prefoundBelow)
    refuseUnmanagedBelow(namespace, migrating, prefoundBelow);
  const objectsOf = (p: object): readonly object[] | undefined => {
    const k = active.findIndex((plan) => plan.prototype === p);
    const listed = (k >= 0 ? early[k] : undefined) ?? (searched.has(p) ? now(p) : sampled.get(p));
    const home = outside.get(p);
    return home === undefined ? listed : [...(listed ?? []), ...now(home)];
  };
  refuseModuleSymbols(changes, objectsOf);
  const builtOutside = findOnHomes(namespace.finder, outside, now);
  const preexisting = new WeakSet<object>(
    installed.flatMap((home) => (searched.has(home) ? now(home) : [])),
  );
  const found = active.map((plan, p) => {
    const objects = early[p];
    if (objects) return { objects, recheck: plan.prototype };
    const home = outside.get(plan.prototype);
    // Those built outside have the running version's layout: they migrate
    // with the rest (one that cannot change its prototype stays on its release).
    return {
      objects: home
        ? [...now(plan.prototype), ...now(home).filter((o) => Object.isExtensible(o))]
        : now(plan.prototype),
      recheck: null,
    };
  });
  if (perObjectInstancesSeen()) refuseUnmanagedBelow(namespace, migrating, onMixins(active, found));
  return { found, builtOutside, preexisting };
}

/**
 * What is refused before anything of the patch runs; returns whether a lazy
 * or progressive update prepares its states as a dry run (for validations).
 */
function refuseAhead(namespace: Namespace, built: Built, plans: readonly Plan[]): boolean {
  const { build, policy } = built;
  refuseUnmanagedSubclasses(
    namespace,
    new Map(plans.map((plan) => [plan.prototype, plan.className])),
    policy !== "eager",
  );
  const dryRun =
    policy !== "eager" &&
    build.namespaceValidations.length + build.instanceValidations.length + build.removed.length > 0;
  // A migrator or an initialiser of the patch's own runs as states are prepared.
  if (policy !== "eager" || dryRun || plans.some((plan) => plan.needsOldView))
    refuseUnswappableAhead(namespace, plans);
  return dryRun;
}
