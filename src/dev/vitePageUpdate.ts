/**
 * How the page applies one edit's patch (see ./vitePageRuntime.ts): like
 * `metamorph dev` (./applyReload.ts), above a threshold of instances of the
 * affected classes the update is progressive — it commits at once and
 * migrates the objects slice by slice between the page's own tasks — rather
 * than freezing the page for the whole population (issue 15, item 4). The
 * threshold is the plugin's `progressiveAbove` option (default the same as
 * `metamorph dev --progressive-above`), handed to the page by ./vite.ts.
 */
import { affectedClasses } from "../lifecycle/affected.js";
import { updateSync } from "../migration/update.js";
import type { UpdateResult } from "../migration/types.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";
import { estimatePopulation, PROGRESSIVE_ABOVE } from "./progressive.js";
import { PAGE_OPTIONS_KEY, type PageOptions } from "./vitePageOptions.js";

const PAGE_OPTIONS = Symbol.for(PAGE_OPTIONS_KEY);

function threshold(): number {
  const options = (globalThis as Record<symbol, PageOptions | undefined>)[PAGE_OPTIONS];
  return options?.progressiveAbove ?? PROGRESSIVE_ABOVE;
}

export interface PageUpdate {
  readonly result: UpdateResult;
  /** Instances of the affected classes (an upper bound, see estimatePopulation). */
  readonly population: number;
  readonly progressive: boolean;
}

/** Applies `patch` eagerly, or progressively when its classes have more instances than the threshold. */
export function applyOnPage(namespace: Namespace, patch: Patch): PageUpdate {
  const population = estimatePopulation(namespace, affectedClasses(namespace, patch));
  const progressive = population > threshold();
  const result = updateSync(namespace, patch, { policy: progressive ? "progressive" : "eager" });
  return { result, population, progressive };
}
