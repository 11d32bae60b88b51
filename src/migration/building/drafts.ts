/**
 * The working state of a build: one mutable draft per class of the new
 * world, and the lookups every operation uses, each refusing with an
 * InvalidPatchError that names the operation and what it refers to.
 */
import { InvalidPatchError } from "../../errors.js";
import type {
  ClassDefinition,
  FieldDefinition,
  MethodDefinition,
} from "../../mop/classDefinition.js";
import type { Constructor } from "../../mop/createClass.js";
import type {
  ClassShape,
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Operation,
  Policy,
  UpdateHook,
} from "../../patch/operations.js";

export interface Split {
  into: string;
  via: string;
  fields: { to: string; from: string | null }[];
}

export interface Draft {
  oldName: string | null;
  name: string;
  superclass: string | null;
  /** The class outside the namespace a root class extends (ClassDefinition.externalSuperclass). */
  externalSuperclass?: string;
  fields: FieldDefinition[];
  methods: MethodDefinition[];
  staticFields: FieldDefinition[];
  /** Set by the static-field operations (staticFieldOperations.ts). */
  staticOrigins?: Map<string, string | null>;
  base: ClassDefinition | null;
  fieldOrigins: Map<string, string | null>;
  initialisers: Map<string, FieldInitialiser>;
  migrators: Migrator[];
  splits: Split[];
  layoutTouched: boolean;
  touched: boolean;
  implementation?: Constructor;
  /**
   * The class outside the namespace the new implementation extends, while no
   * operation of the patch has made it another class's new implementation (a
   * package's next release: its subclass extends its own base class).
   */
  implementationParent?: Function;
  hasPrivateMembers?: boolean;
  /** The new implementation shares the running version's module scope (replaceImplementation's `sameScope`). */
  sameScope?: boolean;
  /** Fields of the new implementation whose initial value reads its module's scope, which the update cannot (no `sameScope`). */
  moduleBound?: readonly string[];
  /** Fields moved between this class and another (pull up, push down, split): no version can be derived from the running one. */
  movesFields?: boolean;
}

/** Everything a build accumulates besides the class drafts. */
export interface Drafts {
  readonly classes: Map<string, Draft>;
  readonly removed: string[];
  readonly namespaceValidations: { name: string; check: NamespaceValidation }[];
  readonly instanceValidations: { name: string; className: string; check: InstanceValidation }[];
  /** afterCommit and afterRollback hooks, in the patch's order. */
  readonly hooks: {
    readonly afterCommit: NamedHook[];
    readonly afterRollback: NamedHook[];
  };
  policy: Policy;
}

export interface NamedHook {
  readonly name: string;
  readonly hook: UpdateHook;
}

/**
 * What an untouched draft holds until `touch` gives it lists of its own:
 * shared by every draft, so a build allocates nothing per class it leaves
 * alone; any change to them throws (every operation touches a draft first).
 */
const NO_ORIGINS = readOnlyEmptyMap<string, string | null>();
const NO_INITIALISERS = readOnlyEmptyMap<string, FieldInitialiser>();
// Frozen: a push throws, as the maps' changes do.
const NONE = Object.freeze([]) as unknown as never[];

function readOnlyEmptyMap<K, V>(): Map<K, V> {
  const map = new Map<K, V>();
  const refuse = () => {
    throw new TypeError("a class draft the patch has not touched is read-only");
  };
  for (const method of ["set", "delete", "clear"])
    Object.defineProperty(map, method, { value: refuse });
  return Object.freeze(map);
}

/** Whether `d` still holds the shared empty lists of an untouched draft. */
export const untouchedLists = (d: Draft) => d.fieldOrigins === NO_ORIGINS;

export function draftsOf(current: ReadonlyMap<string, ClassDefinition>): Drafts {
  const classes = new Map<string, Draft>();
  for (const [name, d] of current) {
    const draft: Draft = {
      oldName: name,
      name,
      superclass: d.superclass,
      // The live definition's own lists until an operation touches the
      // class (touch): a build costs nothing per class it leaves alone.
      fields: d.fields as FieldDefinition[],
      methods: d.methods as MethodDefinition[],
      staticFields: d.staticFields as FieldDefinition[],
      base: d,
      fieldOrigins: NO_ORIGINS,
      initialisers: NO_INITIALISERS,
      migrators: NONE,
      splits: NONE,
      layoutTouched: false,
      touched: false,
    };
    // Assigned, not spread: a spread per class costs every build (interpreted code).
    if (d.externalSuperclass !== undefined) draft.externalSuperclass = d.externalSuperclass;
    classes.set(name, draft);
  }
  return {
    classes,
    removed: [],
    namespaceValidations: [],
    instanceValidations: [],
    hooks: { afterCommit: [], afterRollback: [] },
    policy: "eager",
  };
}

