/** Which instance finder `metamorph dev`'s namespace uses, and why its threshold differs from the library's. */
import { defaultInstanceFinderKind } from "../mop/instances/defaultFinder.js";
import type { InstanceFinderChoice } from "../mop/instances/finder.js";
import type { NamespaceOptions } from "../namespace/options.js";

/**
 * The adaptive finder's threshold under `metamorph dev` (the library's is
 * 65,536): a loop of temporaries pays the registry for at most this many
 * objects before the heap query takes over. Measured (bench
 * `dev.allocation2M`: 2M temporaries of a managed class in one job): at
 * 65,536 the loop took 2.4× as long as under tsx and 1.3× the memory — the
 * objects held until the job ends survive the young generation; at 1,024 it
 * is within 1.2× of tsx, as with the heap finder. What it costs: a program
 * that makes more than 1,024 managed objects in one job (a world built in
 * one loop) has its next reload query the heap, ~60–100 ms in a small
 * program (bench `dev.reload5kLatencyHeapFinder`; the query re-seeds the
 * registry), and every reload while it keeps doing so: a developer saving a
 * file barely notices, where a service's update would.
 */
export const DEV_SWITCH_TO_HEAP_AFTER = 1024;

/** The namespace options for `metamorph dev --instance-finder <choice>` (none: the library's default kind). */
export function devFinderOptions(choice: InstanceFinderChoice | undefined): NamespaceOptions {
  const instanceFinder = choice ?? defaultInstanceFinderKind();
  return instanceFinder === "adaptive"
    ? { instanceFinder, switchToHeapAfter: DEV_SWITCH_TO_HEAP_AFTER }
    : { instanceFinder };
}
