/**
 * No-op: the empty patch changes nothing, and the patch leaves instances of
 * the classes it does not migrate untouched.
 */
import { Patch } from "../../patch/patch.js";
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import type { WorldSpec } from "../world/types.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS } from "./types.js";
import { className, describeError } from "./wording.js";

function emptyPatchChangesNothing(kit: PropertyKit, world: WorldSpec): void {
  const still = kit.build(world);
  const exact = { versions: true, fastMode: true };
  const before = takeSnapshot(still.namespace, still.instances, exact);
  const empty = attempt(still.namespace, Patch.empty("no-op"));
  if (!empty.ok) fail("no-op", `the empty patch was refused: ${describeError(empty.error)}`);
  const after = takeSnapshot(still.namespace, still.instances, exact);
  const difference = compareSnapshots(before, after, { identities: true });
  if (difference !== undefined) fail("no-op", `the empty patch changed the world:\n${difference}`);
}

async function othersUntouched(kit: PropertyKit, world: WorldSpec): Promise<void> {
  const live = kit.build(world);
  const ns = live.namespace;
  const labels = new Map(live.instances.map((o, i) => [o, `R${i}`] as const));
  // Own state only: a renamed or removed class is not a change of its instances.
  const one = (o: object) => takeSnapshot(ns, [o], { labels, shallow: true, classNames: false });
  const befores = live.instances.map(one);
  const prototypes = live.instances.map((o) => Object.getPrototypeOf(o) as unknown);
  const out = attempt(ns, kit.patch);
  if (!out.ok) return;
  if ((await settle(out.result)).failed.length > 0) return;
  const migrating = new Set(
    out.result.changes.filter((c) => c.migratesInstances).map((c) => c.className),
  );
  live.instances.forEach((o, i) => {
    const name = className(ns, o);
    if (name !== undefined && migrating.has(name)) return;
    const difference =
      Object.getPrototypeOf(o) !== prototypes[i]
        ? "its prototype is another object"
        : compareSnapshots(befores[i]!, one(o), { bindings: false });
    if (difference !== undefined) {
      fail(
        "no-op",
        `instance #${i} (${name ?? "of a removed class"}) belongs to a class the patch does not migrate, yet it changed:\n${difference}`,
      );
    }
  });
}

export function noOp(kit: PropertyKit): PropertyDefinition {
  return {
    name: "no-op",
    description: PROPERTY_DESCRIPTIONS["no-op"],
    arbitrary: kit.plain,
    async check({ world }) {
      // The empty patch is always checked, whatever the patch under test does.
      emptyPatchChangesNothing(kit, world);
      await othersUntouched(kit, world);
      return CHECKED;
    },
  };
}
