/**
 * The patch between two releases as data (./derive.ts derives it,
 * ./render.ts writes it), and what deriving one class needs to know.
 */
import type { ClassChangeSummary } from "../../dev/common.js";
import type { DevMigrations } from "../../dev/migrations.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import type { ClassRenames } from "./classRenames.js";
import type { NameResolution } from "./classTodos.js";
import type { FunctionChange } from "./functions.js";
import type { ModuleSource, ReleaseInventory } from "./inventory.js";
import type { HookSources } from "./migrationsSource.js";
import type { UncarriedClass } from "./uncarried.js";

/** A migrations module of the new release, loaded (its file relative to the new release). */
export interface MigrationsModule {
  readonly file: string;
  readonly value: DevMigrations;
  /** Whether its hints are the default export (else named exports). */
  readonly isDefault: boolean;
  /** For a TypeScript module: its migrators' and validations' text as JavaScript ("migrate.Account" → expression). */
  readonly sources?: HookSources;
  /** Its `classRenames`: new class name → the old one (./classRenames.ts). */
  readonly classRenames?: Readonly<Record<string, string>>;
}

export interface ReleasePair {
  readonly old: readonly ModuleSource[];
  readonly new: readonly ModuleSource[];
  /** By the file of the module they belong to (relative, without extension → see migrationsFor). */
  readonly migrations: readonly MigrationsModule[];
}

export interface ClassChange {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /**
   * "changed": its source changed; "subclass": unchanged, migrated because a
   * superclass's fields moved; "renamed": only renamed; "added": new in the
   * release, added because a class of the patch extends it.
   */
  readonly reason: "changed" | "subclass" | "renamed" | "added";
  /** Its name in the running release, when the new release renamed it. */
  readonly renamedFrom?: { readonly name: string; readonly hint?: string };
  /** For an added class: its managed superclass (new name) and the classes that extend it. */
  readonly added?: { readonly superclass: string | null; readonly extendedBy: readonly string[] };
  readonly summary: ClassChangeSummary;
  /** The new definition, read from the implementation's source (classes by their running names). */
  readonly definition: ClassDefinition;
  /** The new implementation, `class [extends B] { … }`, as JavaScript, classes by their running names (./runningNames.ts). */
  readonly implementation: string;
  /** Fields it declared that it now inherits from a superclass: their values stay. */
  readonly movedUp: readonly string[];
  /** What needs no decision but would surprise: [fact]. */
  readonly facts: readonly string[];
  readonly renames: Readonly<Record<string, string>>;
  /** Statics that keep their running value: declared by both versions with the same initialiser. */
  readonly keepStatics: readonly string[];
  /** [old, new] managed superclass names when `extends` changed (the new one by its new name). */
  readonly superclass?: readonly [string | null, string | null];
  /** The migrations module with hints for this class, when it has any it uses. */
  readonly migrations?: MigrationsModule;
  readonly migrator: boolean;
  readonly validation: boolean;
  /** Fields listed in `reset` whose initialiser changed: [field, new initialiser]. */
  readonly resets: readonly (readonly [string, string])[];
  /** Module-level names the implementation refers to (classes by their running names). */
  readonly moduleNames: readonly string[];
  /** Functions and classes named inside the implementation. */
  readonly namedInside: readonly string[];
  readonly todos: readonly string[];
}

export interface PatchDerivation {
  /** Superclasses before subclasses. */
  readonly classes: readonly ClassChange[];
  readonly functions: readonly FunctionChange[];
  /** What changed that no patch carries (restart to apply), and files added or removed. */
  readonly notes: readonly string[];
  /** Changed classes no patch carries, each a TODO: compiled otherwise than as declarations. */
  readonly uncarried?: readonly UncarriedClass[];
  /** TODOs of the release as a whole (a class that may be another renamed). */
  readonly todos?: readonly string[];
}

/** What the derivation of one class needs to know about both releases. */
export interface Context {
  readonly old: ReleaseInventory;
  readonly next: ReleaseInventory;
  /** New class name → running name. */
  readonly renames: ClassRenames;
  /** New class name → the migrations module whose `classRenames` said so. */
  readonly hintedBy: ReadonlyMap<string, string>;
  readonly migrations: readonly MigrationsModule[];
  readonly resolution: NameResolution;
}

/** A class of the new release as the service must read it: other classes by their running names. */
export interface RunningView {
  readonly expression: string;
  readonly definition: ClassDefinition;
  readonly moduleNames: readonly string[];
}
