/**
 * The warnings the updates of a check gave (`result.warnings`), and which
 * of them mean the migrated program is wrong rather than merely unusual. An
 * update that commits with `MM_FIELDS_DROPPED` ("every object lost those
 * values") passed every property: the properties compare policies, runs
 * and rollbacks with one another, and every one of them lost the same
 * values. So the check lists what the updates said, once per code, and the
 * no-silent-loss property fails on the codes below unless the author
 * accepts them by name.
 */
import type { UpdateWarning } from "../../migration/warning.js";
import type { Namespace } from "../../namespace/namespace.js";

export type WarningCode = UpdateWarning["code"];

/**
 * The codes that say state is lost or code reads what is not there
 * (docs/refusals.md): values gone from every object, a read of a field a
 * pending object does not have yet, closures or constructors running into
 * members the new version lacks. The others say what the update could not
 * see or left as it was (`MM_UNSEEN_STATE`: carried over unchanged), which
 * the report lists without failing anything.
 */
export const SILENT_LOSS_CODES = [
  "MM_FIELDS_DROPPED",
  "MM_STATICS_DROPPED",
  "MM_PENDING_FIELD_READ",
  "MM_MIGRATOR_READS_MIGRATING",
  "MM_STALE_CLOSURE",
  "MM_CONSTRUCTOR_CALLS_NEW_METHOD",
] as const satisfies readonly WarningCode[];

export type SilentLossCode = (typeof SILENT_LOSS_CODES)[number];

/** Every warning code an update gives (for refusing a misspelt one). */
export const WARNING_CODES: readonly WarningCode[] = [
  "MM_UNSEEN_STATE",
  "MM_NO_INITIAL_VALUE",
  "MM_ALIAS_SPLIT",
  "MM_STALE_FUNCTION_FIELD",
  "MM_FIELDS_DROPPED",
  "MM_STATICS_DROPPED",
  "MM_STALE_CLOSURE",
  "MM_FIELD_KIND_CHANGED",
  "MM_UNSEEN_INSTANCES",
  "MM_OLD_RELEASE_VALUE",
  "MM_PROGRAM_METHOD_REPLACED",
  "MM_PROGRAM_METHOD_KEPT",
  "MM_CONSTRUCTOR_CALLS_NEW_METHOD",
  "MM_MIGRATOR_READS_MIGRATING",
  "MM_PENDING_FIELD_READ",
  "MM_WARNING_CHECK_FAILED",
];

export function isSilentLoss(code: string): code is SilentLossCode {
  return (SILENT_LOSS_CODES as readonly string[]).includes(code);
}

/** A warning the updates of a check gave: its code and the first message given with it. */
export interface ReportedWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/** The first warning of each code, in the order given. */
export type WarningLog = Map<WarningCode, ReportedWarning>;

/**
 * The log of each world's namespace: an update is run on a namespace, and
 * checks running side by side never share one.
 */
const logs = new WeakMap<Namespace, WarningLog>();

export function logWarningsOf(namespace: Namespace, log: WarningLog): void {
  logs.set(namespace, log);
}

export function noteWarnings(namespace: Namespace, warnings: readonly UpdateWarning[]): void {
  const log = logs.get(namespace);
  if (log === undefined) return;
  for (const w of warnings)
    if (!log.has(w.code)) log.set(w.code, { code: w.code, message: w.message });
}
