/**
 * metamorph — update running JavaScript/TypeScript programs without
 * restarting them. The root entry carries the vocabulary of the field: the
 * eight reflective operations, namespaces, patches, the update functions with
 * their options and results, and the errors. Class and instance handles are
 * at `metamorph/mop`, the update lifecycle at `metamorph/lifecycle`, the
 * testing kit at `metamorph/testing`, live reloads at `metamorph/dev` and
 * `metamorph/vite`.
 */

// The eight reflective operations (src/mop, src/namespace)
export type { ClassDefinition, FieldDefinition, MethodDefinition } from "./mop/classDefinition.js";
export { createClass } from "./mop/createClass.js";
export { readInstanceVariable, writeInstanceVariable } from "./mop/instanceAccess.js";
export { swapObjects } from "./mop/objectSwapping.js";
export { readClassDefinition } from "./mop/readClassDefinition.js";
export type { ReplaceRecord } from "./namespace/bulkReplace.js";
export { replaceNamespace } from "./namespace/bulkReplace.js";
export { cloneNamespace, type Shadow } from "./namespace/shadow.js";

// Namespaces (src/namespace)
export type {
  Binding,
  DefineClassOptions,
  NamespaceOptions,
  NamespaceSnapshot,
  RegisterClassOptions,
} from "./namespace/namespace.js";
export type { DefineClassSpec } from "./namespace/options.js";
export { ExternalSuperclassError, InvalidBindingNameError } from "./namespace/errors.js";
export { allInstances, Namespace } from "./namespace/namespace.js";

// Patches (src/patch)
export type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  OldView,
  Operation,
  Policy,
  UpdateHook,
  UpdateHookContext,
  ValidationWorld,
} from "./patch/operations.js";
export { UntrustedPatchError } from "./patch/errors.js";
export { type FromJsonOptions, Patch } from "./patch/patch.js";
export type { PatchTrust, TrustOption } from "./patch/trust.js";
export { type PatchBuilder, patch } from "./patch/builder.js";
export type { AddFieldOptions, PatchSchema } from "./patch/builderTypes.js";
export type { PatchJson } from "./patch/json.js";

// Updates (src/migration)
export type { Change, ChangeKind } from "./migration/changes.js";
export type {
  LazyCompletion,
  UpdateEvent,
  UpdateOptions,
  UpdatePhase,
  UpdateResult,
  UpdateState,
  UpdateTimings,
} from "./migration/update.js";
export { InvalidOptionError, NestedUpdateError } from "./migration/errors.js";
export type { UpdateWarning } from "./migration/warnings.js";
export { update, updateSync } from "./migration/update.js";

// Validation reports and errors
export type { ValidationFailure, ValidationReport } from "./validation/report.js";
export { ValidationError } from "./validation/report.js";
export * from "./errors.js";
