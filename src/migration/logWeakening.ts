/**
 * Converts an eager update's migration logs to weak entries
 * (weakenedLog.ts) once its pause is over, in slices between the program's
 * tasks: 10^6 WeakRefs in one block would be a pause of their own. A log
 * stays strong until its last slice (a rollback meanwhile reads it as
 * before); making the update permanent or rolling it back clears the log,
 * which stops the conversion.
 */
import { nextTask } from "./lazyMigration.js";
import { SLICE_MS } from "./sweep.js";
import { type Weakenable, WeakenedEntries } from "./weakenedLog.js";

const CHECK_EVERY = 1024;

/**
 * Converts `logs` to weak entries in slices of SLICE_MS between tasks.
 * Stops where a log was cleared (made permanent, rolled back).
 */
export async function weakenLogs(logs: readonly Weakenable[]): Promise<void> {
  for (const log of logs) {
    if (log.objects.length === 0 || log.weak !== undefined) continue;
    const weak = new WeakenedEntries();
    log.weak = weak;
    let next = 0;
    for (;;) {
      await nextTask();
      if (log.weak !== weak) break;
      // A reopened lazy log dropped entries meanwhile (MigrationLog.truncate): those go too.
      if (next > log.objects.length) next = weak.refs.length = log.objects.length;
      next = weakenUntil(log, weak, next, performance.now() + SLICE_MS);
      if (next >= log.objects.length) {
        weak.done = true;
        log.weakened();
        break;
      }
    }
  }
}

function weakenUntil(
  log: Weakenable,
  weak: WeakenedEntries,
  from: number,
  deadline: number,
): number {
  const { objects } = log;
  let i = from;
  for (; i < objects.length; i++) {
    if ((i - from) % CHECK_EVERY === CHECK_EVERY - 1 && performance.now() >= deadline) break;
    weak.add(objects[i]!, log.general.get(i), log, i);
  }
  return i;
}
