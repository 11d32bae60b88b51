/**
 * A class migration plan compiled to code: one generated function per plan
 * that reads exactly the old version's fields, deletes the ones after the
 * common prefix from the end backwards and adds the new ones in order, as a
 * programmer would write the loop by hand — so V8 runs it like the hand loop
 * (monomorphic property accesses, no per-object allocation). Old values go
 * into one flat array (`stride` per object) for commit failure and rollback;
 * values computed by user code (initialisers, splits, defaults that are not
 * constants) are computed before the commit into another flat array.
 *
 * Only objects whose own enumerable keys are exactly the old version's
 * fields, in order, take this path; any other object (extra or
 * missing own properties) and every object of a plan that needs a shadow
 * copy (migrators, validations, defaults reading `this`) goes through the
 * general path of instanceMigration.ts. Both give the same result.
 *
 * Keys are embedded as JSON string literals; nothing else from the plan
 * becomes source text (functions and constants are passed in as arrays).
 */
import type { ComputeRange } from "./compiledCompute.js";
import { computeFunction, computeRangeFunction } from "./compiledCompute.js";
import type { ClassMigrationPlan } from "./instanceMigration.js";
import type { LeanPlan } from "./compiledLean.js";
import { compileLean } from "./compiledLean.js";
import type { ValueSource } from "./compiledSource.js";
import {
  applyBody,
  chainFields,
  generated,
  key,
  layoutConstant,
  plainFieldsSource,
  sameKeysSource,
  scanSource,
  takeSource,
} from "./compiledSource.js";

export interface CompiledPlan {
  /** Whether any object of the plan can take the compiled path. */
  readonly fast: boolean;
  /** The old layout the compiled path expects: the old version's fields, inherited first. */
  readonly oldLayout: readonly string[];
  /** Old values kept per object (`oldLayout.length`). */
  readonly stride: number;
  /** Values computed before the commit per object. */
  readonly computedCount: number;
  /** Whether computing runs user code (initialisers, splits, defaults). */
  readonly runsUserCode: boolean;
  /**
   * Whether `object` takes the compiled path (its layout, and its fields read
   * without throwing); if so, its old values are saved at `old[oldBase…]`.
   * One pass over the object, with no allocation beyond the key check's.
   */
  readOld(object: object, old: unknown[], oldBase: number): boolean;
  /**
   * The position of the first object of `objects` from `from` on, skipping
   * the positions in `general` (ascending), that is not `unchanged` against
   * its values at `old[i·stride…]` (own enumerable keys `oldLayout` in
   * order, the same values); -1 if none. The side-effect witness's pass, in
   * one generated loop that allocates nothing for objects with an enum cache.
   */
  firstChanged(
    objects: readonly object[],
    old: readonly unknown[],
    general: readonly number[],
    from: number,
  ): number;
  /**
   * An eager update's first pass over `objects`: `readOld` for each, the
   * positions of those it does not take pushed to `general`. With
   * `prototype`, objects no longer on it are left out (the list is
   * compacted in place). Returns the position of the first object that
   * cannot be extended (the update must refuse it), or -1.
   */
  scan(objects: object[], old: unknown[], general: number[], prototype: object | null): number;
  /** `scan` for objects whose written fields are known to be plain data fields (`firstNotPlain`). */
  scanKnownPlain(
    objects: object[],
    old: unknown[],
    general: number[],
    prototype: object | null,
  ): number;
  /**
   * The position of the first of `objects[start…end)` with a field the
   * rewrite writes that is not a plain data field (an own accessor, a
   * read-only or non-configurable field: compiledSource.ts
   * `plainFieldsSource`), or -1; undefined when the rewrite writes none.
   * Reads descriptors only: runs no code but a Proxy's trap.
   */
  readonly firstNotPlain:
    | ((objects: readonly object[], start: number, end: number) => number)
    | undefined;
  /**
   * Runs the user code of the plan for `object` into `computed[base…]`;
   * throws MigrationError naming the object. User code reads a frozen copy
   * of the old fields, or, with `watched` (an eager update's prepare phase,
   * under the side-effect witness: see `computeRange`), the object itself.
   */
  compute(
    object: object,
    computed: unknown[],
    base: number,
    index: number,
    watched?: boolean,
  ): void;
  /**
   * `compute` for `objects[start…end)` (all on the compiled path), in one
   * generated loop; undefined where only `compute` can (a `__proto__` field).
   */
  readonly computeRange: ComputeRange;
  /** Rewrites `object`, saving its old values into `old[oldBase…]`. */
  apply(object: object, old: unknown[], oldBase: number, computed: unknown[], base: number): void;
  /**
   * Rewrites `objects[start…end)` (all on the compiled path, their old values
   * saved by `scan`), object i's slots at i·stride and i·computedCount.
   */
  applyRange(
    objects: readonly object[],
    start: number,
    end: number,
    old: unknown[],
    computed: unknown[],
    /** Set to the position reached when the loop ends or throws. */
    progress: { done: number },
  ): void;
  /**
   * `applyRange` for an update whose side-effect witness left the check of
   * these objects to their rewrite (sideEffects.ts `checkAtRewrite`): each
   * object is rewritten only if it still has the old layout and the values
   * `scan` saved; returns the position of the first that has not (nothing
   * of it written, `progress.done` there), or -1.
   */
  applyRangeChecked(
    objects: readonly object[],
    start: number,
    end: number,
    old: readonly unknown[],
    computed: unknown[],
    progress: { done: number },
  ): number;
  /** The rewrite without a record of old values, where every old field is carried (compiledLean.ts). */
  readonly lean: LeanPlan | undefined;
  /** The new values installed in `object` (by `plan.fields` order), for rollback. */
  installed(
    old: readonly unknown[],
    oldBase: number,
    computed: readonly unknown[],
    base: number,
  ): unknown[];
}

