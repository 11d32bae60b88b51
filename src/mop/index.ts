/**
 * `metamorph/mop`: the reflection layer beyond the eight operations the root
 * entry carries — class handles and their versions, instance handles, one-way
 * forwarding, and the vocabulary of class definitions.
 */
export type {
  ClassSpec,
  FieldOrigin,
  MemberKey,
  MethodKind,
} from "./classDefinition.js";
export { definitionFromSpec } from "./classDefinition.js";
export type { ClassVersion } from "./classHandle.js";
export { classHandleOf, currentVersion, isClassHandle } from "./classHandle.js";
export type { Constructor, CreateClassOptions } from "./createClass.js";
export type { ClassHandle } from "./classHandle.js";
export type { FindOptions, InstanceFinderChoice, InstanceFinderKind } from "./instances/finder.js";
export type { InstanceHandleOptions } from "./instanceHandle.js";
export {
  createInstanceHandle,
  instanceHandleTarget,
  isInstanceHandle,
  retargetInstanceHandle,
} from "./instanceHandle.js";
export { forwardObjects } from "./objectSwapping.js";
export type { ReadClassDefinitionOptions } from "./readClassDefinition.js";
