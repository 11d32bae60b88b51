/**
 * The update pipeline: build → detect changes → shadow → migrate → validate →
 * commit, or refuse with nothing changed. For eager updates everything up to
 * and including the commit runs in one synchronous block, so no program code
 * can write to an object between the moment its new state is computed and
 * the moment it is installed: no write is lost. Every check that can fail
 * runs before the first object is rewritten; the commit keeps an undo log and
 * restores every touched object if anything throws part-way.
 */
import {
  CommitError,
  InvalidPatchError,
  PrivateStateError,
  RollbackError,
  UnswappableObjectError,
} from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { Undo } from "../mop/classHandle.js";
import {
  currentVersion,
  forgetOldVersions,
  observeConstruction,
  stablePrototype,
} from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import type { RegistryFinder } from "../mop/instanceFinding.js";
import type { ReplaceRecord } from "../namespace/bulkReplace.js";
import { classesInHierarchyOrder, replaceNamespace } from "../namespace/bulkReplace.js";
import type { Namespace } from "../namespace/namespace.js";
import { bindingValue } from "../namespace/namespace.js";
import { cloneNamespace } from "../namespace/shadow.js";
import {
  runInstanceValidations,
  runNamespaceValidations,
  validateConformance,
  validateDefinitions,
  validateRemovedClassReferences,
  validateShadowedMethods,
} from "../validation/index.js";
import type { ValidationFailure, ValidationReport } from "../validation/report.js";
import { formatReport, makeReport, ValidationError } from "../validation/report.js";
import type { BuildResult } from "./build.js";
import { buildDefinitions } from "./build.js";
import type { Change } from "./changes.js";
import {
  ancestry,
  changedClasses,
  detectChanges,
  fieldChain,
  migratingClasses,
} from "./changes.js";
import type { PreparedMigration } from "./instanceMigration.js";
import { applyMigration, prepareMigration, rewriteFields } from "./instanceMigration.js";
import { installLazyGuards, nextTask } from "./lazyMigration.js";
import { type Plan, migrationPlan } from "./migrationPlan.js";
import type { Policy, ValidationWorld } from "../patch/operations.js";
import type { Patch } from "../patch/patch.js";

export type UpdatePhase =
  | "build"
  | "shadow"
  | "migrate"
  | "validate"
  | "commit"
  | "sweep"
  | "rollback";

