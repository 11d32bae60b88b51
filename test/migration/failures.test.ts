import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MetamorphError, MigrationError } from "../../src/index.js";
import { ValidationError } from "../../src/index.js";
import { fieldChain } from "../../src/migration/changes.js";
import type { Operation } from "../../src/patch/operations.js";
import { Patch } from "../../src/index.js";
import type { UpdateResult } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { classHandleOf, currentVersion } from "../../src/mop/index.js";
import type { ModelWorld } from "../../src/testing/index.js";
import { patchScenarioArbitrary } from "../../src/testing/index.js";
import { hasFastProperties } from "../support/v8.js";
import { graphSnapshot, liveWorld, probedWorld } from "../support/world.js";

const failureArb = fc.oneof(
  fc.record({ kind: fc.constant("migrator" as const), at: fc.nat(12), classIndex: fc.nat() }),
  fc.record({ kind: fc.constant("validation" as const) }),
  fc.record({
    kind: fc.constant("instance-validation" as const),
    at: fc.nat(12),
    classIndex: fc.nat(),
  }),
  fc.record({ kind: fc.constant("commit" as const), at: fc.nat(12) }),
);

function definitionsOf(world: ReturnType<typeof liveWorld>) {
  return world.ns.classes().map((h) => JSON.stringify(currentVersion(h).definition));
}

