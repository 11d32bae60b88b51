/**
 * `checkMigration(patch, options)`: runs the migration properties of a patch
 * over generated worlds with fast-check and returns a report — for each
 * property, passed, skipped (and why) or failed with the shrunk
 * counterexample, the seed and the path that replay it. `assertMigration`
 * does the same and throws a MigrationCheckError with a readable message,
 * for use inside a test.
 */
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { InvalidOptionError, InvalidPatchError, ReportedError } from "../errors.js";
import { ValidationError } from "../validation/report.js";
import { Patch } from "../patch/patch.js";
import { checkOptionValues, checkWorkloadValues } from "./checkOptionValues.js";
import { requireTrustedOperations } from "../patch/trust.js";
import { updateSync } from "../migration/update.js";
import { buildProperties } from "./properties/index.js";
import type {
  MigrationProperty,
  Postcondition,
  SchemaInstance,
  PropertyContext,
  PropertyInput,
  PropertyName,
  Workload,
} from "./properties/types.js";
import { PROPERTY_NAMES } from "./properties/types.js";
import type { SilentLossCode, WarningLog } from "./properties/warningLog.js";
import { logWarningsOf, noteWarnings } from "./properties/warningLog.js";
import { describeError } from "./properties/wording.js";
import type { MigrationReport, PropertyResult } from "./report.js";
import { formatMigrationReport } from "./report.js";
import { runProperty } from "./runProperty.js";
import { FAST_MODE_UNCHECKED } from "./snapshot.js";
import type { VacuityRule } from "./vacuity.js";
import { vacuityRule } from "./vacuity.js";
import type { InstanceOptions, WorldSchema, WorldSource, WorldSpec } from "./world/types.js";

/**
 * `T`, where TypeScript does not infer it from (a deferred conditional type;
 * `NoInfer<T>` also blocks it, but makes `Parameters<typeof checkMigration>` never).
 */
type Explicit<T> = [T][T extends unknown ? 0 : never];
import { buildWorld } from "./world/build.js";
import { keysOf, refuseUnknownKeys } from "./optionKeys.js";
import {
  checkInstanceOptions,
  checkWorldSource,
  INSTANCE_OPTION_KEYS,
  instanceOptionsOf,
  WORLD_SOURCE_KEYS,
  worldSourceOf,
} from "./world/options.js";
import { liveStateOf } from "./world/live.js";
import { worldModel } from "./world/model.js";
import { worldSpecArbitrary } from "./world/population.js";

/**
 * Options of `checkMigration`: the old world, how to populate it, which properties, how many runs.
 * `S`, a schema of the old classes (`{ Account: { balance: number } }`), types `values` and the
 * postcondition's `old`; `N`, one of the migrated classes, its migrated instance. Given
 * explicitly (`checkMigration<World>(…)`), never inferred from the options: `values` name
 * some fields only, and an `old` typed by them would refuse the others.
 */
export type CheckMigrationOptions<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
> = WorldSource &
  InstanceOptions<Explicit<S>> & {
    /** Replaces the generated populations entirely (see `worldSpecArbitrary`). */
    readonly world?: fc.Arbitrary<WorldSpec>;
    /** The properties to check (default: all; those the options cannot support are skipped). */
    readonly properties?: readonly PropertyName[];
    /** A patch that undoes this one: enables the round-trip property. */
    readonly reverse?: Patch;
    /** Patches meant to follow this one: enables the composition property. */
    readonly composeWith?: Patch | readonly Patch[];
    /** A relation between each old instance and its migrated self: enables the postcondition property. */
    readonly postcondition?: Postcondition<SchemaInstance<S>, SchemaInstance<N>>;
    /** A model of the program's calls on live objects: enables the workload property (the update at every point of a workload). */
    readonly workload?: Workload<object, unknown>;
    /** Runs per property (default: fast-check's global `numRuns`, see `fc.configureGlobal`, else 100). */
    readonly numRuns?: number;
    /** The fast-check seed (default: fast-check's global `seed`, else random; the report gives it). */
    readonly seed?: number;
    /** Replays one counterexample (with `seed` and a single property): the `path` of a failure. */
    readonly path?: string;
    /**
     * Fewest runs of a property that must really check something — not end
     * early because the update was refused, a migrator threw or the world
     * was empty (default: a tenth of `numRuns`, at least 1; 0 turns it off).
     */
    readonly minChecked?: number;
    /** Below `minChecked`: fail the property (default) or pass it with a warning. */
    readonly vacuity?: "fail" | "warn";
    /**
     * Update warnings the no-silent-loss property accepts, by code
     * (`["MM_FIELDS_DROPPED"]` for a superclass change meant to drop fields).
     */
    readonly acceptWarnings?: readonly SilentLossCode[];
  };

