/**
 * Objects a lazy or progressive update finds unmarked on a migrating class's
 * prototype although they were built after its commit, by code that does
 * not pass through the class handles: a subclass constructed with its own
 * class (its `super()` reaches the base class's new version directly), or
 * a package's own code. Their construction marks nothing, so they look
 * pending; migrating them would run the migrators over fields they never
 * had (a fresh `price` recomputed from a missing `cents`: NaN). What tells
 * them apart is the layout: every field of the new version, and none of
 * those the old version sets and the new one drops. Where the new
 * version only adds fields nothing does (an old object may hold a field
 * the old version set conditionally); such an object is migrated as an old
 * one: its fields keep their values, but the migrators run over it.
 *
 * The layout is asked only of a class whose objects can be built that
 * way: one with a constructor the program holds whose objects sit on the
 * stable prototype (a registered class is its own first version). A class
 * made by `defineClass`, or registered with `constructedOnlyThroughHandle`,
 * builds every object through its handle, whose construction the update
 * observes and marks: an unmarked object of it is an old one, whatever its
 * layout. Asked of those too, an old object the program had taken a
 * dropped field from (`delete o.b0` before a `removeField("B", "b0")`) was
 * counted as built since, left unmigrated, and a rollback then gave it the
 * old version's default for that field, which it never had (review advY2).
 */
import { constructionOf, stateOf, versionHistory } from "../mop/classHandle.js";
import { derivedFrom } from "../mop/derivedFrom.js";
import type { Plan } from "./migrationPlan.js";

interface Difference {
  readonly newOnly: readonly string[];
  readonly oldOnly: readonly string[];
}

const differences = new WeakMap<Plan, Difference | null>();
const builtOutside = new WeakMap<Plan, boolean>();

/**
 * Whether objects can land on `plan`'s stable prototype without its handle:
 * the class was registered without `constructedOnlyThroughHandle` (the
 * program never said it builds only through the handle; `defineClass`
 * classes always do), and some version of it the program may hold (its
 * own, not one made by createClass or derived by metamorph) builds its
 * objects onto it.
 */
function buildsOutsideHandle(plan: Plan): boolean {
  let outside = builtOutside.get(plan);
  if (outside === undefined) {
    const { prototype } = plan;
    // A version metamorph derived (an addField on a registered class) is
    // its own: the program holds only the one it derives from.
    outside =
      stateOf(plan.handle).implementationConstructor &&
      versionHistory(plan.handle).some(
        ({ ctor }) =>
          ctor.prototype === prototype &&
          derivedFrom(ctor) === undefined &&
          constructionOf(ctor, prototype) !== "initialise",
      );
    builtOutside.set(plan, outside);
  }
  return outside;
}

function differenceOf(plan: Plan): Difference | null {
  let difference = differences.get(plan);
  if (difference === undefined) {
    const after = new Set(plan.fields);
    // The old layout is what the old version's source shows it sets: an old
    // object has each of these fields, and the new version sets none it drops.
    const oldOnly = plan.oldFields.filter((f) => !after.has(f));
    // And a fresh object has every field of the new version; an old one
    // that lost a dropped field (its code deleted it) lacks the added ones.
    difference = oldOnly.length === 0 ? null : { newOnly: plan.fields, oldOnly };
    differences.set(plan, difference);
  }
  return difference;
}

/** Whether `object`, unmarked on `plan`'s prototype, has the new layout's fields and not the old one's. */
export function builtOnNewLayout(object: object, plan: Plan): boolean {
  const difference = differenceOf(plan);
  if (difference === null || !buildsOutsideHandle(plan)) return false;
  const { newOnly, oldOnly } = difference;
  for (let i = 0; i < newOnly.length; i++) if (!Object.hasOwn(object, newOnly[i]!)) return false;
  for (let i = 0; i < oldOnly.length; i++) if (Object.hasOwn(object, oldOnly[i]!)) return false;
  return true;
}

/**
 * Whether `object` has every field of `plan`'s new layout and none the new
 * version drops: an object of an unmanaged subclass below a migrating class
 * built after the commit by the new version's constructor (the program's
 * `class Mine extends Sub2`). Looser than `builtOnNewLayout` where the new
 * version only adds fields: such a subclass is refused anyway if its old
 * objects are pending, and one made before the commit lacks the added ones.
 */
export function hasNewLayout(object: object, plan: Plan): boolean {
  const oldOnly = differenceOf(plan)?.oldOnly ?? [];
  for (const field of plan.fields) if (!Object.hasOwn(object, field)) return false;
  for (const field of oldOnly) if (Object.hasOwn(object, field)) return false;
  return plan.fields.length > 0 || oldOnly.length > 0;
}
