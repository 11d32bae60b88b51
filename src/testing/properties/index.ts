/**
 * The properties a migration should have, as fast-check properties over
 * generated worlds, one per file. Each property is a plain value — an
 * arbitrary of inputs and an async predicate that throws a
 * `PropertyViolation` explaining what went wrong — so it runs under
 * `checkMigration`, `fc.assert`, or `@fast-check/vitest`'s `test.prop` alike.
 *
 * Every predicate builds its own fresh world(s) from the generated spec, so
 * runs never share state and a shrunk counterexample replays exactly.
 */
import type { VacuityRule } from "../vacuity.js";
import { guardedPredicate } from "../vacuity.js";
import { composition } from "./composition.js";
import { propertyKit } from "./kit.js";
import { noOp } from "./noOp.js";
import { noSilentLoss } from "./noSilentLoss.js";
import { policyIndependence } from "./policyIndependence.js";
import { postcondition } from "./postcondition.js";
import { rollback } from "./rollback.js";
import { roundTrip } from "./roundTrip.js";
import { totality } from "./totality.js";
import type { MigrationProperty, PropertyContext } from "./types.js";
import { validity } from "./validity.js";
import { workload } from "./workload.js";

/**
 * The properties of `context.patch`, in PROPERTY_NAMES order; each
 * `predicate` holds fast-check's runners to `rule` (see `guardedPredicate`).
 */
export function buildProperties(context: PropertyContext, rule: VacuityRule): MigrationProperty[] {
  const kit = propertyKit(context);
  return [
    totality,
    validity,
    rollback,
    policyIndependence,
    composition,
    roundTrip,
    noOp,
    postcondition,
    workload,
    noSilentLoss,
  ].map((property): MigrationProperty => {
    const definition = property(kit);
    return { ...definition, predicate: guardedPredicate(definition, rule) };
  });
}