/** Every key of CheckMigrationOptions (a record, so that an option added there must be added here). */
export const CHECK_OPTION_KEYS: readonly string[] = [
  ...WORLD_SOURCE_KEYS,
  ...INSTANCE_OPTION_KEYS,
  ...keysOf<Omit<CheckMigrationOptions, keyof WorldSource | keyof InstanceOptions>>({
    world: true,
    properties: true,
    reverse: true,
    composeWith: true,
    postcondition: true,
    workload: true,
    numRuns: true,
    seed: true,
    path: true,
    minChecked: true,
    vacuity: true,
    acceptWarnings: true,
  }),
];

const WORKLOAD_KEYS = keysOf<Workload<object, unknown>>({
  commands: true,
  setup: true,
  invariant: true,
  maxCommands: true,
  policies: true,
});

/** Options that shape the generated populations: ignored by a `world` that replaces them. */
const POPULATION_KEYS = ["values", "minInstances", "maxInstances", "references", "instantiate"];

/**
 * Refuses options with a key the check does not know (or, with a `world`,
 * one of the populations it replaces): each was ignored, and the check ran
 * weaker than written — `postcondtion` skipped the postcondition and passed.
 */
export function checkCheckOptions(options: unknown, call: string, known = CHECK_OPTION_KEYS): void {
  if (options === undefined) {
    throw new InvalidOptionError(`${call}: give options, with \`classes\` or \`namespace\``, {
      call,
    });
  }
  refuseUnknownKeys(options, known, call);
  const given = options as CheckMigrationOptions;
  checkOptionValues(given, call);
  refuseUnknownKeys(given.workload, WORKLOAD_KEYS, `${call} workload`);
  checkWorkloadValues(given.workload, call);
  const ignored = POPULATION_KEYS.find((k) => Object.hasOwn(given, k));
  if (given.world !== undefined && ignored !== undefined) {
    throw new InvalidOptionError(
      `${call}: \`${ignored}\` shapes generated populations, and \`world\` replaces them: give it to the arbitrary you pass as \`world\``,
      { call, option: ignored },
    );
  }
}

/** A migration check found a property that does not hold; `report` has every result, with shrunk counterexamples and the seed to replay them. */
export class MigrationCheckError extends ReportedError<MigrationReport> {
  readonly code = "MM_MIGRATION_CHECK";
}

function newSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}

function context<S extends WorldSchema, N extends WorldSchema>(
  patch: Patch,
  options: CheckMigrationOptions<S, N>,
  call: string,
  warnings?: WarningLog,
): PropertyContext {
  if (!(patch instanceof Patch)) {
    throw new InvalidPatchError(
      `checkMigration expects a Patch (made with patch(name)…build()), not ${patch === null ? "null" : typeof patch}`,
      { type: patch === null ? "null" : typeof patch },
    );
  }
  checkCheckOptions(options, call);
  const composeWith =
    options.composeWith === undefined
      ? []
      : options.composeWith instanceof Patch
        ? [options.composeWith]
        : [...options.composeWith];
  for (const p of [patch, ...(options.reverse ? [options.reverse] : []), ...composeWith]) {
    // Untrusted first: "call hydrate()" would be the wrong advice, hydrating is refused too.
    requireTrustedOperations(p.operations, "be checked");
    p.requireHydrated();
  }
  const source = worldSourceOf(options);
  checkWorldSource(source, call);
  const model = worldModel(source);
  const instanceOptions = instanceOptionsOf(options as InstanceOptions);
  checkInstanceOptions(instanceOptions, model, call);
  const worlds = options.world ?? worldSpecArbitrary(model, instanceOptions);
  return {
    patch,
    model,
    worlds,
    instanceOptions: options.construct ? { construct: options.construct } : {},
    composeWith,
    ...(options.reverse ? { reverse: options.reverse } : {}),
    // Typed for the user's schema; the property hands it the instances of that world.
    ...(options.postcondition ? { postcondition: options.postcondition as Postcondition } : {}),
    ...(options.workload ? { workload: options.workload } : {}),
    ...(options.acceptWarnings ? { acceptWarnings: options.acceptWarnings } : {}),
    ...(warnings ? { warnings } : {}),
  };
}

/**
 * The properties of `patch` as plain values (an arbitrary and a predicate
 * each), for `fc.assert` or `@fast-check/vitest`:
 *
 *     for (const p of migrationProperties(patch, options))
 *       test.prop([p.arbitrary])(p.name, p.predicate);
 */
export function migrationProperties<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
>(patch: Patch, options: CheckMigrationOptions<S, N>): MigrationProperty[] {
  return selectProperties(
    context(patch, options, "migrationProperties"),
    options.properties,
    vacuityRule(options),
  );
}

