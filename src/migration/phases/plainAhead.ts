/**
 * Before an update()'s pause: the fields each rewrite will write are looked
 * at on every object found, in slices between the program's tasks, so that
 * the pause's scan need not read their descriptors (about 20 ns a field,
 * a quarter of a rename's rewrite at 10^5 objects). An object whose field
 * is an own accessor, read-only or non-configurable must take the general
 * path (compiledSource.ts `plainFieldsSource`); where one is found, the
 * pause reads every object's descriptors as updateSync does. So with an
 * object that has symbols, where they must move (trailingSymbols.ts): the
 * pause then looks for them on every object (~35 ns each).
 *
 * What this cannot see: a field the program redefines (as an accessor, say)
 * between this look and the pause, a few tasks later. Objects made in
 * between are looked at in the pause (prepare.ts).
 */
import type { Plan } from "../migrationPlan.js";

/** Objects looked at between two looks at the clock. */
const CHUNK = 4096;

/**
 * By class prototype, how many objects from the start of the class's list
 * have only plain written fields; a class with one that has not, or whose
 * list is no longer valid, is left out.
 */
export async function plainAhead(
  plans: readonly Plan[],
  objectsFor: (prototype: object) => object[] | undefined,
  sliceMs: number,
  nextTask: () => Promise<void>,
): Promise<Map<object, number>> {
  const plain = new Map<object, number>();
  let sliceStart = performance.now();
  for (const plan of plans) {
    const firstNotPlain = plan.compiled.firstNotPlain;
    if (firstNotPlain === undefined || !plan.compiled.fast) continue;
    let checked = 0;
    for (;;) {
      const objects = objectsFor(plan.prototype);
      if (objects === undefined) break;
      if (checked === objects.length) {
        plain.set(plan.prototype, checked);
        break;
      }
      const end = Math.min(objects.length, checked + CHUNK);
      if (firstNotPlain(objects, checked, end) >= 0) break;
      checked = end;
      if (performance.now() - sliceStart >= sliceMs) {
        await nextTask();
        sliceStart = performance.now();
      }
    }
  }
  return plain;
}
