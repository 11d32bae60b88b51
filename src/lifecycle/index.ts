/**
 * The update lifecycle: when an update may happen, and driving it there —
 * requirements, set-up, alterability (quiescence of asynchronous code,
 * predicates, forced quiescence), cooperative components, the cooperative
 * path for private state, managers and scheduling policies, retirement.
 */
export { affectedClasses } from "./affected.js";
export type { Criterion, Evaluation, WaitOptions, WaitOutcome } from "./alterability.js";
export {
  allOf,
  always,
  anyOf,
  evaluate,
  quiescenceTargets,
  quiescent,
  waitUntilAlterable,
  when,
} from "./alterability.js";
export type { AppliedUpdate } from "./apply.js";
export { applyUpdate, preflight, splitPatch } from "./apply.js";
export type { ReplaceImplementation } from "./adoptionPlan.js";
export type {
  CallRecord,
  CallTrackerOptions,
  Hold,
  QuiescenceTarget,
  TrackOptions,
} from "./callTracking.js";
export { CallTracker } from "./callTracking.js";
export type {
  ComponentAnswer,
  ComponentVerdict,
  Cooperative,
  Preparation,
  PrepareAnswer,
  ResumeFailure,
  ResumeNotice,
  UpdateNotice,
} from "./cooperative.js";
export { prepareComponents } from "./cooperative.js";
export type {
  FinalStatus,
  LifecycleContext,
  LifecycleEvent,
  LifecycleHooks,
  LifecycleReport,
  LifecycleStatus,
  LifecycleStep,
  LifecycleUpdate,
  Requirement,
  RequirementVerdict,
  RetirementReport,
  RunOptions,
} from "./lifecycle.js";
export { isFinal, retirementReport, runUpdate } from "./lifecycle.js";
export type { ScheduledManagerOptions } from "./managers.js";
export { ExplicitManager, ScheduledManager, UpdateManager } from "./managers.js";
export type { SchedulePolicy } from "./schedulePolicies.js";
export { asap, inWindow, whenIdle, within } from "./schedulePolicies.js";
export type { Ticket, TicketState } from "./tickets.js";
export type { ManagerEvent, ManagerOptions } from "./managerOptions.js";
export type { AdoptionResult } from "./privateState.js";
export { Adoptable, applyAdoptions, EXPORT_HOOK, IMPORT_HOOK } from "./privateState.js";