function selectProperties(
  ctx: PropertyContext,
  properties: readonly PropertyName[] | undefined,
  rule: VacuityRule,
): MigrationProperty[] {
  const all = buildProperties(ctx, rule);
  const wanted = properties ?? PROPERTY_NAMES;
  for (const name of wanted) {
    if (!PROPERTY_NAMES.includes(name)) {
      throw new InvalidOptionError(
        `checkMigration: unknown property "${name}" (one of ${PROPERTY_NAMES.join(", ")})`,
        { option: "properties", value: name },
      );
    }
  }
  return all.filter((p) => wanted.includes(p.name));
}

/** A refusal of the patch on a world with no instances: the patch does not fit the classes at all. */
function preflight(patch: Patch, ctx: PropertyContext): string | undefined {
  const world = buildWorld(ctx.model, { instances: [] }, ctx.instanceOptions);
  try {
    const result = updateSync(world.namespace, patch, { policy: "eager" });
    if (ctx.warnings) {
      logWarningsOf(world.namespace, ctx.warnings);
      noteWarnings(world.namespace, result.warnings);
    }
  } catch (error) {
    if (error instanceof ValidationError) return undefined; // may depend on instances: the properties tell
    return `the patch does not apply to these classes: ${describeError(error)}`;
  }
  return undefined;
}

/** A failure's counterexample, with the live state of its world below the spec where they differ. */
function withLiveState<R extends Pick<PropertyResult, "failure">>(
  result: R,
  ctx: PropertyContext,
): R {
  const failure = result.failure;
  if (failure?.counterexample === undefined || failure.counterexampleText === undefined)
    return result;
  const live = liveStateOf(ctx.model, failure.counterexample.world, ctx.instanceOptions);
  if (live === undefined) return result;
  return {
    ...result,
    failure: { ...failure, counterexampleText: `${failure.counterexampleText}\n${live}` },
  };
}

/** What `name` compares that this process cannot see (fast mode, for the properties comparing exact snapshots). */
function uncheckedBy(name: PropertyName): string | undefined {
  return name === "rollback" || name === "no-op" ? FAST_MODE_UNCHECKED : undefined;
}

/**
 * Runs the migration properties of `patch` (all by default) and reports on
 * each. Never throws for a property that fails — see `assertMigration`; it
 * throws for options that make no sense (no classes, a patch that is not
 * hydrated).
 */
export async function checkMigration<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
>(patch: Patch, options: CheckMigrationOptions<S, N>): Promise<MigrationReport> {
  return runCheck(patch, options, "checkMigration");
}

async function runCheck<S extends WorldSchema, N extends WorldSchema>(
  patch: Patch,
  options: CheckMigrationOptions<S, N>,
  call: string,
): Promise<MigrationReport> {
  const warnings: WarningLog = new Map();
  const ctx = context(patch, options, call, warnings);
  const rule = vacuityRule(options);
  const properties = selectProperties(ctx, options.properties, rule);
  const numRuns = rule.numRuns;
  // fast-check's global seed (fc.configureGlobal) serves here as in fc.check.
  const seed = options.seed ?? fc.readConfigureGlobal().seed ?? newSeed();
  const parameters: fc.Parameters<[PropertyInput]> = {
    numRuns,
    seed,
    ...(options.path === undefined ? {} : { path: options.path }),
  };
  const refused = preflight(patch, ctx);
  const results: PropertyResult[] = [];
  for (const property of properties) {
    if (refused !== undefined && property.skipped === undefined) {
      results.push({
        name: property.name,
        description: property.description,
        status: "failed",
        runs: 0,
        ms: 0,
        failure: { message: refused, seed, shrinks: 0 },
      });
      continue;
    }
    const t0 = performance.now();
    const result = withLiveState(await runProperty(property, parameters, seed, rule), ctx);
    const ms = Math.round(performance.now() - t0);
    const unchecked = result.status === "passed" ? uncheckedBy(property.name) : undefined;
    results.push({ ...result, ms, ...(unchecked === undefined ? {} : { unchecked }) });
  }
  return {
    ok: results.every((r) => r.status !== "failed"),
    patch: patch.name,
    seed,
    numRuns,
    properties: results,
    warnings: [...warnings.values()],
  };
}

/**
 * `checkMigration`, then throws a MigrationCheckError whose message is the
 * formatted report when a property fails; resolves to the report otherwise.
 */
export async function assertMigration<
  S extends WorldSchema = Record<string, Record<string, unknown>>,
  N extends WorldSchema = Record<string, Record<string, unknown>>,
>(patch: Patch, options: CheckMigrationOptions<S, N>): Promise<MigrationReport> {
  const report = await runCheck(patch, options, "assertMigration");
  if (!report.ok) {
    throw new MigrationCheckError(formatMigrationReport(report), report, {
      patch: report.patch,
      seed: report.seed,
      failed: report.properties.filter((p) => p.status === "failed").map((p) => p.name),
    });
  }
  return report;
}
