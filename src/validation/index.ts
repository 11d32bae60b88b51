export {
  type InstanceValidationFailure,
  runInstanceValidations,
  runNamespaceValidations,
} from "./applicationValidations.js";
export type { ValidationFailure } from "./report.js";
export { validateConformance } from "./conformance.js";
export { type CyclicSuperclassFailure, validateDefinitions } from "./definitions.js";
export type { DuplicateFieldFailure } from "./fieldDeclarations.js";
export {
  type RemovedClass,
  type RemovedClassReferenceFailure,
  validateRemovedClassReferences,
} from "./removedReferences.js";
export { validateShadowedMethods } from "./shadowedMethods.js";
