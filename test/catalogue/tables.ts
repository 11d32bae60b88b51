// Every case table, by phase, for the catalogue test, the documentation check
// and the counts script (test/catalogue/counts.ts).
import { argumentCases } from "./cases/arguments.js";
import { definitionCases } from "./cases/definitions.js";
import { devCases } from "./cases/dev.js";
import { implementationCases } from "./cases/implementation.js";
import { lifecycleCases } from "./cases/lifecycle.js";
import { builderCases, jsonCases } from "./cases/patch.js";
import { reflectionCases } from "./cases/reflection.js";
import { releaseCases } from "./cases/release.js";
import { rollbackCases } from "./cases/rollback.js";
import { testingCases } from "./cases/testing.js";
import {
  commitCases,
  migrationCases,
  optionCases,
  patchFitCases,
  staticFieldCases,
  validationCases,
} from "./cases/update.js";
import type { AnyCase, Phase } from "./support.js";

export const tables: readonly (readonly [Phase, readonly AnyCase[]])[] = [
  ["patch", builderCases],
  ["json", jsonCases],
  ["definitions", [...definitionCases, ...argumentCases]],
  ["migration", [...patchFitCases, ...staticFieldCases, ...migrationCases, ...implementationCases]],
  ["validation", validationCases],
  ["commit", commitCases],
  ["options", optionCases],
  ["rollback", rollbackCases],
  ["lifecycle", lifecycleCases],
  ["reflection", reflectionCases],
  ["release", releaseCases],
  ["testing", testingCases],
  ["dev", devCases],
];

export const allCases: readonly AnyCase[] = tables.flatMap(([, cases]) => cases);
