/**
 * Before an update()'s pause: the fields each rewrite will write, and the
 * symbols a rewrite would have to move (trailingSymbols.ts), are looked at
 * on every object found, in slices between the program's tasks. An object
 * whose written field is an own accessor, read-only or non-configurable,
 * or that has symbols, must take the general path (compiledSource.ts
 * `plainFieldsSource`); where one is found, the pause looks at every
 * object as updateSync does.
 *
 * Where none is, the pause saves only the look for symbols (~35 ns an
 * object): a symbol the program adds in between costs its object V8's fast
 * mode, nothing else. The written fields' descriptors it reads again
 * (~20 ns each): the program may redefine one in between (an accessor, a
 * read-only field), and JavaScript has no cheaper way to tell than reading
 * it (review advZ23: trusted, such a field was rewritten as a plain one).
 * A look that throws (a Proxy's trap) leaves the class to the pause, which
 * reads its objects again and refuses one whose read throws there.
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
      if (!allPlain(firstNotPlain, objects, checked, end)) break;
      checked = end;
      if (performance.now() - sliceStart >= sliceMs) {
        await nextTask();
        sliceStart = performance.now();
      }
    }
  }
  return plain;
}

/** Whether `objects[start…end)` are plain; false where a read of one throws. */
export function allPlain(
  firstNotPlain: NonNullable<Plan["compiled"]["firstNotPlain"]>,
  objects: readonly object[],
  start: number,
  end: number,
): boolean {
  try {
    return firstNotPlain(objects, start, end) < 0;
  } catch {
    return false;
  }
}
