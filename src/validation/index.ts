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
export {
  type ConformanceExpectation,
  type CyclicSuperclassFailure,
  type DuplicateFieldFailure,
  type RemovedClass,
  type RemovedClassReferenceFailure,
  type RemovedClassReferencesInput,
  SYSTEM_RULES,
  type SystemRule,
  validateConformance,
  validateDefinitions,
  validateRemovedClassReferences,
} from "./systemValidations.js";
