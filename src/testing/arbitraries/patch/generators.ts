/**
 * Every kind of operation a generated patch may hold. The order is part of
 * the generation (a step picks among the applicable generators by index),
 * so a seed keeps giving the same patch only while it stays the same.
 */
import {
  addClass,
  changeSuperclass,
  insertSuperclass,
  removeClass,
  renameClass,
  splitClass,
} from "./classGenerators.js";
import {
  addField,
  pullUpField,
  pushDownField,
  removeField,
  renameField,
  reorderFields,
} from "./fieldGenerators.js";
import {
  addMethod,
  migrate,
  policy,
  removeMethod,
  replaceMethod,
  validate,
  validateInstances,
} from "./memberGenerators.js";
import type { Generator } from "./state.js";

export const GENERATORS: readonly Generator[] = [
  addClass,
  removeClass,
  renameClass,
  addField,
  removeField,
  renameField,
  reorderFields,
  pullUpField,
  pushDownField,
  changeSuperclass,
  insertSuperclass,
  addMethod,
  replaceMethod,
  removeMethod,
  splitClass,
  migrate,
  validate,
  validateInstances,
  policy,
];
