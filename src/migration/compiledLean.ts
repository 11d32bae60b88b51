/**
 * The compiled path without a record of old values, for an eager update
 * whose plan carries every old field into a new one (add, rename, reorder;
 * nothing removed) and which nothing can need the old values of after the
 * rewrite: no side-effect witness, no afterCommit hook (whose failure
 * rolls back exactly), no commit-step callback (migrationLog.ts decides).
 * Each old value then is the value of the field it was carried into, so
 * the flat array of old values (8 bytes per field per object, 23 MiB for
 * 10^6 objects of 3 fields) is not made at all: a revert reads them back
 * from the object, and the object a failing rewrite left half done is put
 * back from the values its rewrite had read.
 */
import type { ClassMigrationPlan } from "./instanceMigration.js";
import type { ValueSource } from "./compiledSource.js";
import {
  applyBody,
  chainFields,
  generated,
  key,
  scanSource,
  writtenFields,
} from "./compiledSource.js";

export interface LeanPlan {
  /**
   * `CompiledPlan.scan` saving nothing: the positions of the objects it
   * does not take pushed to `general`, those no longer on `prototype` left
   * out; the position of the first object that cannot be extended, or -1.
   */
  scan(objects: object[], general: number[], prototype: object | null): number;
  /** `scan` for objects whose written fields are known to be plain (compiledMigration.ts `firstNotPlain`). */
  scanKnownPlain(objects: object[], general: number[], prototype: object | null): number;
  /**
   * Rewrites `objects[start…end)`. If a rewrite throws, `partial` gets the
   * old values of the object it was rewriting (empty if it had not started).
   */
  applyRange(
    objects: readonly object[],
    start: number,
    end: number,
    computed: unknown[],
    progress: { done: number },
    partial: unknown[],
  ): void;
  /** The old values of a rewritten `object`, read from the fields they were carried into. */
  oldValues(object: object): unknown[];
  /**
   * Set when the rewrite only adds fields after the old ones, which stay
   * where they are: it reads nothing, and a rewrite that throws part-way
   * is put back from the object itself (`oldValues`).
   */
  readonly addsOnly: boolean;
  /**
   * `scan` without looking for objects that cannot be extended (about a
   * quarter of the scan), when `addsOnly`: the first add of the rewrite
   * throws on such an object before anything of it changed. Only for an
   * update in which no code runs between the scan and the rewrite, which
   * then reports the object as the scan would have (phases/commit.ts).
   */
  readonly scanAddsOnly: LeanPlan["scan"] | undefined;
}

/** Undefined unless every old field is carried into a new one. */
export function compileLean(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
  values: readonly ValueSource[],
  constants: readonly unknown[],
  computedCount: number,
): LeanPlan | undefined {
  const carriedTo = oldLayout.map((_, i) =>
    values.findIndex((v) => v.kind === "old" && v.index === i),
  );
  if (carriedTo.some((j) => j < 0)) return undefined;
  const stride = oldLayout.length;
  const locals = oldLayout.map((_, i) => `v${i}`).join(", ");
  // Every old field left where it is, carried from itself: the rewrite writes none of them.
  const addsOnly = plan.fields.length > stride && writtenFields(plan, oldLayout).length === 0;
  // The scan's signature, with no array of old values.
  type Scan = (...args: [object[], null, number[], object | null]) => number;
  const scan = generated<Scan>(scanSource(plan, oldLayout, null));
  const scanKnownPlain = generated<Scan>(scanSource(plan, oldLayout, null, true, true));
  const scanAddsOnly = addsOnly
    ? generated<Scan>(scanSource(plan, oldLayout, null, false))
    : undefined;
  type ApplyRange = (...args: [...Parameters<LeanPlan["applyRange"]>, readonly unknown[]]) => void;
  // Reading the old values into locals costs as much as the adds (V8 keeps
  // locals a catch block reads on the stack): an adding rewrite reads none.
  const applyRange = addsOnly
    ? generated<ApplyRange>(`"use strict";
return function applyRangeAdding(objects, start, end, comp, progress, partial, C) {
let i = start;
try {
for (; i < end; i++) {
const o = objects[i]; const cb = i * ${computedCount};
${applyBody(oldLayout, plan.fields, values, false, chainFields(plan))}
}
} finally {
progress.done = i;
}
};`)
    : generated<ApplyRange>(`"use strict";
return function applyRangeLean(objects, start, end, comp, progress, partial, C) {
let i = start; let r = 0; ${stride > 0 ? `let ${locals};` : ""}
try {
for (; i < end; i++) {
r = 0;
const o = objects[i]; const cb = i * ${computedCount};
${applyBody(oldLayout, plan.fields, values, "hoisted", chainFields(plan))}
}
} catch (error) {
partial.length = 0;
if (r === 1) partial.push(${locals});
throw error;
} finally {
progress.done = i;
}
};`);
  const oldValues = generated<LeanPlan["oldValues"]>(
    `"use strict"; return (o) => [${carriedTo.map((j) => `o${key(plan.fields[j]!)}`).join(", ")}];`,
  );
  return {
    scan: (objects, general, prototype) => scan(objects, null, general, prototype),
    scanKnownPlain: (objects, general, prototype) =>
      scanKnownPlain(objects, null, general, prototype),
    scanAddsOnly:
      scanAddsOnly &&
      ((objects, general, prototype) => scanAddsOnly(objects, null, general, prototype)),
    addsOnly,
    applyRange: (objects, start, end, computed, progress, partial) =>
      applyRange(objects, start, end, computed, progress, partial, constants),
    oldValues,
  };
}
