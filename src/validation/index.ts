export {
  type InstanceValidationFailure,
  type NamedInstanceValidation,
  type NamedNamespaceValidation,
  runInstanceValidations,
  runNamespaceValidations,
} from "./applicationValidations.js";
export {
  formatReport,
  makeReport,
  type ValidationFailure,
  type ValidationReport,
} from "./report.js";
export { type ConformanceExpectation, validateConformance } from "./conformance.js";
export { type CyclicSuperclassFailure, validateDefinitions } from "./definitions.js";
export type { DuplicateFieldFailure } from "./fieldDeclarations.js";
export {
  type RemovedClass,
  type RemovedClassReferenceFailure,
  type RemovedClassReferencesInput,
  validateRemovedClassReferences,
} from "./removedReferences.js";
export { type RenamedClass, validateShadowedMethods } from "./shadowedMethods.js";
export { SYSTEM_RULES, type SystemRule } from "./systemRules.js";
