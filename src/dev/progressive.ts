/**
 * Reloads of large populations (issue 15, item 4): above a threshold of
 * instances, a reload migrates progressively — the engine's `progressive`
 * policy commits at once and migrates the objects slice by slice between the
 * program's own tasks — instead of blocking the event loop for seconds, and
 * says so while it runs: one line rewritten in place on a terminal, a line
 * per ~10 % elsewhere, and a final line with the pause and the duration.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import type { HeapFinder } from "../mop/instances/heapFinder.js";
import type { RegistryFinder } from "../mop/instances/registryFinder.js";
import type { Namespace } from "../namespace/namespace.js";
import type { UpdateResult } from "../migration/types.js";

/** Default threshold: instances of the reloaded classes above which a reload is progressive. */
export const PROGRESSIVE_ABOVE = 50_000;

/** How a progressive reload reports while it runs. */
export interface ProgressOutput {
  /** A whole line (the final one, and the ~10 % lines when not rewriting in place). */
  readonly line: (text: string) => void;
  /** Rewrites the progress line in place (a terminal); without it, a line per ~10 %. */
  readonly overwrite?: (text: string) => void;
  /** Ends the line rewritten in place before the next whole line. */
  readonly endOverwrite?: () => void;
}

/**
 * Instances of `classes` (an upper bound for the registry finder: its
 * references not yet dereferenced, some of them cleared). The registry's is
 * a copy of a list; the heap finder's is one query for all the classes (a
 * full collection and a walk of the heap, whatever the number of classes).
 */
export function estimatePopulation(namespace: Namespace, classes: readonly Constructor[]): number {
  const finder = namespace.finder;
  const prototypes = [...new Set(classes.map(stablePrototype))];
  if (finder.kind === "heap") {
    if (prototypes.length === 0) return 0;
    let total = 0;
    for (const found of (finder as HeapFinder).findEach(prototypes).values()) total += found.length;
    return total;
  }
  let total = 0;
  for (const prototype of prototypes)
    total += (finder as RegistryFinder).snapshot(prototype).length;
  return total;
}

export interface SweepSummary {
  readonly migrated: number;
  readonly durationMs: number;
  /** The longest time the event loop was blocked while the sweep ran (ms). */
  readonly longestBlockMs: number;
}

const POLL_MS = 100;

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

/**
 * Follows the sweep of a committed progressive update until its completion:
 * progress from `migratedSoFar()` against `population`, polled between the
 * sweep's slices. Resolves with what it did; rejects as the completion does
 * (a failed migration rolled the whole update back).
 */
export async function followSweep(
  result: UpdateResult,
  population: number,
  label: string,
  output: ProgressOutput,
): Promise<SweepSummary> {
  const t0 = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastDecile = -1;
  let overwritten = false;
  const show = () => {
    const migrated = result.migratedSoFar();
    const percent = population > 0 ? Math.min(100, Math.floor((migrated / population) * 100)) : 0;
    const text = `${label}: migrating ${migrated}/${population} instances progressively (${percent} %)`;
    if (output.overwrite) {
      output.overwrite(text);
      overwritten = true;
    } else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      output.line(text);
    }
  };
  show();
  const timer = setInterval(show, POLL_MS);
  try {
    const done = await result.completion;
    return {
      migrated: done.migrated,
      durationMs: performance.now() - t0,
      longestBlockMs: delay.max / 1e6,
    };
  } finally {
    clearInterval(timer);
    delay.disable();
    if (overwritten) output.endOverwrite?.();
  }
}

/**
 * The final line of a progressive reload. Its longest block is the longest
 * the program was held from the save on: the sweep's, or the count's before
 * it (`countMs`) when that was longer — with the heap finder the count is a
 * heap query, one block of a whole heap walk, which the sweep's slices do not
 * make shorter.
 */
export function sweepLine(
  label: string,
  pauseMs: number,
  summary: SweepSummary,
  countMs = 0,
): string {
  const counted = countMs > summary.longestBlockMs;
  const longest = counted ? countMs : summary.longestBlockMs;
  return `${label}: ${summary.migrated} instance${summary.migrated === 1 ? "" : "s"} migrated progressively in ${seconds(summary.durationMs)}, pause ${pauseMs.toFixed(2)} ms, longest block ${longest.toFixed(0)} ms${counted ? " (finding the instances)" : ""}`;
}