export interface UpdateEvent {
  readonly phase: UpdatePhase;
  readonly status: "start" | "end" | "failed";
  readonly patch: string;
  readonly ms?: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface UpdateOptions {
  /** Overrides the patch's policy. */
  readonly policy?: Policy;
  /** Progressive sweep: objects migrated per macrotask. Default 2000. */
  readonly sliceSize?: number;
  /** Run after the commit; false or a throw rolls the update back. */
  readonly healthCheck?: () => boolean | Promise<boolean>;
  readonly onEvent?: (event: UpdateEvent) => void;
  /**
   * Fault injection for tests: called before each object is rewritten inside
   * the commit (step 0 … total-1); a throw aborts the commit there.
   */
  readonly onCommitStep?: (step: number, total: number) => void;
}

export interface UpdateTimings {
  build: number;
  shadow: number;
  migrate: number;
  validate: number;
  commit: number;
  total: number;
}

export interface LazyCompletion {
  readonly migrated: number;
  readonly failed: readonly { readonly object: object; readonly error: unknown }[];
}

export interface UpdateResult {
  readonly outcome: "committed" | "rolled-back";
  readonly patch: string;
  readonly policy: Policy;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly changes: readonly Change[];
  readonly classesChanged: number;
  /** Instances migrated inside the commit (eager) — lazy ones migrate later, see `migratedSoFar`. */
  readonly instancesMigrated: number;
  readonly timings: UpdateTimings;
  /** The longest time the program could not run because of this update (ms). */
  readonly pauseMs: number;
  readonly validation: ValidationReport;
  /** Instances migrated since the commit by first touch or sweep. */
  migratedSoFar(): number;
  /** Instances still on an old version (a heap or registry query). */
  pendingInstances(): number;
  /** Resolves when no old-version instance is left (eager: at once; lazy: never by itself, see `completeMigration`). */
  readonly completion: Promise<LazyCompletion>;
  /** Migrates every pending instance now (lazy and progressive). */
  completeMigration(): LazyCompletion;
  /** Reverts to the previous version; values written since the commit to fields both versions have are kept. */
  rollback(): void;
  /** Drops the state retained for rollback. */
  makePermanent(): void;
  readonly state: () => "committed" | "permanent" | "rolled-back";
}

const active = new WeakMap<Namespace, Active>();

interface Active {
  readonly completeMigration: () => LazyCompletion;
}

function currentDefinitions(namespace: Namespace): Map<string, ClassDefinition> {
  const out = new Map<string, ClassDefinition>();
  for (const b of Object.values(namespace.snapshot.bindings)) {
    if (b.kind === "class") out.set(b.name, currentVersion(b.handle).definition);
  }
  return out;
}

function newDefinitions(build: BuildResult): Map<string, ClassDefinition> {
  return new Map([...build.classes].map(([n, c]) => [n, c.definition]));
}

function failWith(
  message: string,
  failures: ValidationFailure[],
  rules: number,
  instances: number,
): never {
  const report = makeReport(failures, rules, instances);
  throw new ValidationError(`${message}\n${formatReport(report)}`, report, {
    failures: failures.length,
  });
}

function checkRewritable(object: object, plan: Plan, index: number): void {
  if (!Object.isExtensible(object)) {
    const what = Object.isFrozen(object)
      ? "frozen"
      : Object.isSealed(object)
        ? "sealed"
        : "not extensible";
    throw new UnswappableObjectError(
      `${plan.className} instance #${index} is ${what} and cannot be migrated in place; hold it through an instance handle`,
      { className: plan.className, index, object },
    );
  }
}

/**
 * Runs an update synchronously up to and including the commit. Throws a
 * typed error, with nothing changed, when the update is refused.
 */
export function updateSync(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions = {},
): UpdateResult {
  const emit = (
    phase: UpdatePhase,
    status: UpdateEvent["status"],
    ms?: number,
    detail?: Record<string, unknown>,
  ) =>
    options.onEvent?.({
      phase,
      status,
      patch: patch.name,
      ...(ms === undefined ? {} : { ms }),
      ...(detail ? { detail } : {}),
    });
  const timings: UpdateTimings = {
    build: 0,
    shadow: 0,
    migrate: 0,
    validate: 0,
    commit: 0,
    total: 0,
  };
  const tStart = performance.now();
  let tPhase = tStart;
  let current: UpdatePhase = "build";
  const phase = (name: UpdatePhase) => {
    const now = performance.now();
    if (current !== name) {
      timings[current as keyof UpdateTimings] = now - tPhase;
      emit(current, "end", now - tPhase);
      tPhase = now;
      current = name;
      emit(name, "start");
    }
  };
  emit("build", "start");
  try {
    // An earlier lazy update finishes first: one update at a time per namespace.
    active.get(namespace)?.completeMigration();

    const oldDefs = currentDefinitions(namespace);
    const build = buildDefinitions(oldDefs, patch.operations);
    const policy = options.policy ?? build.policy;
    const defs = newDefinitions(build);
    const definitionFailures = [
      ...validateDefinitions(defs),
      ...validateShadowedMethods(
        oldDefs,
        defs,
        [...build.classes].map(([name, { oldName }]) => ({ name, oldName })),
      ),
    ];
    if (definitionFailures.length > 0)
      failWith(`patch ${patch.name} is refused`, definitionFailures, 1, 0);
    const changes = detectChanges(oldDefs, build);
    const migrating = migratingClasses(changes);
    // Every class whose definition differs in any way gets a new version,
    // even when nothing about it migrates (a renamed superclass, say).
    const sameDefinition = (a: ClassDefinition, b: ClassDefinition) =>
      JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
    const changed = changedClasses(changes);
    for (const [name, cls] of build.classes) {
      if (
        cls.oldName !== null &&
        (cls.staticOrigins.size > 0 || !sameDefinition(cls.definition, oldDefs.get(cls.oldName)!))
      )
        changed.add(name);
    }
    const privateStateRefusal = (name: string) =>
      new PrivateStateError(
        `class ${name} declares private # members, which reflection cannot copy to a new version: add \`static metamorphExport(instance)\` to the running version and apply a new version that extends Adoptable with \`static metamorphImport(instance, state)\` through the lifecycle (runUpdate, applyUpdate or a manager; see the README's lifecycle section)`,
        { className: name },
      );
    for (const [name, cls] of build.classes) {
      // A new implementation of a class with private state breaks its old
      // objects (they lack the new private brand) even with no field change.
      const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
      if (cls.implementation && (old?.hasPrivateMembers || cls.definition.hasPrivateMembers)) {
        throw privateStateRefusal(name);
      }
    }
    for (const name of migrating) {
      const d = oldDefs.get(build.classes.get(name)!.oldName!)!;
      if (d.hasPrivateMembers) throw privateStateRefusal(name);
      if (d.fieldOrigin !== "created" && !build.classes.get(name)!.implementation) {
        throw new InvalidPatchError(
          `class ${name} is an ordinary class (not made by metamorph); changing its fields needs a new implementation of the class, not a rebuilt one`,
          { className: name },
        );
      }
    }

    phase("shadow");
    const shadow = cloneNamespace(namespace);
    for (const name of build.removed) shadow.removeBinding(name);
    // Renames in two steps, so that swaps and names reused by new classes never collide.
    const renamed = [...build.classes].filter(
      ([name, c]) => c.oldName !== null && c.oldName !== name,
    );
    for (const [, c] of renamed) shadow.renameBinding(c.oldName!, `\u0000${c.oldName}`);
    for (const [name, c] of renamed) shadow.renameBinding(`\u0000${c.oldName}`, name);
    const ordered = classesInHierarchyOrderOf(defs);
    for (const name of ordered) {
      const cls = build.classes.get(name)!;
      if (cls.oldName === null) shadow.addClass(cls.definition, {});
      else if (changed.has(name))
        shadow.changeClass(name, cls.definition, cls.implementation, cls.staticOrigins);
    }
    const plans = ordered
      .filter((n) => migrating.has(n))
      .map((n) => migrationPlan(n, build, defs, oldDefs, shadow));

    phase("migrate");
    // Eager updates compute every object's new state here. Lazy and
    // progressive ones migrate after the commit; they compute it here too
    // (a dry run, not applied) only when validations must see the new state.
    const prepared: PreparedMigration[] = [];
    const dryRun =
      policy !== "eager" &&
      build.namespaceValidations.length + build.instanceValidations.length + build.removed.length >
        0;
    for (const plan of policy === "eager" || dryRun ? plans : []) {
      namespace.finder.find(plan.prototype).forEach((object, index) => {
        checkRewritable(object, plan, index);
        prepared.push(prepareMigration(object, plan, index));
      });
    }

    phase("validate");
    const failures: ValidationFailure[] = [];
    let rulesRun = 1;
    const copiesByClass = new Map<string, object[]>();
    for (const p of prepared) {
      if (!p.copy) continue;
      const list = copiesByClass.get(p.plan.className) ?? [];
      list.push(p.copy);
      copiesByClass.set(p.plan.className, list);
      if (p.plan.migrators.length > 0) {
        failures.push(
          ...validateConformance(p.copy, {
            className: p.plan.className,
            fields: p.plan.fields,
            prototype: p.plan.prototype,
          }),
        );
      }
    }
    const world: ValidationWorld = {
      lookup: (name) => (shadow.has(name) ? shadow.lookup(name) : undefined),
      instancesOf: (className) => {
        const names = [...defs.keys()].filter((n) => ancestry(n, defs).includes(className));
        return names.flatMap((n) => {
          if (copiesByClass.has(n)) return copiesByClass.get(n)!;
          const handle = shadow.classNamed(n);
          return namespace.finder.find(stablePrototype(handle));
        });
      },
    };
    if (build.removed.length > 0) {
      rulesRun++;
      const removed = new Map(
        build.removed.map((name) => {
          const handle = namespace.classNamed(name);
          return [name, { handle, prototypes: [stablePrototype(handle)] }] as const;
        }),
      );
      // Class bindings are left out: until the commit their prototype chains
      // are the old ones, and a class still extending a removed one is
      // already refused as an unknown superclass.
      const bindings = new Map(
        Object.values(shadow.snapshot.bindings)
          .filter((b) => b.kind !== "class")
          .map((b) => [b.name, bindingValue(b)] as const),
      );
      const survivors = [...defs.keys()].flatMap((n) => world.instancesOf(n) as object[]);
      failures.push(...validateRemovedClassReferences({ removed, bindings, instances: survivors }));
    }
    rulesRun += build.namespaceValidations.length + build.instanceValidations.length;
    failures.push(...runNamespaceValidations(build.namespaceValidations, world));
    const instanceChecks = runInstanceValidations(build.instanceValidations, world);
    failures.push(...instanceChecks.failures);
    // Validations saw shadow copies; the report names the live objects.
    const originals = new Map<object, object>();
    if (failures.length > 0) for (const p of prepared) if (p.copy) originals.set(p.copy, p.object);
    const named = failures.map((f) =>
      f.object && originals.has(f.object) ? { ...f, object: originals.get(f.object)! } : f,
    );
    const report = makeReport(named, rulesRun, prepared.length + instanceChecks.instancesChecked);
    if (!report.ok)
      failWith(`patch ${patch.name} failed validation`, named, rulesRun, report.instancesChecked);

    // A dry run only served the validations: lazy objects migrate at first touch.
    if (dryRun) prepared.length = 0;

    phase("commit");
    const fromVersion = namespace.version;
    let record: ReplaceRecord;
    const lazyUndos: Undo[] = [];
    const migratedLater: PreparedMigration[] = [];
    const laterFailures: { object: object; error: unknown }[] = [];
    const planByPrototype = new Map(plans.map((p) => [p.prototype, p]));
    // Lazy: objects already on the new layout (migrated, or built after the commit).
    const migrated = new WeakSet<object>();
    let guarded = false;
    const migrateOne = (object: object) => {
      // Once the guards are gone (completion, rollback, a later update) every
      // object has the new layout: a late sweep must not migrate again.
      if (!guarded || migrated.has(object)) return;
      const plan = planByPrototype.get(Object.getPrototypeOf(object));
      if (!plan) return;
      const p = prepareMigration(object, plan, migratedLater.length);
      applyMigration(p);
      migrated.add(object);
      migratedLater.push(p);
    };
    let applied = 0;
    try {
      record = replaceNamespace(namespace, shadow);
      try {
        if (policy === "eager") {
          for (; applied < prepared.length; applied++) {
            options.onCommitStep?.(applied, prepared.length);
            applyMigration(prepared[applied]!);
          }
        } else {
          for (const plan of plans) {
            lazyUndos.push(installLazyGuards(plan.prototype, (o) => migrated.has(o), migrateOne));
            lazyUndos.push(observeConstruction(plan.handle, (o) => migrated.add(o)));
          }
          guarded = plans.length > 0;
        }
      } catch (error) {
        for (let i = applied - 1; i >= 0; i--) revertPrepared(prepared[i]!);
        for (let i = lazyUndos.length - 1; i >= 0; i--) lazyUndos[i]!();
        record.undo();
        throw error;
      }
    } catch (error) {
      if (error instanceof CommitError) throw error;
      throw new CommitError(
        `the commit of patch ${patch.name} failed after ${applied} of ${prepared.length} objects and was undone: ${(error as Error)?.message ?? String(error)}`,
        { patch: patch.name, applied, total: prepared.length, cause: error },
      );
    }
    const commitEnd = performance.now();
    timings.commit = commitEnd - tPhase;
    emit("commit", "end", timings.commit, { migrated: prepared.length });
    timings.total = commitEnd - tStart;

    // --- after the commit: lazy completion, rollback, permanence ---
    let state: "committed" | "permanent" | "rolled-back" = "committed";
    let stopSweep = false;
    const unmigrated = (plan: Plan) =>
      namespace.finder.find(plan.prototype).filter((o) => !migrated.has(o));
    const pending = () => (guarded ? plans.reduce((n, p) => n + unmigrated(p).length, 0) : 0);
    const release = () => {
      if (!guarded) return;
      guarded = false;
      for (let i = lazyUndos.length - 1; i >= 0; i--) lazyUndos[i]!();
    };
    const completeMigration = (): LazyCompletion => {
      let failedNow = 0;
      for (const plan of plans) {
        for (const object of guarded ? unmigrated(plan) : []) {
          try {
            migrateOne(object);
          } catch (error) {
            laterFailures.push({ object, error });
            failedNow++;
          }
        }
      }
      // This pass tried every unmigrated object: only those that failed are left
      // (no second enumeration needed to know).
      if (failedNow === 0) {
        release();
        if (active.get(namespace) === handleOfActive) active.delete(namespace);
      }
      return { migrated: migratedLater.length, failed: laterFailures };
    };
    const handleOfActive: Active = { completeMigration };
    let completion: Promise<LazyCompletion>;
    if (policy === "eager" || plans.length === 0) {
      completion = Promise.resolve({ migrated: prepared.length, failed: [] });
    } else {
      active.set(namespace, handleOfActive);
      if (policy === "progressive") {
        const sliceSize = options.sliceSize ?? 2000;
        completion = (async () => {
          await nextTask();
          emit("sweep", "start");
          const t0 = performance.now();
          const sweepOne = (object: object) => {
            try {
              migrateOne(object);
            } catch (error) {
              laterFailures.push({ object, error });
            }
          };
          // The registry hands over its references, dereferenced slice by
          // slice, so no task enumerates every instance; a heap query cannot
          // be sliced and runs once per class.
          const finder = namespace.finder;
          const registry = finder.kind === "registry" ? (finder as RegistryFinder) : null;
          for (const plan of plans) {
            if (registry) {
              const refs = registry.snapshot(plan.prototype);
              for (let i = 0; i < refs.length && !stopSweep && guarded; i += sliceSize) {
                const end = Math.min(refs.length, i + sliceSize);
                for (let j = i; j < end; j++) {
                  const object = refs[j]!.deref();
                  if (object !== undefined && Object.getPrototypeOf(object) === plan.prototype) {
                    sweepOne(object);
                  }
                }
                await nextTask();
              }
              continue;
            }
            const queue = unmigrated(plan);
            for (let i = 0; i < queue.length && !stopSweep && guarded; i += sliceSize) {
              for (const object of queue.slice(i, i + sliceSize)) sweepOne(object);
              await nextTask();
            }
          }
          let done: LazyCompletion;
          if (stopSweep || !guarded)
            done = { migrated: migratedLater.length, failed: laterFailures };
          else if (registry && laterFailures.length === 0) {
            // Every object on the class prototype at the commit was recorded
            // and has been visited: the guards can go without another full scan.
            release();
            if (active.get(namespace) === handleOfActive) active.delete(namespace);
            done = { migrated: migratedLater.length, failed: laterFailures };
          } else done = completeMigration();
          emit("sweep", "end", performance.now() - t0, { migrated: done.migrated });
          return done;
        })();
      } else {
        completion = new Promise<LazyCompletion>(() => {});
      }
    }

    const reverseOne = (object: object, plan: Plan, retained: PreparedMigration | undefined) => {
      const current = object as Record<string, unknown>;
      const keys = retained ? retained.oldKeys : plan.oldFields;
      const values = keys.map((k, i) => {
        const newName = plan.reverse.get(k);
        if (newName !== undefined && Object.hasOwn(current, newName)) {
          // A value the program wrote since the commit is kept; a value the
          // migration itself installed goes back to what it was.
          const installed = retained?.newValues[retained.plan.fields.indexOf(newName)];
          if (!retained || !Object.is(current[newName], installed)) return current[newName];
        }
        if (retained) return retained.oldValues[i];
        return plan.oldDefaults.get(k)?.call(object);
      });
      rewriteFields(object, Object.keys(object), keys, values);
    };

    const result: UpdateResult = {
      outcome: "committed",
      patch: patch.name,
      policy,
      fromVersion,
      toVersion: namespace.version,
      changes,
      classesChanged: new Set(changes.map((c) => c.className)).size,
      instancesMigrated: policy === "eager" ? prepared.length : 0,
      timings,
      pauseMs: timings.total,
      validation: report,
      migratedSoFar: () => migratedLater.length,
      pendingInstances: () => (state === "committed" ? pending() : 0),
      completion,
      completeMigration,
      state: () => state,
      makePermanent() {
        if (state !== "committed") {
          throw new RollbackError(`update ${patch.name} is already ${state}`, {
            patch: patch.name,
            state,
          });
        }
        state = "permanent";
        prepared.length = 0;
        migratedLater.length = 0;
        // Homes of retired methods are still needed while a later update
        // (which could be rolled back onto this one's methods) is not permanent.
        const latest = namespace.version === result.toVersion;
        for (const handle of namespace.classes()) forgetOldVersions(handle, latest);
        namespace.forgetHistoryBefore(result.toVersion);
      },
      rollback() {
        if (state !== "committed") {
          throw new RollbackError(`update ${patch.name} is ${state} and cannot be rolled back`, {
            patch: patch.name,
            state,
          });
        }
        if (namespace.version !== result.toVersion) {
          throw new RollbackError(
            `update ${patch.name} was followed by another update (namespace ${namespace.name} is at version ${namespace.version}); roll that back first`,
            { patch: patch.name },
          );
        }
        const t0 = performance.now();
        emit("rollback", "start");
        stopSweep = true;
        const retained = new Map<object, PreparedMigration>();
        if (policy === "eager") for (const p of prepared) retained.set(p.object, p);
        for (const p of migratedLater) retained.set(p.object, p);
        for (const plan of plans) {
          for (const object of namespace.finder.find(plan.prototype)) {
            if (guarded && !migrated.has(object)) continue; // still on the old layout
            reverseOne(object, plan, retained.get(object));
          }
        }
        release();
        record.undo();
        if (active.get(namespace) === handleOfActive) active.delete(namespace);
        state = "rolled-back";
        emit("rollback", "end", performance.now() - t0);
      },
    };
    return result;
  } catch (error) {
    emit(current, "failed", performance.now() - tPhase, { error: (error as Error)?.message });
    throw error;
  }
}

function revertPrepared(p: PreparedMigration): void {
  rewriteFields(p.object, Object.keys(p.object), p.oldKeys, p.oldValues);
}

function classesInHierarchyOrderOf(defs: ReadonlyMap<string, ClassDefinition>): string[] {
  const snapshot = {
    version: 0,
    bindings: Object.fromEntries(
      [...defs].map(([name, definition]) => [
        name,
        { kind: "class" as const, name, handle: Object as unknown as Constructor, definition },
      ]),
    ),
  };
  return classesInHierarchyOrder(snapshot).map((b) => b.name);
}

/**
 * Runs an update and, when a health check is given, rolls it back if the
 * check fails after the commit. Refusals reject with a typed error and
 * nothing changed.
 */
export async function update(
  namespace: Namespace,
  patch: Patch,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const result = updateSync(namespace, patch, options);
  if (!options.healthCheck) return result;
  let healthy = false;
  try {
    healthy = await options.healthCheck();
  } catch {
    healthy = false;
  }
  if (healthy) return result;
  result.rollback();
  return { ...result, outcome: "rolled-back" };
}