describe("failure injection (acceptance 14)", () => {
  test("property: after a failed update the object graph, classes and bindings are exactly as before", () => {
    fc.assert(
      fc.property(
        patchScenarioArbitrary({ maxOperations: 6 }),
        failureArb,
        ({ before, patch: p, after }, failure) => {
          const world = liveWorld(before, 3);
          const snapshot = graphSnapshot(world.objects);
          const definitions = definitionsOf(world);
          const version = world.ns.version;
          const names = after.classes.map((c) => c.name);
          const target = names[("classIndex" in failure ? failure.classIndex : 0) % names.length]!;
          let seen = 0;
          const extra: Operation[] = [];
          if (failure.kind === "migrator") {
            const fn = () => {
              if (seen++ === failure.at) throw new Error("injected migrator failure");
            };
            extra.push({ op: "migrator", className: target, migrator: { source: String(fn), fn } });
          } else if (failure.kind === "validation") {
            const fn = () => "injected validation failure";
            extra.push({
              op: "validateNamespace",
              name: "injected",
              check: { source: String(fn), fn },
            });
          } else if (failure.kind === "instance-validation") {
            const fn = () => seen++ !== failure.at || "injected instance failure";
            extra.push({
              op: "validateInstances",
              name: "injected",
              className: target,
              check: { source: String(fn), fn },
            });
          }
          const injected = new Patch("injected", [
            ...p.operations.filter((o) => o.op !== "policy"),
            ...extra,
          ]);
          let failed = false;
          try {
            updateSync(world.ns, injected, {
              policy: "eager",
              onCommitStep: (step) => {
                if (failure.kind === "commit" && step === failure.at)
                  throw new Error("injected commit failure");
              },
            });
          } catch (error) {
            expect(error).toBeInstanceOf(MetamorphError);
            failed = true;
          }
          if (failed) {
            expect(graphSnapshot(world.objects)).toEqual(snapshot);
            expect(definitionsOf(world)).toEqual(definitions);
            expect(world.ns.version).toBe(version);
            expect(world.objects.every((o) => hasFastProperties(o))).toBe(true);
          }
        },
      ),
      { seed: Number(process.env.FUZZ_SEED ?? 99), numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });
});

function modelFields(world: ModelWorld, name: string): string[] {
  const defs = new Map(
    world.classes.map((c) => [
      c.name,
      {
        ...c,
        staticFields: [],
        hasPrivateMembers: false,
        version: 1,
        fieldOrigin: "created" as const,
      },
    ]),
  );
  return fieldChain(name, defs);
}

describe("fuzzing the engine with random patches", () => {
  test("property: a successful update leaves exactly the classes the model predicts, and every instance has its class's fields", () => {
    fc.assert(
      fc.property(patchScenarioArbitrary({ maxOperations: 8 }), ({ before, patch: p, after }) => {
        const world = liveWorld(before, 2);
        try {
          updateSync(world.ns, p, { policy: "eager" });
        } catch (error) {
          // The only refusal a model-valid patch may meet: the test world links
          // instances across classes, so removing a class can leave a reference.
          expect(error).toBeInstanceOf(ValidationError);
          const rules = (error as ValidationError).report.failures.map((f) => f.rule);
          expect(new Set(rules)).toEqual(new Set(["removed-class-reference"]));
          return;
        }
        const live = world.ns.classes().map((h) => currentVersion(h).definition);
        expect(live.map((d) => d.name).sort()).toEqual(after.classes.map((c) => c.name).sort());
        for (const model of after.classes) {
          const d = live.find((x) => x.name === model.name)!;
          expect(d.superclass).toBe(model.superclass);
          expect(d.fields.map((f) => f.name)).toEqual(model.fields.map((f) => f.name));
        }
        for (const o of world.objects) {
          const handle = classHandleOf(o)!;
          if (!world.ns.has(handle.name) || world.ns.classNamed(handle.name) !== handle) continue; // removed class
          expect(Object.keys(o)).toEqual(modelFields(after, handle.name));
          expect(hasFastProperties(o)).toBe(true);
        }
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 7), numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
  });
});

type FailurePoint = "first-touch" | "sweep" | "complete";

/** Drives a committed lazy or progressive update to the point where the injected failure fires. */
async function driveTo(point: FailurePoint, result: UpdateResult, objects: readonly object[]) {
  if (point === "first-touch") {
    for (const o of objects) {
      if (result.state() !== "committed") break;
      const probe = (o as { __probe?: () => unknown }).__probe;
      if (typeof probe === "function") probe.call(o);
    }
    return; // a lazy update's completion waits for every object: not awaited here
  }
  if (point === "complete") result.completeMigration();
  await result.completion.catch(() => undefined);
}

describe.each(["registry", "heap"] as const)(
  "failure injection into lazy and progressive updates (%s finder)",
  (finder) => {
    test("property: a migration failure at first touch, in the sweep or in completeMigration leaves everything exactly as before", async () => {
      const rolledBack = new Set<FailurePoint>();
      await fc.assert(
        fc.asyncProperty(
          patchScenarioArbitrary({ maxOperations: 5 }),
          fc.constantFrom<FailurePoint>("first-touch", "sweep", "complete"),
          fc.nat(4),
          fc.nat(),
          async ({ before, patch: p }, point, at, classIndex) => {
            const world = probedWorld(before, finder);
            const snapshot = graphSnapshot(world.objects);
            const definitions = definitionsOf({ ns: world.ns, objects: world.objects });
            const version = world.ns.version;
            const names = before.classes.map((c) => c.name);
            const target = names[classIndex % names.length]!;
            let seen = 0;
            const fn = () => {
              if (seen++ === at) throw new Error("injected lazy failure");
            };
            const renamed = p.operations.some(
              (o) => (o.op === "renameClass" || o.op === "removeClass") && o.className === target,
            );
            const injected = new Patch("injected", [
              ...p.operations.filter((o) => o.op !== "policy"),
              ...(renamed
                ? []
                : [
                    {
                      op: "migrator" as const,
                      className: target,
                      migrator: { source: String(fn), fn },
                    },
                  ]),
            ]);
            const policy = point === "sweep" ? "progressive" : "lazy";
            let result: UpdateResult;
            try {
              result = updateSync(world.ns, injected, { policy, sliceSize: 2 });
            } catch (error) {
              // Refused before the commit (a dry run for validations met the failure first).
              expect(error).toBeInstanceOf(MetamorphError);
              expect(graphSnapshot(world.objects)).toEqual(snapshot);
              expect(world.ns.version).toBe(version);
              return;
            }
            await driveTo(point, result, world.objects);
            if (result.state() !== "rolled-back") return; // the failure did not fire: nothing to undo
            rolledBack.add(point);
            await expect(result.completion).rejects.toBeInstanceOf(MigrationError);
            expect(graphSnapshot(world.objects)).toEqual(snapshot);
            expect(definitionsOf({ ns: world.ns, objects: world.objects })).toEqual(definitions);
            expect(world.ns.version).toBe(version);
            expect(world.objects.every((o) => hasFastProperties(o))).toBe(true);
            expect(result.pendingInstances()).toBe(0);
          },
        ),
        {
          seed: Number(process.env.FUZZ_SEED ?? 12),
          numRuns: Number(process.env.FUZZ_RUNS ?? (finder === "heap" ? 8 : 60)),
        },
      );
      // The property exercised rollbacks from each point, not only updates that never failed.
      expect([...rolledBack].sort()).toEqual(["complete", "first-touch", "sweep"]);
    });
  },
);
