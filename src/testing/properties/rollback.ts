/**
 * Rollback: a refused, failed or rolled-back update leaves values,
 * identities, prototypes and classes exactly as they were — and new
 * instances get the old fields again.
 */
import fc from "fast-check";
import { nextTask } from "../../migration/lazyMigration.js";
import { currentVersion } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import { Patch } from "../../patch/patch.js";
import { compareSnapshots, takeSnapshot } from "../snapshot.js";
import { classBindings } from "../world/model.js";
import { printable, rollbackScenarios } from "./inputs.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition, RollbackScenario } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS } from "./types.js";
import { describeError, fieldsOf } from "./wording.js";

const INJECTED_VALIDATION = "metamorph/testing: injected refusal";

function withFailingValidation(patch: Patch): Patch {
  const fn = () => "injected by the rollback property";
  return new Patch(patch.name, [
    ...patch.operations,
    { op: "validateNamespace", name: INJECTED_VALIDATION, check: { source: String(fn), fn } },
  ]);
}

/** Plays the scenario against `ns`; says what happened to the update. */
async function play(ns: Namespace, patch: Patch, s: RollbackScenario): Promise<string> {
  if (s.kind === "rollback") {
    const out = attempt(ns, patch, { policy: s.policy });
    if (!out.ok) return `the update was refused (${describeError(out.error)})`;
    const finished = s.complete ? await settle(out.result) : undefined;
    if (!s.complete) for (let i = 0; i < s.wait; i++) await nextTask();
    // A migration that throws part-way rolls the update back by itself; that
    // failure is totality's to report, and rolling back again is refused by
    // design. What is left to check here is that its own rollback restored all.
    if (out.result.state() === "rolled-back") {
      const failure = finished?.failed[0];
      return failure
        ? `the update rolled itself back (migrating an object threw: ${describeError(failure.error)})`
        : "the update rolled itself back";
    }
    try {
      out.result.rollback();
    } catch (error) {
      fail("rollback", `rollback() threw: ${describeError(error)}`);
    }
    return "the update was rolled back";
  }
  if (s.kind === "commit-failure") {
    const out = attempt(ns, patch, {
      policy: "eager",
      onCommitStep: (step) => {
        if (step === s.step) throw new Error("injected commit failure");
      },
    });
    if (!out.ok) return `the commit failed (${describeError(out.error)})`;
    out.result.rollback();
    return "the update was committed and rolled back";
  }
  const out = attempt(ns, withFailingValidation(patch));
  if (out.ok) {
    out.result.rollback();
    fail("rollback", "an update whose validation fails was committed");
  }
  return `the update was refused (${describeError(out.error)})`;
}

/** The field layout of every class metamorph made, as new instances get it. */
function layoutsOf(ns: Namespace): Map<string, string[]> {
  return new Map(
    classBindings(ns).flatMap(({ name, handle }) =>
      currentVersion(handle).definition.fieldOrigin === "created"
        ? [[name, fieldsOf(name, ns)] as const]
        : [],
    ),
  );
}

function checkLayouts(ns: Namespace, layouts: Map<string, string[]>, what: string): void {
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
}

export function rollback({ patch, build, worlds }: PropertyKit): PropertyDefinition {
  return {
    name: "rollback",
    description: PROPERTY_DESCRIPTIONS.rollback,
    arbitrary: fc
      .record({ world: worlds, rollback: rollbackScenarios })
      .map((input) => printable(input)),
    async check({ world, rollback: scenario }) {
      const live = build(world);
      const ns = live.namespace;
      const before = takeSnapshot(ns, live.instances, { versions: true, fastMode: true });
      const version = ns.version;
      const layouts = layoutsOf(ns);
      const what = await play(
        ns,
        patch,
        scenario ?? { kind: "rollback", policy: "eager", complete: true, wait: 0 },
      );
      const after = takeSnapshot(ns, live.instances, { versions: true, fastMode: true });
      const difference = compareSnapshots(before, after, { identities: true });
      if (difference !== undefined) {
        fail("rollback", `${what}, but the world is not as it was:\n${difference}`);
      }
      if (ns.version !== version) {
        fail("rollback", `${what}, but the namespace is at version ${ns.version}, not ${version}`);
      }
      checkLayouts(ns, layouts, what);
      return CHECKED;
    },
  };
}