const IDENTIFIER_FREE_THIS = /\bthis\b|\beval\b/;
const JSON_PRIMITIVE = /^\s*(?:"(?:[^"\\\n]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)\s*$/;

/** Whether a default initialiser's source can read `this` (then it needs a shadow copy). */
export function defaultReadsThis(source: string): boolean {
  return IDENTIFIER_FREE_THIS.test(source);
}

/** The value of a default whose source is a JSON primitive literal (a string, number, boolean, null). */
export function constantDefault(source: string): { value: unknown } | undefined {
  if (!JSON_PRIMITIVE.test(source)) return undefined;
  try {
    const value: unknown = JSON.parse(source);
    return typeof value === "object" && value !== null ? undefined : { value };
  } catch {
    return undefined;
  }
}

function valueSources(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
): { values: ValueSource[]; computed: number } {
  let computed = 0;
  const values = plan.sources.map((declared, j): ValueSource => {
    let source = declared;
    if (source.kind === "carry") {
      const index = oldLayout.indexOf(source.from);
      if (index >= 0) return { kind: "old", index };
      source = source.otherwise;
    }
    if (source.kind === "none") return { kind: "constant", value: undefined };
    if (source.kind === "default" && source.constant) {
      return { kind: "constant", value: source.constant.value };
    }
    return { kind: "computed", slot: computed++, source, field: plan.fields[j]! };
  });
  return { values, computed };
}

