/**
 * The engine's vocabulary: what an update is told (options), what it says
 * while it runs (events, one per phase boundary) and what it hands back (the
 * result, which owns the update's lazy completion and rollback).
 */
import type { Policy } from "../patch/operations.js";
import type { ValidationReport } from "../validation/report.js";
import type { Change } from "./changes.js";
import type { UpdateWarning } from "./warnings.js";

export type UpdatePhase =
  | "build"
  | "shadow"
  | "migrate"
  | "validate"
  | "commit"
  | "sweep"
  | "rollback";

export interface UpdateEvent {
  readonly phase: UpdatePhase;
  readonly status: "start" | "end" | "failed";
  readonly patch: string;
  readonly ms?: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface UpdateOptions {
  /** Overrides the patch's policy. */
  readonly policy?: Policy;
  /**
   * Progressive sweep: at most this many objects migrated per macrotask. A
   * slice also ends after about 4 ms, so by default slices are bounded by
   * time alone.
   */
  readonly sliceSize?: number;
  /** Run after the commit; false or a throw rolls the update back. */
  readonly healthCheck?: () => boolean | Promise<boolean>;
  /**
   * How long the health check may take (ms, default 60 000): one that has
   * not answered by then counts as failed, and the update is rolled back.
   * Without it, a check that never settled left the update committed and
   * every later update of the namespace refused (MM_NESTED_UPDATE), for good.
   */
  readonly healthCheckTimeoutMs?: number;
  readonly onEvent?: (event: UpdateEvent) => void;
  /**
   * Fault injection for tests: called before each object is rewritten inside
   * the commit (step 0 … total-1); a throw aborts the commit there.
   */
  readonly onCommitStep?: (step: number, total: number) => void;
}

export interface UpdateTimings {
  build: number;
  shadow: number;
  migrate: number;
  validate: number;
  commit: number;
  /** The synchronous block from the commit's start to its end: the update's pause. */
  total: number;
  /**
   * `update()` with the heap finder: the heap query that found the instances
   * before the pause, a block of its own the program sees (a full garbage
   * collection and a walk of the whole heap; not part of `total`).
   */
  find?: number;
  /** How long the rollback blocked the program, once the update was rolled back. */
  rollback?: number;
}

export interface LazyCompletion {
  readonly migrated: number;
  readonly failed: readonly { readonly object: object; readonly error: unknown }[];
}

export type UpdateState = "committed" | "permanent" | "rolled-back";

export interface UpdateResult {
  /**
   * How the call ended: committed, or rolled back by its health check. What
   * happens to the update afterwards (`rollback()`, a lazy migration failing
   * at a first touch, `makePermanent()`) is in `state()`.
   */
  readonly outcome: "committed" | "rolled-back";
  readonly patch: string;
  readonly policy: Policy;
  readonly fromVersion: number;
  /** The namespace version the commit made: a binding an afterCommit hook defines comes after it. */
  readonly toVersion: number;
  readonly changes: readonly Change[];
  readonly classesChanged: number;
  /** Instances migrated inside the commit (eager) — lazy ones migrate later, see `migratedSoFar`. */
  readonly instancesMigrated: number;
  readonly timings: UpdateTimings;
  /**
   * The update's pause (ms): the commit's block or, once rolled back, the
   * rollback's if longer. With the heap finder, `update()` also blocks the
   * program before its pause, for the heap query that finds the instances
   * (`timings.find`, often longer): `longestBlockMs` is the longer of the two.
   */
  readonly pauseMs: number;
  /**
   * The longest time the update call itself kept the program from running
   * (ms): `pauseMs`, or `timings.find` if longer. What a lazy or progressive
   * update does later is not counted: first touches, and a sweep's slices
   * (each about 4 ms) and, with the heap finder, the heap queries of its
   * completion (one block each, as long as `timings.find`).
   */
  readonly longestBlockMs: number;
  readonly validation: ValidationReport;
  /** What deserves a look although nothing was refused (warnings.ts), e.g. state a class's source does not reveal. */
  readonly warnings: readonly UpdateWarning[];
  /** Errors the `onEvent` listener threw; they changed nothing. */
  readonly listenerErrors: readonly { readonly event: UpdateEvent; readonly error: unknown }[];
  /**
   * Errors the patch's afterRollback hooks threw when the update was rolled
   * back (the rollback itself completed); empty until then.
   */
  readonly hookErrors: readonly {
    readonly hook: string;
    readonly when: "afterCommit" | "afterRollback";
    readonly error: unknown;
  }[];
  /** Instances migrated since the commit by first touch or sweep. */
  migratedSoFar(): number;
  /** Instances still on an old version (a heap or registry query). */
  pendingInstances(): number;
  /**
   * Resolves when no old-version instance is left (eager: at once; lazy: once
   * `completeMigration` ran, or a later update that completed it committed).
   * Rejects with a MigrationError naming the object and the migrators when
   * an object could not be migrated and the whole update was rolled back,
   * and with a RollbackError (`MM_ROLLBACK`) when `rollback()` came first.
   */
  readonly completion: Promise<LazyCompletion>;
  /**
   * Migrates every pending instance now (lazy and progressive). If one
   * cannot be migrated, the whole update is rolled back (see `state()`) and
   * the failure is listed in `failed`.
   */
  completeMigration(): LazyCompletion;
  /** Reverts to the previous version; values written since the commit to fields both versions have are kept. */
  rollback(): void;
  /** Drops the state retained for rollback. */
  makePermanent(): void;
  readonly state: () => UpdateState;
}