/** One operation being applied: where it is (for errors) and the drafts it works on. */
export class Step {
  constructor(
    readonly drafts: Drafts,
    private readonly op: Operation,
    readonly index: number,
  ) {}

  /** Where the operation is, for messages (made only when one is written). */
  get where(): string {
    return `operation ${this.index + 1} (${this.op.op})`;
  }

  refuse(message: string, detail: Record<string, unknown> = {}): never {
    throw new InvalidPatchError(`${this.where}: ${message}`, { operation: this.index, ...detail });
  }

  /** The draft of class `name`, marked as touched by the patch. */
  classNamed(name: string): Draft {
    const d = this.drafts.classes.get(name);
    if (!d) {
      this.refuse(
        `there is no class "${name}" (classes: ${[...this.drafts.classes.keys()].join(", ") || "none"})`,
        { className: name },
      );
    }
    return touch(d);
  }

  /** The index of `d`'s own field `field`. */
  ownField(d: Draft, field: string): number {
    const i = d.fields.findIndex((f) => f.name === field);
    if (i < 0) {
      this.refuse(
        `class ${d.name} has no field "${field}" of its own (fields: ${d.fields.map((f) => f.name).join(", ") || "none"})`,
        { className: d.name, field },
      );
    }
    return i;
  }

  noField(d: Draft, field: string): void {
    if (d.fields.some((f) => f.name === field)) {
      this.refuse(`class ${d.name} already has a field "${field}"`, {
        className: d.name,
        field,
      });
    }
  }

  addDraft(shape: ClassShape): Draft {
    if (this.drafts.classes.has(shape.name)) {
      this.refuse(`a class "${shape.name}" already exists`, { className: shape.name });
    }
    const draft: Draft = {
      oldName: null,
      name: shape.name,
      superclass: shape.superclass ?? null,
      fields: [...(shape.fields ?? [])],
      methods: [...(shape.methods ?? [])],
      staticFields: [...(shape.staticFields ?? [])],
      base: null,
      // A new class has no old instances of its own; its fields reach old
      // objects only as a new superclass's, and then they start fresh (a
      // field of that name removed earlier in the patch must not come back).
      fieldOrigins: new Map((shape.fields ?? []).map((f) => [f.name, null])),
      initialisers: new Map(),
      migrators: [],
      splits: [],
      layoutTouched: true,
      touched: true,
    };
    this.drafts.classes.set(shape.name, draft);
    return draft;
  }

  /** The function of a patch's code, which must have been hydrated. */
  live<F extends Function>(fn: { source: string; fn?: F }): F {
    if (!fn.fn) {
      throw new InvalidPatchError(
        `${this.where}: its function is not hydrated; call patch.hydrate() first`,
        { operation: this.where },
      );
    }
    return fn.fn;
  }

  /**
   * `live`, for code that runs inside the migration (migrators,
   * initialisers), which must be synchronous: an async function's writes
   * after its first await would be lost, and its rejection unhandled.
   */
  liveSync<F extends Function>(fn: { source: string; fn?: F }, what: string): F {
    const f = this.live(fn);
    const kind = Object.getPrototypeOf(f)?.constructor?.name;
    if (
      kind === "AsyncFunction" ||
      kind === "AsyncGeneratorFunction" ||
      kind === "GeneratorFunction"
    ) {
      this.refuse(
        `the ${what} is ${kind === "AsyncFunction" ? "an async function" : "a generator"}; migration code must be synchronous (its writes after an await would be lost)`,
        { what },
      );
    }
    return f;
  }
}

/** Marks `d` as changed by the patch; the first time, gives it lists of its own to change. */
export function touch(d: Draft): Draft {
  if (d.touched) return d;
  d.fields = [...d.fields];
  d.methods = [...d.methods];
  d.staticFields = [...d.staticFields];
  d.fieldOrigins = new Map();
  d.initialisers = new Map();
  d.migrators = [];
  d.splits = [];
  d.touched = true;
  return d;
}

/** The old field a draft's field takes its value from (through earlier renames). */
export const originOf = (d: Draft, field: string): string | null =>
  d.fieldOrigins.has(field) ? d.fieldOrigins.get(field)! : field;
