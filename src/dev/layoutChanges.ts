/**
 * Whose calls in flight an edit waits for (./quiescentUpdate.ts): the
 * classes whose instances change layout. A call suspended at an `await`
 * resumes on its object as the object is then; only a new layout (a field
 * added, removed or renamed, a migrator's rewrite) can make it write a stray
 * field or read one that moved. An edit of method bodies alone applies at
 * once, as any hot reload does, even while a method of the class awaits —
 * a page's `async loop()` that never ends must not block every edit.
 */
import { builtAhead } from "../migration/phases/ahead.js";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Patch } from "../patch/patch.js";

/** The live classes whose instances `patch` migrates (none when it is refused: the update then says why). */
export function classesChangingLayout(namespace: Namespace, patch: Patch): Constructor[] {
  return (builtAhead(namespace, patch, "eager")?.handles ?? []) as Constructor[];
}
