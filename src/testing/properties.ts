/**
 * The properties a migration should have, as fast-check properties over
 * generated worlds. Each property is a plain value — an arbitrary of inputs
 * and an async predicate that throws a `PropertyViolation` explaining what
 * went wrong — so it runs under `checkMigration`, `fc.assert`, or
 * `@fast-check/vitest`'s `test.prop` alike.
 *
 * Every predicate builds its own fresh world(s) from the generated spec, so
 * runs never share state and a shrunk counterexample replays exactly.
 */
import fc from "fast-check";
import { MigrationError } from "../errors.js";
import { ValidationError } from "../validation/report.js";
import { nextTask } from "../migration/lazyMigration.js";
import type { OldView, Policy, ValidationWorld } from "../patch/operations.js";
import { Patch } from "../patch/patch.js";
import type { LazyCompletion, UpdateOptions, UpdateResult } from "../migration/update.js";
import { updateSync } from "../migration/update.js";
import { currentVersion, handleOfPrototype } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import { compareSnapshots, reachableObjects, takeSnapshot } from "./snapshot.js";
import type { InstanceOptions, LiveWorld, WorldModel, WorldSpec } from "./world.js";
import { buildWorld, classBindings, formatWorldSpec } from "./world.js";

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

export interface PropertyContext {
  readonly patch: Patch;
  readonly model: WorldModel;
  readonly worlds: fc.Arbitrary<WorldSpec>;
  readonly instanceOptions: Pick<InstanceOptions, "construct">;
  readonly reverse?: Patch;
  readonly composeWith: readonly Patch[];
  readonly postcondition?: Postcondition;
}

// --- Helpers ---------------------------------------------------------------------

type Attempt =
  | { readonly ok: true; readonly result: UpdateResult }
  | { readonly ok: false; readonly error: unknown };

