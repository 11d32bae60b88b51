/**
 * The vocabulary of the migration properties: their names and descriptions,
 * what one run is given, what a property is (an arbitrary and a predicate),
 * and the violation a predicate throws.
 */
import type fc from "fast-check";
import type { OldView, Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import type { InstanceOptions, LiveWorld, WorldModel, WorldSpec } from "../world/types.js";
import type { SilentLossCode, WarningLog } from "./warningLog.js";

export type PropertyName =
  | "totality"
  | "validity"
  | "rollback"
  | "policy-independence"
  | "composition"
  | "round-trip"
  | "no-op"
  | "postcondition"
  | "workload"
  | "no-silent-loss";

export const PROPERTY_NAMES: readonly PropertyName[] = [
  "totality",
  "validity",
  "rollback",
  "policy-independence",
  "composition",
  "round-trip",
  "no-op",
  "postcondition",
  "workload",
  "no-silent-loss",
];

export const PROPERTY_DESCRIPTIONS: Readonly<Record<PropertyName, string>> = {
  totality:
    "the patch's migrators, field initialisers and defaults never throw on a valid old instance",
  validity:
    "no validation refuses the update, and every validation of the patch holds on the migrated objects",
  rollback:
    "a refused, failed or rolled-back update leaves values, identities, prototypes and classes exactly as they were",
  "policy-independence": "eager, lazy and progressive migration reach the same state",
  composition:
    "whenever applying the patch and then `next` succeeds, applying patch.andThen(next) succeeds with the same result",
  "round-trip": "the patch followed by its reverse gives back the old state",
  "no-op":
    "the empty patch changes nothing, and the patch leaves instances of the classes it does not migrate untouched",
  postcondition: "the postcondition holds between every old instance and its migrated self",
  workload:
    "applied at any point of a workload of calls on live objects (eager, lazy or progressive), the update makes no call fail and keeps the invariant",
  "no-silent-loss":
    "no update (eager, lazy or progressive) commits warning that state is lost or that code reads what is not there, unless accepted by code",
};

/** Where the class of an instance is, before and after the update. */
export interface PostconditionContext {
  /** The instance's position in the world. */
  readonly index: number;
  /** Its class's name before the update. */
  readonly oldClass: string;
  /** Its class's name after the update (undefined when the class was removed). */
  readonly newClass: string | undefined;
}

/**
 * An instance of one of a schema's classes, as a postcondition sees it: the
 * fields of one class (`{ Account: { balance: number } }` gives
 * `{ readonly balance: number }`; with several classes, any one of them).
 */
export type SchemaInstance<S extends object> = [keyof S] extends [never]
  ? OldView // a schema of no class (`object`, the constraint) says nothing
  : { readonly [C in keyof S]: Readonly<S[C]> }[keyof S];

/**
 * A relation between an instance before and after the migration. Returns
 * true (or nothing) when it holds, false or a message when it does not; a
 * throw (a failed `expect`, say) fails it too. `Old` and `New` type the
 * instance before and after: a check given a schema
 * (`checkMigration<World>`) types `old` by it, so `old.overdarwn` does not
 * compile; `checkMigration<World, WorldV2>` types the migrated instance too.
 */
export type Postcondition<
  Old extends object = OldView,
  New extends object = Readonly<Record<string, unknown>>,
> = (old: Old, migrated: New, context: PostconditionContext) => boolean | string | undefined;

/** How the rollback property ends an update. */
export type RollbackScenario =
  /** The update commits (with `policy`) and is rolled back: after completing a lazy migration, or after `wait` macrotasks. */
  | {
      readonly kind: "rollback";
      readonly policy: Policy;
      readonly complete: boolean;
      readonly wait: number;
    }
  /** An eager commit fails before rewriting object number `step` (when there are that many). */
  | { readonly kind: "commit-failure"; readonly step: number }
  /** The patch gets one more validation, which fails: the update must be refused. */
  | { readonly kind: "refusal" };

/** A call of a workload: a fast-check command on the model and the live objects. */
export type WorkloadCommand<Model extends object, Real> =
  | fc.Command<Model, Real>
  | fc.AsyncCommand<Model, Real>;

/**
 * A model of the program's operations, in fast-check's `fc.commands` style:
 * the live objects the calls act on, a model of what they should answer,
 * and the calls. The workload property runs generated sequences of calls and
 * applies the update at a generated point of each.
 */
export interface Workload<Model extends object, Real> {
  /**
   * Makes the live objects the calls act on (in the world's fresh namespace,
   * beside its generated instances) and the model of what they should answer.
   */
  setup(world: LiveWorld): { readonly model: Model; readonly real: Real };
  /** The calls, as arbitraries of commands (`check(model)`, `run(model, real)`, `toString()`). */
  readonly commands: readonly fc.Arbitrary<WorkloadCommand<Model, Real>>[];
  /**
   * What must hold of the live objects after every call and after the
   * update: true (or nothing) when it does, false or a message when not.
   */
  invariant?(real: Real, world: LiveWorld): boolean | string | undefined;
  /** Most calls in one workload (default 10). */
  readonly maxCommands?: number;
  /** The policies the update is applied with (default eager, lazy and progressive). */
  readonly policies?: readonly Policy[];
}

/** One generated run of a workload: the calls, where the update comes, and its policy. */
export interface WorkloadRun {
  readonly commands: Iterable<WorkloadCommand<object, unknown>>;
  /** The update is applied before call number `at` (after the last call when there are fewer). */
  readonly at: number;
  readonly policy: Policy;
}

/** What one run of a property is given. */
export interface PropertyInput {
  readonly world: WorldSpec;
  readonly workload?: WorkloadRun;
  readonly rollback?: RollbackScenario;
  /** Progressive sweep slice size. */
  readonly sliceSize?: number;
}

/**
 * What one run established: that the property held on something it really
 * checked, or nothing at all (the update was refused, a migrator threw, the
 * world had no instances…) — a pass that means nothing, counted apart.
 */
export type Verdict =
  | { readonly checked: true }
  | {
      readonly checked: false;
      /** Why nothing was checked, in a few words ("a migrator threw"). */
      readonly reason: string;
    };

export const CHECKED: Verdict = { checked: true };

export function vacuous(reason: string): Verdict {
  return { checked: false, reason };
}

export interface MigrationProperty {
  readonly name: PropertyName;
  readonly description: string;
  /** Why this property cannot run with the given options; it is then skipped. */
  readonly skipped?: string;
  /** Why this property fails whatever the world (found before any run). */
  readonly refused?: string;
  readonly arbitrary: fc.Arbitrary<PropertyInput>;
  /**
   * Resolves to whether the run checked anything when the property holds for
   * `input`; rejects with a PropertyViolation otherwise.
   */
  readonly check: (input: PropertyInput) => Promise<Verdict>;
  /**
   * `check` for fast-check runners (`fc.asyncProperty`, `test.prop`):
   * resolves or rejects alike, and rejects the run that reaches `numRuns`
   * when fewer than `minChecked` runs checked something.
   */
  readonly predicate: (input: PropertyInput) => Promise<void>;
}

/** A property as each property's module defines it: `predicate` is derived from `check`. */
export type PropertyDefinition = Omit<MigrationProperty, "predicate">;

/** A property that does not hold for one input; the message says how. */
export class PropertyViolation extends Error {
  constructor(
    readonly property: PropertyName,
    message: string,
  ) {
    super(message);
    this.name = "PropertyViolation";
  }
}

/** What the properties of one patch are built from. */
export interface PropertyContext {
  readonly patch: Patch;
  readonly model: WorldModel;
  readonly worlds: fc.Arbitrary<WorldSpec>;
  readonly instanceOptions: Pick<InstanceOptions, "construct">;
  readonly reverse?: Patch;
  readonly composeWith: readonly Patch[];
  readonly postcondition?: Postcondition;
  readonly workload?: Workload<object, unknown>;
  /** Warning codes the no-silent-loss property accepts. */
  readonly acceptWarnings?: readonly SilentLossCode[];
  /** Where the updates' warnings are gathered for the report. */
  readonly warnings?: WarningLog;
}
