/**
 * Updates at every point of a workload. The DSU literature tests an update
 * by applying it at each point a test run reaches (Hayden et al., TSE 2012);
 * here the points are generated: a workload of calls on live objects (as
 * fast-check commands with a model), the update applied before a generated
 * call with a generated policy, and every call checked against the model,
 * the invariant checked after every step. fast-check shrinks a failure to
 * the shortest workload and the earliest point that still fail.
 */
import fc from "fast-check";
import { nextTask } from "../../migration/lazyMigration.js";
import type { UpdateResult } from "../../migration/update.js";
import type { Policy } from "../../patch/operations.js";
import type { LiveWorld } from "../world/types.js";
import { printable } from "./inputs.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition, Workload, WorkloadCommand, WorkloadRun } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { describeError } from "./wording.js";
import { userFrame } from "./userFrame.js";

const POLICIES: readonly Policy[] = ["eager", "lazy", "progressive"];

/** The steps taken so far, as the failure prints them. */
class Trace {
  readonly steps: string[] = [];
  add(step: string): void {
    this.steps.push(step);
  }
  text(): string {
    return this.steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n");
  }
}

function checkInvariant(
  workload: Workload<object, unknown>,
  real: unknown,
  live: LiveWorld,
  trace: Trace,
): void {
  if (!workload.invariant) return;
  let r: boolean | string | undefined;
  try {
    r = workload.invariant(real, live);
  } catch (error) {
    fail(
      "workload",
      `the invariant threw after:\n${trace.text()}\n${describeError(error)}${userFrame(error)}`,
    );
  }
  if (r === false || typeof r === "string") {
    fail(
      "workload",
      `the invariant does not hold after:\n${trace.text()}\n${r === false ? "it returns false" : r}`,
    );
  }
}

/** Runs one generated workload with the update at its point; says how many calls ran. */
async function play(
  kit: PropertyKit,
  workload: Workload<object, unknown>,
  live: LiveWorld,
  run: WorkloadRun,
): Promise<number> {
  const { model, real } = workload.setup(live);
  const trace = new Trace();
  let update: UpdateResult | undefined;
  const apply = () => {
    const out = attempt(live.namespace, kit.patch, { policy: run.policy });
    trace.add(`— update ${kit.patch.name} (${run.policy}) —`);
    if (!out.ok) {
      fail(
        "workload",
        `the update was refused after:\n${trace.text()}\n${describeError(out.error)}`,
      );
    }
    update = out.result;
    checkInvariant(workload, real, live, trace);
  };
  let calls = 0;
  for (const command of run.commands) {
    if (update === undefined && calls === run.at) apply();
    if (!command.check(model)) continue;
    trace.add(command.toString());
    try {
      await command.run(model, real);
    } catch (error) {
      fail(
        "workload",
        `a call failed:\n${trace.text()}\n${describeError(error)}${userFrame(error)}`,
      );
    }
    calls++;
    checkInvariant(workload, real, live, trace);
    // A progressive sweep runs between calls, as it would between a program's tasks.
    if (update?.policy === "progressive") await nextTask();
  }
  if (update === undefined) apply();
  const completion = await settle(update!, true);
  if (completion.failed.length > 0) {
    const error = completion.failed[0]!.error;
    fail("workload", `migrating an object failed after:\n${trace.text()}\n${describeError(error)}`);
  }
  trace.add("— migration complete —");
  checkInvariant(workload, real, live, trace);
  return calls;
}

function runsOf(w: Workload<object, unknown>): fc.Arbitrary<WorkloadRun> {
  const maxCommands = w.maxCommands ?? 10;
  // Sync and async commands run alike here (each run is awaited); fc.commands types them apart.
  const commands = fc.commands(w.commands as fc.Arbitrary<fc.AsyncCommand<object, unknown>>[], {
    maxCommands,
  }) as fc.Arbitrary<Iterable<WorkloadCommand<object, unknown>>>;
  // The commands last: fast-check (4.x) loses the values beside a cloneable
  // value (a commands iterable) placed before them in a tuple or record while shrinking.
  return fc.record({
    at: fc.nat({ max: maxCommands }),
    policy: fc.constantFrom(...(w.policies ?? POLICIES)),
    commands,
  });
}

export function workload(kit: PropertyKit): PropertyDefinition {
  const w = kit.workload;
  const base = { name: "workload" as const, description: PROPERTY_DESCRIPTIONS.workload };
  if (!w) {
    return {
      ...base,
      skipped: "no `workload` given",
      arbitrary: kit.plain,
      check: async () => vacuous("no workload"),
    };
  }
  if (w.commands.length === 0) {
    return {
      ...base,
      refused: "the workload has no commands",
      arbitrary: kit.plain,
      check: async () => vacuous("no workload"),
    };
  }
  return {
    ...base,
    // The workload last, for the same reason as its commands.
    arbitrary: fc
      .record({ world: kit.worlds, workload: runsOf(w) })
      .map((input) => printable(input)),
    async check({ world, workload: run }) {
      if (!run) return vacuous("no workload");
      // The program's calls may build instances with the class itself: the namespace as the factory writes it.
      const calls = await play(kit, w, kit.build(world, true), run);
      return calls === 0 ? vacuous("no call ran") : CHECKED;
    },
  };
}
