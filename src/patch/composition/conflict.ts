/**
 * A composition conflict and the step being checked: the one place that
 * words a conflict, naming both steps (patch, position, summary).
 */
import type { Operation } from "../operations.js";
import { describeOperation, displayName } from "../summary.js";
import type { Fact, Gone, SymbolicWorld } from "./symbolicWorld.js";

export type ConflictRule =
  | "class-removed"
  | "class-renamed"
  | "class-removed-twice"
  | "class-renamed-twice"
  | "class-created-twice"
  | "field-removed"
  | "field-renamed"
  | "field-moved"
  | "field-moved-back"
  | "field-removed-twice"
  | "field-renamed-twice"
  | "field-added-twice"
  | "policy"
  | "validation-name"
  | "hook-name"
  | "hook-sees-later-change"
  | "stale-old-view"
  | "removed-migrated-class"
  | "removed-renamed-class"
  | "split-changed";

/** One step of one of the two patches. `index` is the position in that patch's operations. */
export interface StepReference {
  readonly patch: string;
  readonly index: number;
  readonly step: string;
}

export interface CompositionConflict {
  readonly rule: ConflictRule;
  readonly message: string;
  readonly first: StepReference;
  readonly second: StepReference;
  readonly className?: string;
  readonly field?: string;
}

export interface PatchLike {
  readonly name: string;
  readonly operations: readonly Operation[];
}

/** A step of the second patch, checked against what the first patch (and the steps before it) established. */
export interface Step {
  readonly op: Operation;
  readonly world: SymbolicWorld;
  readonly first: PatchLike;
  /**
   * The conflict between this step and step `firstIndex` of the first patch;
   * `explain` gets both steps' descriptions.
   */
  conflict(
    rule: ConflictRule,
    firstIndex: number,
    explain: (a: string, b: string) => string,
    where?: { className?: string; field?: string },
  ): CompositionConflict;
}

/** Step `index` of `second`, for the conflict checks. */
export function stepOf(
  first: PatchLike,
  second: PatchLike,
  index: number,
  world: SymbolicWorld,
): Step {
  return {
    op: second.operations[index]!,
    world,
    first,
    conflict(rule, firstIndex, explain, where = {}) {
      const a = reference(first, firstIndex);
      const b = reference(second, index);
      return {
        rule,
        message: `cannot compose "${first.name}" then "${second.name}": ${explain(at(a), at(b))}`,
        first: a,
        second: b,
        ...where,
      };
    },
  };
}

/** The fact, when the first patch established it (facts of the second patch never conflict). */
export function fromFirst<F extends Fact>(fact: F | undefined): F | undefined {
  return fact?.origin === "first" ? fact : undefined;
}

function reference(patch: PatchLike, index: number): StepReference {
  return { patch: patch.name, index, step: describeOperation(patch.operations[index]!) };
}

function at(r: StepReference): string {
  return `"${r.patch}" operations[${r.index}] (${r.step})`;
}

/** How a class or field left, in words. */
export const departed = (gone: Gone): string =>
  gone.how === "renamed"
    ? `renamed to ${displayName(gone.to!)}`
    : gone.how === "split"
      ? `moved into the new class ${displayName(gone.to!)}`
      : gone.how === "moved up"
        ? "moved up into the superclass"
        : gone.how === "moved down"
          ? "moved down into the subclasses"
          : "removed";