function attempt(ns: Namespace, patch: Patch, options: UpdateOptions = {}): Attempt {
  try {
    return { ok: true, result: updateSync(ns, patch, options) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Finishes a lazy or progressive migration: at once, or (`sweep`) by awaiting the progressive sweep. */
async function settle(result: UpdateResult, sweep = false): Promise<LazyCompletion> {
  if (result.policy === "eager") return result.completion;
  if (sweep && result.policy === "progressive") return result.completion;
  return result.completeMigration();
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function label(world: LiveWorld, object: unknown): string {
  const at = world.instances.indexOf(object as object);
  return at >= 0 ? `#${at}` : "an object made by the update";
}

function className(ns: Namespace, object: object): string | undefined {
  const handle = handleOfPrototype(Object.getPrototypeOf(object) ?? {});
  if (!handle) return undefined;
  for (const b of classBindings(ns)) if (b.handle === handle) return b.name;
  return undefined;
}

/** The refusal of an update, in terms that do not depend on the world's object order. */
function refusalText(error: unknown): string {
  if (error instanceof ValidationError) {
    const rules = [...new Set(error.report.failures.map((f) => f.rule))].sort();
    return `refused by ValidationError [${rules.join(", ")}]`;
  }
  if (error instanceof MigrationError) return "a migrator threw";
  return `refused by ${error instanceof Error ? error.name : typeof error}`;
}

function validationText(error: ValidationError, world: LiveWorld): string {
  return error.report.failures
    .slice(0, 8)
    .map((f) => {
      const where = [f.className, f.field].filter(Boolean).join(".");
      const who = f.object ? ` (instance ${label(world, f.object)})` : "";
      return `  - [${f.rule}]${where ? ` ${where}` : ""}${who}: ${f.message}`;
    })
    .join("\n");
}

function migrationText(error: MigrationError, world: LiveWorld): string {
  const object = error.details.object;
  return `${error.message} (world instance ${label(world, object)})`;
}

function fail(property: PropertyName, message: string): never {
  throw new PropertyViolation(property, message);
}

const INJECTED_VALIDATION = "metamorph/testing: injected refusal";

function withFailingValidation(patch: Patch): Patch {
  const fn = () => "injected by the rollback property";
  return new Patch(patch.name, [
    ...patch.operations,
    { op: "validateNamespace", name: INJECTED_VALIDATION, check: { source: String(fn), fn } },
  ]);
}

function fieldsOf(name: string, ns: Namespace): string[] {
  const defs = new Map(
    classBindings(ns).map((b) => [b.name, currentVersion(b.handle).definition] as const),
  );
  const chain: string[][] = [];
  const seen = new Set<string>();
  for (let d = defs.get(name); d && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.unshift(d.fields.map((f) => f.name));
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  return chain.flat();
}

// --- Arbitraries of inputs -----------------------------------------------------------

/** Attaches a readable rendering used by fast-check when it prints a counterexample. */
function printable(input: PropertyInput): PropertyInput {
  Object.defineProperty(input, fc.toStringMethod, {
    value: () => formatPropertyInput(input),
    enumerable: false,
  });
  return input;
}

export function formatRollbackScenario(s: RollbackScenario): string {
  switch (s.kind) {
    case "rollback":
      return `commit with policy ${s.policy}, ${s.complete ? "complete the migration" : `wait ${s.wait} task(s)`}, then roll back`;
    case "commit-failure":
      return `eager commit that fails before rewriting object ${s.step}`;
    case "refusal":
      return "the patch plus a validation that always fails";
  }
}

/** A property input, as the report prints it. */
export function formatPropertyInput(input: PropertyInput): string {
  const lines = [formatWorldSpec(input.world)];
  if (input.rollback) lines.push(`scenario: ${formatRollbackScenario(input.rollback)}`);
  if (input.sliceSize !== undefined) lines.push(`progressive slice size: ${input.sliceSize}`);
  return lines.join("\n");
}

const rollbackScenarios: fc.Arbitrary<RollbackScenario> = fc.oneof(
  fc.record({
    kind: fc.constant("rollback" as const),
    policy: fc.constantFrom<Policy>("eager", "lazy", "progressive"),
    complete: fc.boolean(),
    wait: fc.nat({ max: 2 }),
  }),
  fc.record({ kind: fc.constant("commit-failure" as const), step: fc.nat({ max: 6 }) }),
  fc.constant({ kind: "refusal" as const }),
);

// --- The properties -------------------------------------------------------------------

/** The properties of `context.patch`, in PROPERTY_NAMES order. */
export function buildProperties(context: PropertyContext): MigrationProperty[] {
  const { patch, model, worlds } = context;
  const build = (spec: WorldSpec) => buildWorld(model, spec, context.instanceOptions);
  const plain = worlds.map((world) => printable({ world }));

  const totality: MigrationProperty = {
    name: "totality",
    description: PROPERTY_DESCRIPTIONS.totality,
    arbitrary: plain,
    async predicate({ world }) {
      const live = build(world);
      const out = attempt(live.namespace, patch, { policy: "eager" });
      if (!out.ok && out.error instanceof MigrationError) {
        fail("totality", `the migration threw: ${migrationText(out.error, live)}`);
      }
    },
  };

  const validity: MigrationProperty = {
    name: "validity",
    description: PROPERTY_DESCRIPTIONS.validity,
    arbitrary: plain,
    async predicate({ world }) {
      const live = build(world);
      const ns = live.namespace;
      const out = attempt(ns, patch);
      if (!out.ok) {
        if (out.error instanceof MigrationError) return; // totality's concern
        if (out.error instanceof ValidationError) {
          fail(
            "validity",
            `the update (policy ${patch.policy}) was refused by its validations:\n${validationText(out.error, live)}`,
          );
        }
        fail("validity", `the update was refused: ${describeError(out.error)}`);
      }
      const completion = await settle(out.result);
      if (completion.failed.length > 0) return; // totality's and policy independence's concern
      // Validations ran on shadow copies (eager) before the commit; they must hold on the live objects too.
      const objects = reachableObjects(live.instances);
      const instancesOf = (name: string): object[] => {
        if (!ns.has(name)) return [];
        const handle = ns.classNamed(name);
        return objects.filter((o) => o instanceof handle);
      };
      const view: ValidationWorld = {
        lookup: (name) => (ns.has(name) ? ns.lookup(name) : undefined),
        instancesOf,
      };
      for (const op of patch.operations) {
        if (op.op === "validateNamespace" && op.check.fn) {
          const r = op.check.fn(view);
          if (r !== true) {
            fail(
              "validity",
              `validation "${op.name}" let the update through but does not hold after the migration: ${r === false ? "it returns false" : String(r)}`,
            );
          }
        } else if (op.op === "validateInstances" && op.check.fn) {
          for (const o of instancesOf(op.className)) {
            const r = op.check.fn(o as Readonly<Record<string, unknown>>);
            if (r !== true) {
              fail(
                "validity",
                `validation "${op.name}" let the update through but does not hold on migrated instance ${label(live, o)} (${op.className}): ${r === false ? "it returns false" : String(r)}`,
              );
            }
          }
        }
      }
    },
  };

  const rollback: MigrationProperty = {
    name: "rollback",
    description: PROPERTY_DESCRIPTIONS.rollback,
    arbitrary: fc
      .record({ world: worlds, rollback: rollbackScenarios })
      .map((input) => printable(input)),
    async predicate({ world, rollback: scenario }) {
      const live = build(world);
      const ns = live.namespace;
      const before = takeSnapshot(ns, live.instances, { versions: true, fastMode: true });
      const version = ns.version;
      const layouts = new Map(
        classBindings(ns).flatMap(({ name, handle }) =>
          currentVersion(handle).definition.fieldOrigin === "created"
            ? [[name, fieldsOf(name, ns)] as const]
            : [],
        ),
      );
      const s = scenario ?? { kind: "rollback", policy: "eager", complete: true, wait: 0 };
      let what: string;
      if (s.kind === "rollback") {
        const out = attempt(ns, patch, { policy: s.policy });
        if (out.ok) {
          if (s.complete) await settle(out.result);
          else for (let i = 0; i < s.wait; i++) await nextTask();
          try {
            out.result.rollback();
          } catch (error) {
            fail("rollback", `rollback() threw: ${describeError(error)}`);
          }
          what = "the update was rolled back";
        } else what = `the update was refused (${describeError(out.error)})`;
      } else if (s.kind === "commit-failure") {
        const out = attempt(ns, patch, {
          policy: "eager",
          onCommitStep: (step) => {
            if (step === s.step) throw new Error("injected commit failure");
          },
        });
        if (out.ok) {
          out.result.rollback();
          what = "the update was committed and rolled back";
        } else what = `the commit failed (${describeError(out.error)})`;
      } else {
        const out = attempt(ns, withFailingValidation(patch));
        if (out.ok) {
          out.result.rollback();
          fail("rollback", "an update whose validation fails was committed");
        }
        what = `the update was refused (${describeError(out.error)})`;
      }
      const after = takeSnapshot(ns, live.instances, { versions: true, fastMode: true });
      const difference = compareSnapshots(before, after, { identities: true });
      if (difference !== undefined) {
        fail("rollback", `${what}, but the world is not as it was:\n${difference}`);
      }
      if (ns.version !== version) {
        fail("rollback", `${what}, but the namespace is at version ${ns.version}, not ${version}`);
      }
      for (const [name, fields] of layouts) {
        let fresh: object;
        try {
          fresh = new (ns.classNamed(name) as unknown as new () => object)();
        } catch {
          continue;
        }
        const keys = Object.keys(fresh);
        if (keys.join() !== fields.join()) {
          fail(
            "rollback",
            `${what}, but a new ${name} has fields [${keys.join(", ")}] instead of [${fields.join(", ")}]`,
          );
        }
      }
    },
  };

  const policyIndependence: MigrationProperty = {
    name: "policy-independence",
    description: PROPERTY_DESCRIPTIONS["policy-independence"],
    arbitrary: fc
      .record({ world: worlds, sliceSize: fc.integer({ min: 1, max: 3 }) })
      .map((input) => printable(input)),
    async predicate({ world, sliceSize }) {
      const outcomes: { policy: Policy; text: string; lines?: ReturnType<typeof takeSnapshot> }[] =
        [];
      for (const policy of ["eager", "lazy", "progressive"] as const) {
        const live = build(world);
        const out = attempt(live.namespace, patch, { policy, sliceSize: sliceSize ?? 2 });
        if (!out.ok) {
          outcomes.push({ policy, text: refusalText(out.error) });
          continue;
        }
        const completion = await settle(out.result, true);
        if (completion.failed.length > 0) {
          outcomes.push({ policy, text: "a migrator threw" });
          continue;
        }
        outcomes.push({
          policy,
          text: "committed",
          lines: takeSnapshot(live.namespace, live.instances),
        });
      }
      const eager = outcomes[0]!;
      for (const other of outcomes.slice(1)) {
        if (eager.text !== other.text) {
          fail(
            "policy-independence",
            `eager: ${eager.text}; ${other.policy}: ${other.text}${other.text.startsWith("refused by ValidationError") ? " (validations saw different objects)" : ""}`,
          );
        }
        if (eager.lines && other.lines) {
          const difference = compareSnapshots(eager.lines, other.lines, {
            labels: ["eager", other.policy],
          });
          if (difference !== undefined) {
            fail(
              "policy-independence",
              `eager and ${other.policy} migration disagree:\n${difference}`,
            );
          }
        }
      }
    },
  };

  const composed: Patch[] = [];
  let refusedComposition: string | undefined;
  for (const next of context.composeWith) {
    try {
      composed.push(patch.andThen(next));
    } catch (error) {
      refusedComposition ??= `${patch.name}.andThen(${next.name}) is refused: ${describeError(error)}`;
    }
  }
  const composition: MigrationProperty = {
    name: "composition",
    description: PROPERTY_DESCRIPTIONS.composition,
    ...(context.composeWith.length === 0
      ? { skipped: "no `composeWith` patch to compose with" }
      : {}),
    ...(refusedComposition === undefined ? {} : { refused: refusedComposition }),
    arbitrary: plain,
    async predicate({ world }) {
      if (refusedComposition !== undefined) fail("composition", refusedComposition);
      for (const [i, next] of context.composeWith.entries()) {
        const whole = composed[i]!;
        const one = build(world);
        let oneText = "committed";
        const first = attempt(one.namespace, patch);
        if (!first.ok) oneText = `${patch.name} ${refusalText(first.error)}`;
        else {
          if ((await settle(first.result)).failed.length > 0) oneText = "a migrator threw";
          const second = attempt(one.namespace, next);
          if (!second.ok) oneText = `${next.name} ${refusalText(second.error)}`;
          else if ((await settle(second.result)).failed.length > 0) oneText = "a migrator threw";
        }
        const both = build(world);
        let bothText = "committed";
        const out = attempt(both.namespace, whole);
        if (!out.ok) bothText = refusalText(out.error);
        else if ((await settle(out.result)).failed.length > 0) bothText = "a migrator threw";
        // One after the other may be refused where the composition is not (an
        // intermediate state that fails a validation); the converse is a failure.
        if (oneText !== "committed") continue;
        if (bothText !== "committed") {
          fail(
            "composition",
            `one after the other: ${oneText}; composed (${whole.name}): ${bothText}`,
          );
        }
        const difference = compareSnapshots(
          takeSnapshot(one.namespace, one.instances),
          takeSnapshot(both.namespace, both.instances),
          { labels: ["one after the other", "composed"] },
        );
        if (difference !== undefined) {
          fail(
            "composition",
            `${patch.name} then ${next.name} differs from ${whole.name}:\n${difference}`,
          );
        }
      }
    },
  };

  const reverse = context.reverse;
  const roundTrip: MigrationProperty = {
    name: "round-trip",
    description: PROPERTY_DESCRIPTIONS["round-trip"],
    ...(reverse ? {} : { skipped: "the patch declares no `reverse`" }),
    arbitrary: plain,
    async predicate({ world }) {
      if (!reverse) return;
      const live = build(world);
      const ns = live.namespace;
      const before = takeSnapshot(ns, live.instances);
      const out = attempt(ns, patch);
      if (!out.ok) return; // totality's and validity's concern
      if ((await settle(out.result)).failed.length > 0) return;
      const back = attempt(ns, reverse);
      if (!back.ok) {
        fail(
          "round-trip",
          `the reverse ${reverse.name} was refused after ${patch.name}: ${describeError(back.error)}`,
        );
      } else {
        const completion = await settle(back.result);
        if (completion.failed.length > 0) {
          fail(
            "round-trip",
            `the reverse's migration threw: ${describeError(completion.failed[0]!.error)}`,
          );
        }
      }
      const difference = compareSnapshots(before, takeSnapshot(ns, live.instances), {
        labels: ["before", `after ${patch.name} and ${reverse.name}`],
      });
      if (difference !== undefined) {
        fail("round-trip", `the reverse does not give the old state back:\n${difference}`);
      }
    },
  };

  const noop: MigrationProperty = {
    name: "no-op",
    description: PROPERTY_DESCRIPTIONS["no-op"],
    arbitrary: plain,
    async predicate({ world }) {
      // The empty patch changes nothing at all.
      const still = build(world);
      const before = takeSnapshot(still.namespace, still.instances, {
        versions: true,
        fastMode: true,
      });
      const empty = attempt(still.namespace, Patch.empty("no-op"));
      if (!empty.ok) fail("no-op", `the empty patch was refused: ${describeError(empty.error)}`);
      const after = takeSnapshot(still.namespace, still.instances, {
        versions: true,
        fastMode: true,
      });
      const difference = compareSnapshots(before, after, { identities: true });
      if (difference !== undefined)
        fail("no-op", `the empty patch changed the world:\n${difference}`);
      // The patch leaves instances of classes it does not migrate as they were.
      const live = build(world);
      const ns = live.namespace;
      const labels = new Map(live.instances.map((o, i) => [o, `R${i}`] as const));
      // Own state only: a renamed or removed class is not a change of its instances.
      const one = (o: object) =>
        takeSnapshot(ns, [o], { labels, shallow: true, classNames: false });
      const befores = live.instances.map(one);
      const prototypes = live.instances.map((o) => Object.getPrototypeOf(o) as unknown);
      const out = attempt(ns, patch);
      if (!out.ok) return;
      if ((await settle(out.result)).failed.length > 0) return;
      const migrating = new Set(
        out.result.changes.filter((c) => c.migratesInstances).map((c) => c.className),
      );
      live.instances.forEach((o, i) => {
        const name = className(ns, o);
        if (name !== undefined && migrating.has(name)) return;
        const difference =
          Object.getPrototypeOf(o) !== prototypes[i]
            ? "its prototype is another object"
            : compareSnapshots(befores[i]!, one(o), { bindings: false });
        if (difference !== undefined) {
          fail(
            "no-op",
            `instance #${i} (${name ?? "of a removed class"}) belongs to a class the patch does not migrate, yet it changed:\n${difference}`,
          );
        }
      });
    },
  };

  const check = context.postcondition;
  const postcondition: MigrationProperty = {
    name: "postcondition",
    description: PROPERTY_DESCRIPTIONS.postcondition,
    ...(check ? {} : { skipped: "no `postcondition` given" }),
    arbitrary: plain,
    async predicate({ world }) {
      if (!check) return;
      const live = build(world);
      const ns = live.namespace;
      const olds = live.instances.map((o) => ({
        className: className(ns, o) ?? "(unknown)",
        view: Object.freeze({ ...(o as Record<string, unknown>) }) as OldView,
      }));
      const out = attempt(ns, patch);
      if (!out.ok) return; // totality's and validity's concern
      if ((await settle(out.result)).failed.length > 0) return;
      for (const [index, o] of live.instances.entries()) {
        const context: PostconditionContext = {
          index,
          oldClass: olds[index]!.className,
          newClass: className(ns, o),
        };
        let r: ReturnType<Postcondition>;
        try {
          r = check(olds[index]!.view, o as Readonly<Record<string, unknown>>, context);
        } catch (error) {
          fail(
            "postcondition",
            `the postcondition threw on instance #${index} (${context.oldClass}): ${describeError(error)}`,
          );
        }
        if (r === false || typeof r === "string") {
          fail(
            "postcondition",
            `the postcondition does not hold on instance #${index} (${context.oldClass}): ${r === false ? "it returns false" : r}`,
          );
        }
      }
    },
  };

  return [
    totality,
    validity,
    rollback,
    policyIndependence,
    composition,
    roundTrip,
    noop,
    postcondition,
  ];
}
