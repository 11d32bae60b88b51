/** When a scheduled manager may start an update: as soon as possible, when the event loop is idle enough, or within a time window. */
import { InvalidOptionError } from "../errors.js";
import { kindOf } from "../valueKinds.js";
import { keys, requireKnownKeys } from "./optionKeys.js";

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
  requireKnownKeys(options, IDLE_KEYS, "whenIdle");
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

type PolicyOf<K extends SchedulePolicy["kind"]> = Extract<SchedulePolicy, { kind: K }>;
const IDLE_KEYS = keys<NonNullable<Parameters<typeof whenIdle>[0]>>({
  threshold: true,
  sampleMs: true,
});
/** Each kind's keys, and the kind of value each holds ("undefined" where it may be left out). */
const POLICY_PARTS: { readonly [K in SchedulePolicy["kind"]]: Record<keyof PolicyOf<K>, string> } =
  {
    asap: { kind: "string" },
    idle: { kind: "string", threshold: "number", sampleMs: "number" },
    window: {
      kind: "string",
      description: "string",
      isOpen: "function",
      closesAt: "function undefined",
    },
  };

/**
 * A policy a scheduled manager can follow, checked before it runs: one of
 * another kind (`{ kind: "turbo" }`), or a window whose `isOpen` is not a
 * function, made its loop throw where nothing heard it and the queue stall;
 * a misspelt key (`{ kind: "idle", treshold }`) was ignored.
 */
export function requirePolicy(policy: unknown, call: string): SchedulePolicy {
  const kind = kindOf(policy) === "object" ? (policy as { kind?: unknown }).kind : undefined;
  if (typeof kind !== "string" || !Object.hasOwn(POLICY_PARTS, kind))
    throw new InvalidOptionError(
      `${call}: policy is asap, whenIdle(…), within(…) or inWindow(…) (kind "asap", "idle" or "window"), not ${typeof kind === "string" ? JSON.stringify(kind) : kindOf(policy)}`,
      { call, option: "policy" },
    );
  const parts: Record<string, string> = POLICY_PARTS[kind as SchedulePolicy["kind"]];
  requireKnownKeys(policy, Object.keys(parts), call, `a policy of kind "${kind}"`);
  for (const [key, want] of Object.entries(parts)) {
    const value: unknown = (policy as Record<string, unknown>)[key];
    if (!want.split(" ").includes(typeof value))
      throw new InvalidOptionError(
        `${call}: the policy's ${key} must be a ${want.replace(" undefined", "")}, not ${kindOf(value)}`,
        { call, option: "policy", key },
      );
  }
  return policy as SchedulePolicy;
}
