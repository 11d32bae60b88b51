/**
 * metamorph/testing — prove a migration before it touches a live program.
 *
 * - Arbitraries (fast-check): worlds of live instances of the classes a
 *   patch applies to (shared references, cycles, subclass instances),
 *   instances of one class, class hierarchies, object graphs, and random
 *   patches valid against a model of classes.
 * - `checkMigration(patch, options)`: totality, validity, rollback, policy
 *   independence, composition, round trip, no-op and postcondition
 *   properties, and the update at every point of a workload of calls
 *   (`workload`), over worlds of ordinary classes or class specs with edge
 *   values mixed in; each pass says how many runs checked something, each
 *   failure comes with a shrunk counterexample, a replayable seed and the
 *   user's file:line:column; `assertMigration` throws a readable failure
 *   inside a test.
 * - `typedMigration<Old, New>()`: migrators that fail to compile when they
 *   forget a new field or give it the wrong type.
 *
 * Vitest users: `describeMigration` lives in `metamorph/testing/vitest`.
 */

// The building-block arbitraries.
export type {
  DefectKind,
  HierarchyOptions,
  InjectedDefect,
  InvalidHierarchy,
} from "./arbitraries/classDefinitions.js";
export {
  classDefinitionArb as classDefinitionArbitrary,
  classNameArb as classNameArbitrary,
  fieldNameArb as fieldNameArbitrary,
  hierarchyArb as hierarchyArbitrary,
  invalidHierarchyArb as invalidHierarchyArbitrary,
} from "./arbitraries/classDefinitions.js";
export type {
  ObjectGraph,
  ObjectGraphOptions,
  ObjectGraphSpec,
} from "./arbitraries/objectGraph.js";
export {
  buildObjectGraph,
  objectGraphArbitrary,
  objectGraphSpecArbitrary,
} from "./arbitraries/objectGraph.js";
export type {
  ModelClass,
  ModelWorld,
  PatchArbitraryOptions,
  PatchScenario,
  PatchSequenceScenario,
} from "./arbitraries/patch.js";
export {
  DEFAULT_MODEL_WORLD,
  patchArbitrary,
  patchScenarioArbitrary,
  patchSequenceArbitrary,
} from "./arbitraries/patch.js";
export type { CheckMigrationOptions } from "./check.js";
export {
  assertMigration,
  checkMigration,
  MigrationCheckError,
  migrationProperties,
} from "./check.js";
export type { MigrationReport, PropertyFailure, PropertyResult } from "./report.js";
export { formatMigrationReport } from "./report.js";
export type {
  MigrationProperty,
  Postcondition,
  PostconditionContext,
  PropertyInput,
  PropertyName,
  RollbackScenario,
  SchemaInstance,
  Verdict,
  Workload,
  WorkloadCommand,
  WorkloadRun,
} from "./properties/types.js";
export { formatPropertyInput } from "./properties/inputs.js";
export type { ReportedWarning, SilentLossCode } from "./properties/warningLog.js";
export { SILENT_LOSS_CODES } from "./properties/warningLog.js";
export { PROPERTY_DESCRIPTIONS, PROPERTY_NAMES, PropertyViolation } from "./properties/types.js";
export type { SnapshotComparison, SnapshotOptions, StateSnapshot } from "./snapshot.js";
export { compareSnapshots, reachableObjects, takeSnapshot } from "./snapshot.js";
export type {
  CarriedFields,
  DataFields,
  Derivations,
  DerivedFields,
  OptionalFields,
  RequiredFields,
  TypedMigration,
  TypedMigrationBuilder,
} from "./typedMigration.js";
export { typedMigration } from "./typedMigration.js";
export type {
  ClassValues,
  ConstructInstance,
  InstanceOptions,
  InstanceSpec,
  LiveWorld,
  ValueSpec,
  ValuesOption,
  WorldClass,
  WorldClassConstructor,
  WorldModel,
  WorldSchema,
  WorldSource,
  WorldSpec,
} from "./world/types.js";
export { buildWorld, worldArbitrary } from "./world/build.js";
export { ConstructedOutsideWorldError, ConstructFailedError } from "./world/construct.js";
export { formatWorldSpec } from "./world/format.js";
export { inferredValues, primitiveValues } from "./world/inferred.js";
export type { SpecNotClass } from "./world/instances.js";
export { instanceArbitrary } from "./world/instances.js";
export { worldModel } from "./world/model.js";
export { worldSpecArbitrary } from "./world/population.js";
export { worldInstance } from "./world/worldRefs.js";
export { WorldSourceError } from "./world/ordinaryClasses.js";
