/**
 * The user code of a compiled plan (compiledMigration.ts): field
 * initialisers, splits and defaults whose value is not a constant, run for
 * every object before the commit into a flat array of computed values —
 * one object at a time (`compute`) or as one generated loop over a list
 * (`computeRange`).
 */
import { MigrationError } from "../errors.js";
import type { OldView } from "../patch/operations.js";
import type { ValueSource } from "./compiledSource.js";
import { generated, key } from "./compiledSource.js";
import type { ClassMigrationPlan } from "./instanceMigration.js";
import { asyncRefusal, isThenable } from "./synchronous.js";

type Computed = Extract<ValueSource, { kind: "computed" }>;

/** `CompiledPlan.compute` (compiledMigration.ts). */
export type Compute = (
  object: object,
  computed: unknown[],
  base: number,
  index: number,
  watched?: boolean,
) => void;

/** `CompiledPlan.computeRange`. */
export type ComputeRange =
  | ((objects: readonly object[], computed: unknown[], start: number, end: number) => void)
  | undefined;

/**
 * What user code gets to read: a frozen copy of the old fields, so nothing
 * it does can touch the object before the commit. An object literal (one
 * shared shape) unless a key would mean something else in one.
 */
function oldViewFunction(oldLayout: readonly string[]): (object: object) => OldView {
  if (oldLayout.includes("__proto__")) {
    return (object) => {
      const view: Record<string, unknown> = {};
      for (const k of oldLayout) view[k] = (object as Record<string, unknown>)[k];
      return Object.freeze(view);
    };
  }
  const entries = oldLayout.map((k) => `${JSON.stringify(k)}: o${key(k)}`).join(", ");
  return generated<(object: object) => OldView>(
    `"use strict"; return (o) => Object.freeze({ ${entries} });`,
  );
}

/** Runs the user code of a plan (initialisers, splits, defaults) for one object before the commit. */
export function computeFunction(
  plan: ClassMigrationPlan,
  computedSources: readonly Computed[],
  oldLayout: readonly string[],
): Compute {
  const readsOld = computedSources.some(
    (v) => v.source.kind === "initial" || v.source.kind === "split",
  );
  const viewOf = readsOld ? oldViewFunction(oldLayout) : undefined;
  return function compute(
    object: object,
    computed: unknown[],
    base: number,
    index: number,
    watched = false,
  ): void {
    if (computedSources.length === 0) return;
    const view = viewOf && !watched ? viewOf(object) : (object as OldView);
    let field = "";
    try {
      for (const v of computedSources) {
        field = v.field;
        const source = v.source;
        let value: unknown;
        if (source.kind === "initial") value = source.fn(view);
        else if (source.kind === "split") value = source.make(view);
        else if (source.kind === "default") value = source.fn.call({});
        if (isThenable(value)) throw asyncRefusal(value, `the initialiser of field "${field}"`);
        computed[base + v.slot] = value;
      }
    } catch (error) {
      throw new MigrationError(
        `computing field "${field}" of ${plan.className} instance #${index} threw: ${(error as Error)?.message ?? String(error)}`,
        { className: plan.className, field, index, object, cause: error },
      );
    }
  };
}

/**
 * `compute` as one generated loop over the objects (the hand-written loop's
 * shape, each source called at its own site); the functions, and what
 * builds the errors, are arguments. It runs only in an eager update's
 * prepare phase, where a plan whose user code reads the old state always
 * has the side-effect witness (sideEffects.ts) watching every instance: so
 * that code reads the object itself, as it is before the commit, instead of
 * a frozen copy made for it — a write to it is undone and refuses the
 * update like a write to any other instance. The copy and its freeze cost
 * about 80 ns per object (half the rewrite of the reshape shape), and 10^6
 * copies are 10^6 objects of garbage. Objects on the general path still get
 * a frozen copy (instanceMigration.ts), as lazy migrations do.
 */
export function computeRangeFunction(
  plan: ClassMigrationPlan,
  computedSources: readonly Computed[],
  oldLayout: readonly string[],
  computedCount: number,
): ComputeRange {
  if (computedSources.length === 0) return () => {};
  if (oldLayout.includes("__proto__")) return undefined;
  const calls = computedSources.map((v, s) => {
    const call = v.source.kind === "default" ? `F[${s}].call({})` : `F[${s}](o)`;
    return `s = ${s}; { const x = ${call};
if ((typeof x === "object" || typeof x === "function") && x !== null && typeof x.then === "function") throw thenable(x, ${s});
comp[cb + ${v.slot}] = x; }`;
  });
  const loop = generated<
    (
      objects: readonly object[],
      comp: unknown[],
      F: readonly Function[],
      thenable: (value: PromiseLike<unknown>, s: number) => Error,
      fail: (i: number, s: number, error: unknown) => Error,
      start: number,
      end: number,
    ) => void
  >(`"use strict";
return function computeRange(objects, comp, F, thenable, fail, start, end) {
let i = start; let s = 0;
try {
for (; i < end; i++) {
const o = objects[i]; const cb = i * ${computedCount};
${calls.join("\n")}
}
} catch (error) {
throw fail(i, s, error);
}
};`);
  const fns = computedSources.map(({ source }) =>
    source.kind === "initial" || source.kind === "default"
      ? source.fn
      : source.kind === "split"
        ? source.make
        : () => undefined,
  );
  const thenable = (value: PromiseLike<unknown>, s: number) =>
    asyncRefusal(value, `the initialiser of field "${computedSources[s]!.field}"`);
  return (objects, computed, start, end) =>
    loop(
      objects,
      computed,
      fns,
      thenable,
      (index, s, error) => {
        const field = computedSources[s]!.field;
        return new MigrationError(
          `computing field "${field}" of ${plan.className} instance #${index} threw: ${(error as Error)?.message ?? String(error)}`,
          { className: plan.className, field, index, object: objects[index], cause: error },
        );
      },
      start,
      end,
    );
}
