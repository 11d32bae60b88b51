/**
 * The vocabulary of the migration properties: their names and descriptions,
 * what one run is given, what a property is (an arbitrary and a predicate),
 * and the violation a predicate throws.
 */
import type fc from "fast-check";
import type { OldView, Policy } from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import type { InstanceOptions, WorldModel, WorldSpec } from "../world/types.js";

export type PropertyName =
  | "totality"
  | "validity"
  | "rollback"
  | "policy-independence"
  | "composition"
  | "round-trip"
  | "no-op"
  | "postcondition";

export const PROPERTY_NAMES: readonly PropertyName[] = [
  "totality",
  "validity",
  "rollback",
  "policy-independence",
  "composition",
  "round-trip",
  "no-op",
  "postcondition",
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
 * A relation between an instance before and after the migration. Returns
 * true (or nothing) when it holds, false or a message when it does not; a
 * throw (a failed `expect`, say) fails it too.
 */
export type Postcondition = (
  old: OldView,
  migrated: Readonly<Record<string, unknown>>,
  context: PostconditionContext,
) => boolean | string | undefined;

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

/** What one run of a property is given. */
export interface PropertyInput {
  readonly world: WorldSpec;
  readonly rollback?: RollbackScenario;
  /** Progressive sweep slice size. */
  readonly sliceSize?: number;
}

export interface MigrationProperty {
  readonly name: PropertyName;
  readonly description: string;
  /** Why this property cannot run with the given options; it is then skipped. */
  readonly skipped?: string;
  /** Why this property fails whatever the world (found before any run). */
  readonly refused?: string;
  readonly arbitrary: fc.Arbitrary<PropertyInput>;
  /** Resolves when the property holds for `input`; rejects with a PropertyViolation otherwise. */
  readonly predicate: (input: PropertyInput) => Promise<void>;
}

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
}