/** Compiles `plan` for objects of the old layout `oldLayout`. */
export function compilePlan(plan: ClassMigrationPlan, oldLayout: readonly string[]): CompiledPlan {
  const { values, computed: computedCount } = valueSources(plan, oldLayout);
  const stride = oldLayout.length;
  const fast = !plan.needsCopy && plan.fields.every((f) => typeof f === "string");
  const constants = values.map((v) => (v.kind === "constant" ? v.value : undefined));
  const computedSources = values.flatMap((v) => (v.kind === "computed" ? [v] : []));
  const runsUserCode = computedSources.length > 0;
  const applyWith = generated<(...args: [...Parameters<CompiledPlan["apply"]>, unknown[]]) => void>(
    `"use strict";
return function apply(o, old, ob, comp, cb, C) {\n${applyBody(oldLayout, plan.fields, values, true, chainFields(plan))}\n};`,
  );
  // The old values are saved again as each object is rewritten: code can
  // run inside the block after `scan` (an update's event listener, a
  // validation, a default's expression), and a value it wrote must be
  // neither lost nor rolled back to the one the scan saw.
  const applyRangeWith = generated<
    (...args: [...Parameters<CompiledPlan["applyRange"]>, unknown[]]) => void
  >(
    `"use strict";
return function applyRange(objects, start, end, old, comp, progress, C) {
let i = start;
try {
for (; i < end; i++) {
const o = objects[i]; const ob = i * ${stride}; const cb = i * ${computedCount};
${applyBody(oldLayout, plan.fields, values, true, chainFields(plan))}
}
} finally {
progress.done = i;
}
};`,
  );
  const applyRangeCheckedWith = generated<
    (...args: [...Parameters<CompiledPlan["applyRangeChecked"]>, unknown[]]) => number
  >(
    `"use strict"; ${layoutConstant(oldLayout)}
return function applyRangeChecked(objects, start, end, old, comp, progress, C) {
let i = start;
try {
for (; i < end; i++) {
const o = objects[i]; const ob = i * ${stride}; const cb = i * ${computedCount};
${sameKeysSource(plan, oldLayout)}
${applyBody(oldLayout, plan.fields, values, "checked", chainFields(plan))}
}
} finally {
progress.done = i;
}
return -1;
};`,
  );
  return {
    fast,
    oldLayout,
    stride,
    computedCount,
    runsUserCode,
    ...layoutFunctions(plan, oldLayout, fast),
    compute: computeFunction(plan, computedSources, oldLayout),
    computeRange: computeRangeFunction(plan, computedSources, oldLayout, computedCount),
    lean: fast ? compileLean(plan, oldLayout, values, constants, computedCount) : undefined,
    apply: (object, old, oldBase, computed, base) =>
      applyWith(object, old, oldBase, computed, base, constants),
    applyRange: (objects, start, end, old, computed, progress) =>
      applyRangeWith(objects, start, end, old, computed, progress, constants),
    applyRangeChecked: (objects, start, end, old, computed, progress) =>
      applyRangeCheckedWith(objects, start, end, old, computed, progress, constants),
    installed: (old, oldBase, computed, base) =>
      values.map((v) =>
        v.kind === "old"
          ? old[oldBase + v.index]
          : v.kind === "constant"
            ? v.value
            : computed[base + v.slot],
      ),
  };
}

/** The functions that read objects of the old layout: check, save, compare, scan. */
function layoutFunctions(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
  fast: boolean,
): Pick<CompiledPlan, "readOld" | "firstChanged" | "scan" | "scanKnownPlain" | "firstNotPlain"> {
  const stride = oldLayout.length;
  const base = fast ? `i * ${stride}` : undefined;
  const plain = plainFieldsSource(plan, oldLayout);
  return {
    readOld: generated<CompiledPlan["readOld"]>(`"use strict"; ${layoutConstant(oldLayout)}
return function readOld(o, old, at) {
${takeSource(plan, oldLayout, "at", "return true;", plan.needsOldView || plan.symbolsMove)}
return false;
};`),
    firstChanged: generated<
      CompiledPlan["firstChanged"]
    >(`"use strict"; ${layoutConstant(oldLayout)}
return function firstChanged(objects, old, general, from) {
let g = 0;
while (g < general.length && general[g] < from) g++;
for (let i = from; i < objects.length; i++) {
if (g < general.length && general[g] === i) { g++; continue; }
const o = objects[i]; const ob = i * ${stride};
${sameKeysSource(plan, oldLayout)}
if (!(same${oldLayout.map((k, i) => ` && Object.is(o${key(k)}, old[ob + ${i}])`).join("")})) return i;
}
return -1;
};`),
    scan: generated<CompiledPlan["scan"]>(scanSource(plan, oldLayout, base)),
    scanKnownPlain: generated<CompiledPlan["scan"]>(scanSource(plan, oldLayout, base, true, true)),
    firstNotPlain:
      plain === ""
        ? undefined
        : generated<NonNullable<CompiledPlan["firstNotPlain"]>>(`"use strict";
return function firstNotPlain(objects, start, end) {
for (let i = start; i < end; i++) {
const o = objects[i]; let same = true;
${plain}
${plan.symbolsMove ? "same = same && Object.getOwnPropertySymbols(o).length === 0;" : ""}
if (!same) return i;
}
return -1;
};`),
  };
}
