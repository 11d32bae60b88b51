/** When a scheduled manager may start an update: as soon as possible, when the event loop is idle enough, or within a time window. */

export type SchedulePolicy =
  | { readonly kind: "asap" }
  | {
      readonly kind: "idle";
      /** Highest event-loop utilisation (0…1) over a sample that counts as idle. */
      readonly threshold: number;
      /** Length of a sample (ms). */
      readonly sampleMs: number;
    }
  | {
      readonly kind: "window";
      readonly description: string;
      /** Whether updates may start at `now` (epoch ms). */
      readonly isOpen: (now: number) => boolean;
      /** When the window that is open at `now` closes (epoch ms); the update must commit before. */
      readonly closesAt?: (now: number) => number | undefined;
    };

/** As soon as possible. */
export const asap: SchedulePolicy = Object.freeze({ kind: "asap" });

/** When `performance.eventLoopUtilization()` over a sample is at most `threshold` (default 0.5 over 100 ms). */
export function whenIdle(
  options: { readonly threshold?: number; readonly sampleMs?: number } = {},
): SchedulePolicy {
  return { kind: "idle", threshold: options.threshold ?? 0.5, sampleMs: options.sampleMs ?? 100 };
}

/** Between two instants (epoch ms or Dates); the update must commit before `end`. */
export function within(start: number | Date, end: number | Date): SchedulePolicy {
  const from = +start;
  const to = +end;
  return {
    kind: "window",
    description: `between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
    isOpen: (now) => now >= from && now < to,
    closesAt: () => to,
  };
}

/** Whenever `isOpen(now)` says so. */
export function inWindow(description: string, isOpen: (now: number) => boolean): SchedulePolicy {
  return { kind: "window", description, isOpen };
}
