/**
 * What a committed reload adds to its module's record (reloader.ts): the
 * names its scope now holds, the imports and removals it made, so that the
 * next save is compared with them.
 */
import type { ModuleRecord } from "./moduleGraph.js";
import type { PreparedReload } from "./prepare.js";
import { inEveryScope } from "./reloadFunctions.js";

/** Takes `prepared`'s scope changes into `record`; returns the names of the extras it added. */
export function recordScope(record: ModuleRecord, prepared: PreparedReload): string[] {
  const extrasAdded = Object.keys(prepared.extras).filter((n) => !record.extras.has(n));
  for (const [name, value] of Object.entries(prepared.extras)) record.extras.set(name, value);
  for (const key of prepared.used) record.used.add(key);
  for (const [local, from] of prepared.importedFrom) record.importedFrom.set(local, from);
  for (const [name, text] of prepared.removed) record.removed.set(name, text);
  for (const name of prepared.restored) record.removed.delete(name);
  record.setExtra = inEveryScope(record.setExtra, prepared.setExtra);
  return extrasAdded;
}
