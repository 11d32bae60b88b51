/**
 * Code of a lazy or progressive update that reads fields on objects other
 * than the one it runs for, which may be migrated or still pending when it
 * runs: migrators (relatedReads.ts) and the patch's new methods
 * (peerReads.ts).
 */
import type { Built } from "./phases/build.js";
import { peerFieldReads } from "./peerReads.js";
import { migratorsReadingMigrating } from "./relatedReads.js";
import type { UpdateWarning } from "./warning.js";

export function readsOfOtherObjects(
  { build, oldDefs, policy }: Pick<Built, "build" | "oldDefs" | "policy">,
  migrating: ReadonlySet<string>,
): UpdateWarning[] {
  return [
    ...migratorsReadingMigrating(build, oldDefs, migrating, policy),
    ...peerFieldReads(build, oldDefs, migrating, policy),
  ];
}
