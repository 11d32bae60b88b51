/**
 * What the page says of its updates (./vitePageRuntime.ts): the status it
 * exposes as `globalThis.__metamorph`, the line of each update applied, the
 * `metamorph:update` event, and the end of a progressive migration.
 */
import { codedMessage } from "./common.js";
import { pageWording } from "./pageWording.js";
import { PREFIX } from "./prefix.js";
import type { PageResult } from "./vitePageUpdate.js";

/**
 * What the page can inspect: how many updates were applied, how many failed
 * (refused, or rolled back while migrating progressively), how many are
 * still migrating progressively, and the last line written.
 */
export const status = { updates: 0, failures: 0, migrating: 0, last: "" };
(globalThis as Record<string, unknown>).__metamorph = status;

/** A refusal's text, in the words of the page. */
export function message(error: unknown, path: string): string {
  return pageWording(codedMessage(error), path);
}

/** Says that an update was applied, and tells the page (which may re-render). */
export function tell(
  path: string,
  line: string,
  warnings: readonly string[],
  classes: readonly string[],
  notes: readonly string[] = [],
) {
  status.updates++;
  status.last = `${path}: ${line}`;
  console.info(`${PREFIX} ${status.last}`);
  for (const warning of warnings) console.warn(`${PREFIX} ${path}: warning: ${warning}`);
  for (const note of notes) console.info(`${PREFIX} ${path}: note: ${note}`);
  // addEventListener("metamorph:update", …) to show the new behaviour.
  globalThis.dispatchEvent?.(
    new CustomEvent("metamorph:update", { detail: { module: path, classes } }),
  );
}

/** A duration for people. */
function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

/** Reports the end of a progressive migration: its duration, or the failure that rolled it back. */
export function followOnPage(path: string, result: PageResult): void {
  const t0 = performance.now();
  status.migrating++;
  result.completion.then(
    (done) => {
      status.migrating--;
      const migrated = done?.migrated ?? 0;
      status.last = `${path}: ${migrated} instance${migrated === 1 ? "" : "s"} migrated progressively in ${duration(performance.now() - t0)}`;
      console.info(`${PREFIX} ${status.last}`);
    },
    (error: unknown) => {
      status.migrating--;
      status.failures++;
      status.last = `${path}: error: ${message(error, path)} — the update was rolled back; save again to retry`;
      console.error(`${PREFIX} ${status.last}`);
    },
  );
}
