/**
 * metamorph — update running JavaScript/TypeScript programs without
 * restarting them. This is the one public entry point.
 */

// Reflection (src/mop)
export type {
  ClassDefinition,
  ClassSpec,
  FieldDefinition,
  FieldOrigin,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "./mop/classDefinition.js";
export { definitionFromSpec } from "./mop/classDefinition.js";
export type { ClassVersion } from "./mop/classHandle.js";
export { classHandleOf, currentVersion, isClassHandle } from "./mop/classHandle.js";
export type { Constructor, CreateClassOptions } from "./mop/createClass.js";
export { createClass } from "./mop/createClass.js";
export { readInstanceVariable, writeInstanceVariable } from "./mop/instanceAccess.js";
export type { FindOptions, InstanceFinderKind } from "./mop/instances/finder.js";
export type { InstanceHandleOptions } from "./mop/instanceHandle.js";
export {
  createInstanceHandle,
  instanceHandleTarget,
  isInstanceHandle,
  retargetInstanceHandle,
} from "./mop/instanceHandle.js";
export { forwardObjects, swapObjects } from "./mop/objectSwapping.js";
export type { ReadClassDefinitionOptions } from "./mop/readClassDefinition.js";
export { readClassDefinition } from "./mop/readClassDefinition.js";

// Namespaces (src/namespace)
export type { ReplaceRecord } from "./namespace/bulkReplace.js";
export { replaceNamespace } from "./namespace/bulkReplace.js";
export type {
  Binding,
  DefineClassOptions,
  NamespaceOptions,
  NamespaceSnapshot,
} from "./namespace/namespace.js";
export { allInstances, Namespace } from "./namespace/namespace.js";
export { cloneNamespace, Shadow } from "./namespace/shadow.js";

// Patches and updates (src/migration)
export type { Change, ChangeKind } from "./migration/changes.js";
export type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  OldView,
  Operation,
  Policy,
  ValidationWorld,
} from "./patch/operations.js";
export { Patch } from "./patch/patch.js";
export { patch } from "./patch/builder.js";
export type {
  LazyCompletion,
  UpdateEvent,
  UpdateOptions,
  UpdatePhase,
  UpdateResult,
  UpdateTimings,
} from "./migration/update.js";
export { update, updateSync } from "./migration/update.js";

// Update lifecycle (src/lifecycle); the whole API, including the
// generic criteria helpers (when, always, within, evaluate), is at "metamorph/lifecycle".
export type {
  Cooperative,
  Criterion,
  LifecycleEvent,
  LifecycleHooks,
  LifecycleReport,
  LifecycleStatus,
  LifecycleUpdate,
  SchedulePolicy,
  Ticket,
} from "./lifecycle/index.js";
export {
  Adoptable,
  allOf,
  anyOf,
  applyUpdate,
  asap,
  CallTracker,
  ExplicitManager,
  prepareComponents,
  quiescent,
  retirementReport,
  runUpdate,
  ScheduledManager,
  whenIdle,
} from "./lifecycle/index.js";

// Validation reports (src/validation)
export type { ValidationFailure, ValidationReport } from "./validation/report.js";
export { ValidationError } from "./validation/report.js";

// Errors
export * from "./errors.js";
