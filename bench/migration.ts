/**
 * The costs of an update (issue 3), each next to what a program would do
 * without metamorph, in the same run:
 * - eager update of 10^5 and 10^6 instances (pause and total) against a
 *   hand-written in-place loop making the same field changes;
 * - lazy and progressive: commit pause at 10^6 instances, first-touch cost,
 *   time to complete the sweep, longest slice of the sweep;
 * - steady state after an update: method calls and field reads on migrated
 *   objects against fresh objects of the new version, and on a mix of both at
 *   one call site; calls while lazy guards are installed against after;
 * - a methods-only patch at 10^6 instances (independent of the count);
 * - the published Pharo figure as a reference point.
 *
 * The class is the demo's Picture (path, name, size); the patch renames
 * `path` to `basepath` (its first field, so every field is rewritten) and
 * adds a `comment`, as patch v2 of the demo does.
 */
import { performance } from "node:perf_hooks";
import type { Policy } from "../src/index.js";
import type { Patch } from "../src/index.js";
import { patch } from "../src/index.js";
import type { UpdateResult } from "../src/index.js";
import { update, updateSync } from "../src/index.js";
import { SLICE_MS } from "../src/migration/sweep.js";
import { currentVersion, stablePrototype } from "../src/mop/classHandle.js";
import type { Namespace } from "../src/index.js";
import { eagerRun, type Run, SHAPES } from "./eagerShapes.js";
import {
  pictureWorld as world,
  pictureWorldAcrossJobs as worldAcrossJobs,
} from "./pictureWorld.js";
import { type BenchModule, consume, type Figure, msOnce, versus } from "./harness.js";
import {
  collectGarbage,
  describeCensus,
  HOT,
  measureConstructionPair,
  measureLoop,
  measurePair,
  median,
  natives,
  nextTask,
  packed,
} from "./loops.js";

interface PictureV2 {
  basepath: string;
  name: string;
  size: number;
  comment: string;
  weight(): number;
}

const RATIO = "ratio = baseline / value: higher is better, 1 = as fast as the baseline";
const CALL_BODY = "acc += o.weight();";
const READ_BODY = "acc += o.size + o.name.length;";
const ADDED_READ_BODY = "acc += o.comment.length + 1;";

const v2 = (policy: Policy): Patch =>
  patch("v2")
    .renameField("Picture", "path", "basepath")
    .addField("Picture", "comment", { default: "" })
    .replaceMethods("Picture", {
      weight(this: PictureV2) {
        return this.size * 2 + this.comment.length;
      },
    })
    .policy(policy)
    .build();

function expectLayout(objects: readonly object[], layout: string, what: string): void {
  const step = Math.max(1, Math.floor(objects.length / 1000));
  for (let i = 0; i < objects.length; i += step) {
    const keys = Object.keys(objects[i]!).join();
    if (keys !== layout)
      throw new Error(`${what}: object #${i} has fields ${keys}, expected ${layout}`);
  }
}

const phases = (r: UpdateResult) => {
  const t = r.timings;
  return `build ${t.build.toFixed(1)}, shadow ${t.shadow.toFixed(1)}, migrate ${t.migrate.toFixed(1)}, validate ${t.validate.toFixed(1)}, commit ${t.commit.toFixed(1)} ms`;
};

function pharoFigures(e5: Run): Figure[] {
  return [
    versus(
      "migration.pharoReference.pause.1e5",
      e5.pause,
      250,
      "ms",
      "our eager update() pause at 10^5 instances (rename + add + replace a method, registry finder); baseline: the published Pharo figure, a constant, not measured here (an update touching 100,000 instances with 250 ms unresponsive; other hardware, other change); ratio = Pharo / ours, higher is better",
    ),
  ];
}

/** Longest gap between two consecutive macrotasks of a ticker running alongside: the longest the program could not run. */
function startTicker() {
  let last = performance.now();
  let longest = 0;
  let ticks = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      return { longest, ticks };
    },
  };
}

/** The hand-written rewrite (rename + add) of the Pictures of a fresh world of `n` after the first `skip` (ms). */
async function handOverPending(n: number, skip: number): Promise<number> {
  const w = await worldAcrossJobs(n, "lazy-hand");
  const rest = w.list.slice(skip) as unknown as Record<string, unknown>[];
  collectGarbage();
  await nextTask();
  const ms = msOnce(() => SHAPES[1]!.hand(rest));
  expectLayout(rest, "basepath,name,size,comment", "lazy hand loop");
  return ms;
}

export async function lazyFigures(eagerPause1e6: number, hand1e6: number): Promise<Figure[]> {
  const N = 1_000_000;
  const TOUCHED = 100_000;
  const figures: Figure[] = [];

  // Lazy: the commit installs guards; objects migrate on their first method call.
  {
    // The hand-written loop over the objects completeMigration() will find
    // pending (all but the first TOUCHED), on a world of its own built the
    // same way, just before: the completion's baseline in the same conditions.
    const handPendingMs = await handOverPending(N, TOUCHED);
    const w = await worldAcrossJobs(N, "lazy");
    collectGarbage();
    const result = updateSync(w.ns, v2("lazy"));
    const pause = result.pauseMs;
    const lazyPhases = phases(result);
    await nextTask();
    // First touch: the first method call on each of TOUCHED objects, in allocation order.
    const first = msOnce(() => {
      let acc = 0;
      for (let i = 0; i < TOUCHED; i++) acc += w.list[i]!.weight();
      consume(acc);
    });
    // Second touch of the same objects: a guarded call on a migrated object.
    const second = msOnce(() => {
      let acc = 0;
      for (let i = 0; i < TOUCHED; i++) acc += w.list[i]!.weight();
      consume(acc);
    });
    if (result.migratedSoFar() !== TOUCHED) {
      throw new Error(`lazy: ${result.migratedSoFar()} migrated after touching ${TOUCHED}`);
    }
    expectLayout(w.list.slice(0, TOUCHED), "basepath,name,size,comment", "lazy first touch");
    await nextTask();
    // Steady state while guards are installed (900,000 objects still pending), then after.
    const hot = packed(w.list, HOT);
    const guardedCall = measureLoop(CALL_BODY, hot);
    // The same over objects spread evenly across all the touched ones (how marks are laid out matters).
    const spread = Array.from({ length: HOT }, (_, i) => w.list[Math.floor((i * TOUCHED) / HOT)]!);
    const guardedSpreadCall = measureLoop(CALL_BODY, spread);
    const pendingBefore = result.pendingInstances();
    const completeMs = msOnce(() => result.completeMigration());
    if (result.pendingInstances() !== 0)
      throw new Error("lazy: instances pending after completeMigration");
    const afterCall = measureLoop(CALL_BODY, hot);
    const afterSpreadCall = measureLoop(CALL_BODY, spread);
    expectLayout(w.list, "basepath,name,size,comment", "lazy completeMigration");
    // What completeMigration must do before migrating: find the instances, in a job of its own.
    await nextTask();
    const prototype = stablePrototype(w.Picture);
    let foundCount = 0;
    const findMs = msOnce(() => {
      foundCount = w.ns.finder.find(prototype).length;
    });
    if (foundCount !== N) throw new Error(`lazy: find() returned ${foundCount} of ${N}`);
    await nextTask();
    // The same first pass again, now that nothing is guarded: a plain call per object.
    const plainPass = msOnce(() => {
      let acc = 0;
      for (let i = 0; i < TOUCHED; i++) acc += w.list[i]!.weight();
      consume(acc);
    });
    const Fresh = w.Picture as unknown as new (init: object) => PictureV2;
    const fresh = Array.from(
      { length: HOT },
      (_, i) => new Fresh({ basepath: "/pictures", name: "holiday", size: i }),
    );
    const [lazyMigratedCall, freshCall] = measurePair(CALL_BODY, hot, fresh);
    const handPending = (hand1e6 * pendingBefore) / N;
    figures.push(
      versus(
        "migration.lazy.commitPause.1e6",
        pause,
        eagerPause1e6,
        "ms",
        `lazy update of 10^6 instances: commit pause (${lazyPhases}); baseline: the eager pause at 10^6; ${RATIO}`,
      ),
      {
        key: "migration.lazy.firstTouch",
        value: (first * 1e6) / TOUCHED,
        unit: "ns/object",
        baseline: (second * 1e6) / TOUCHED,
        ratio: second / first,
        note: `first method call on each of ${TOUCHED} unmigrated objects (migrates it), in allocation order; baseline: the second call on the same objects (guarded, already migrated); ${RATIO}`,
      },
      {
        key: "migration.lazy.completeMigration.1e6",
        value: completeMs,
        unit: "ms",
        note: `completeMigration() migrating the ${pendingBefore} instances still pending after ${TOUCHED} first touches, in one synchronous block (then the guards are removed)`,
      },
      versus(
        "migration.lazy.guardedMethodCall",
        guardedCall,
        afterCall,
        "ns/op",
        `method call on objects migrated at their first touch (branded) while lazy guards are installed (other instances still pending); baseline: the same call on the same objects after the last instance migrated and the guards were removed; ${RATIO}; goal: ratio ≥ 0.67 (≤ 1.5×)`,
      ),
      versus(
        "migration.lazy.guardedMethodCall.spread",
        guardedSpreadCall,
        afterSpreadCall,
        "ns/op",
        `method call while lazy guards are installed, on ${HOT} objects spread evenly over the ${TOUCHED} migrated by first touch (the row above takes the first ${HOT}, the first branded: lazyBrand.ts); baseline: the same call on the same objects after completion; ${RATIO}`,
      ),
      {
        key: "migration.lazy.firstTouchOverHand",
        value: (first * 1e6) / TOUCHED,
        unit: "ns/object",
        baseline: ((plainPass + (hand1e6 * TOUCHED) / N) * 1e6) / TOUCHED,
        ratio: (plainPass + (hand1e6 * TOUCHED) / N) / first,
        note: `first method call on each of ${TOUCHED} unmigrated objects (migrates it: rename + add); baseline: what no implementation can avoid — a plain call on the same object plus the hand-written loop's rewrite of one object (the eager figures' hand loop at 10^6, per object); ${RATIO}`,
      },
      {
        key: "migration.goal.lazy.firstTouch",
        value: (first * 1e6) / TOUCHED,
        unit: "ns/object",
        baseline: (plainPass * 1e6) / TOUCHED,
        ratio: plainPass / first,
        note: `first method call on each of ${TOUCHED} unmigrated objects (migrates it: rename + add), in allocation order; baseline: a plain call on the same objects in the same order once no guard is left; ${RATIO}; goal: ratio ≥ 0.33 (≤ 3× a plain call)`,
      },
      versus(
        "migration.goal.lazy.afterCompletion",
        lazyMigratedCall,
        freshCall,
        "ns/op",
        `method call on objects migrated lazily, after completion (guards removed); baseline: the same call on fresh objects of the new version; ${RATIO}; goal: ratio ≥ 0.95`,
      ),
      versus(
        "migration.lazy.completeMigrationOverHandAndFind.1e6",
        completeMs,
        handPending + (findMs * pendingBefore) / N,
        "ms",
        `completeMigration() of the ${pendingBefore} instances still pending, in one block; baseline: the hand-written loop of the eager figures scaled to that many objects (${handPending.toFixed(0)} ms) plus what finding them costs — a find() of the class's ${N} instances in a job of its own, scaled likewise (${((findMs * pendingBefore) / N).toFixed(0)} ms; the registry dereferences one WeakRef per instance, each kept alive until the job ends); ${RATIO}`,
      ),
      versus(
        "migration.goal.lazy.completeMigration.1e6",
        completeMs,
        handPendingMs,
        "ms",
        `completeMigration() of the ${pendingBefore} instances still pending, in one block (finding included); baseline: the hand-written loop over as many Pictures of a world of its own, measured just before in this process (the eager figures' hand loop scaled to that many objects: ${handPending.toFixed(0)} ms); ${RATIO}; goal: ratio ≥ 0.5 (≤ 2× the hand loop)`,
      ),
    );
  }
  collectGarbage();
  await nextTask();

  // Progressive: lazy plus a background sweep in slices between macrotasks.
  {
    const w = await worldAcrossJobs(N, "progressive");
    collectGarbage();
    const t0 = performance.now();
    const result = updateSync(w.ns, v2("progressive"));
    const pause = result.pauseMs;
    const ticker = startTicker();
    const done = await result.completion;
    const sweepMs = performance.now() - t0;
    const { longest, ticks } = ticker.stop();
    if (done.migrated !== N || done.failed.length > 0 || result.pendingInstances() !== 0) {
      throw new Error(
        `progressive: ${done.migrated} migrated, ${done.failed.length} failed of ${N}`,
      );
    }
    expectLayout(w.list, "basepath,name,size,comment", "progressive sweep");
    figures.push(
      versus(
        "migration.progressive.commitPause.1e6",
        pause,
        eagerPause1e6,
        "ms",
        `progressive update of 10^6 instances: commit pause (${phases(result)}); baseline: the eager pause at 10^6; ${RATIO}`,
      ),
      {
        key: "migration.progressive.sweep.1e6",
        value: sweepMs,
        unit: "ms",
        baseline: eagerPause1e6,
        ratio: eagerPause1e6 / sweepMs,
        note: `progressive update of 10^6 instances, from the call until the sweep resolved (slices of about 4 ms between macrotasks; the program ran ${ticks} tasks meanwhile); baseline: the eager pause at 10^6; ratio = baseline / value (below 1: the sweep takes longer overall than an eager pause, but never blocks long)`,
      },
      {
        key: "migration.progressive.longestBlock.1e6",
        value: longest,
        unit: "ms",
        note: "longest time the program could not run during the progressive sweep of 10^6 instances (largest gap between two consecutive macrotasks of a ticker running alongside), the commit pause excluded",
      },
    );

    // A methods-only patch on this world of 10^6 migrated instances, against a tiny one.
    const small = world(1000, "methods-small");
    const methodsPatches = (k: number) => {
      const p = patch(`methods-${k}`)
        .replaceMethods("Picture", {
          weight(this: { size: number }) {
            return this.size * 3;
          },
        })
        .build();
      const q = patch(`methods-${k}b`)
        .replaceMethods("Picture", {
          weight(this: { size: number }) {
            return this.size * 4;
          },
        })
        .build();
      return { p, q, patch: k % 2 === 0 ? p : q };
    };
    const methodsOnly = (ns: Namespace, k: number) => updateSync(ns, methodsPatches(k).patch);
    const methodsOnlyAsync = (ns: Namespace, k: number) => update(ns, methodsPatches(k).patch);
    const large: number[] = [];
    const tiny: number[] = [];
    let migrated = 0;
    // The first methods-only update of the process runs cold code (JIT).
    const cold = methodsOnly(w.ns, 0);
    cold.makePermanent();
    for (let k = 1; k <= 40; k++) methodsOnly(small.ns, k).makePermanent();
    const phaseTimes: Record<string, number[]> = {};
    for (let k = 0; k < 15; k++) {
      const a = methodsOnly(w.ns, k);
      migrated += a.instancesMigrated;
      large.push(a.pauseMs);
      for (const [phase, ms] of Object.entries(a.timings)) (phaseTimes[phase] ??= []).push(ms);
      a.makePermanent();
      const b = methodsOnly(small.ns, k);
      tiny.push(b.pauseMs);
      b.makePermanent();
      await nextTask();
    }
    // The same through update(), as the lifecycle, the CLI and `metamorph dev`
    // apply patches: it builds and compiles the new versions before its pause
    // (phases/ahead.ts), in a block of its own.
    const asyncPauses: number[] = [];
    const asyncPhases: Record<string, number[]> = {};
    for (let k = 0; k < 15; k++) {
      const a = await methodsOnlyAsync(w.ns, k);
      migrated += a.instancesMigrated;
      asyncPauses.push(a.pauseMs);
      for (const [phase, ms] of Object.entries(a.timings)) (asyncPhases[phase] ??= []).push(ms);
      a.makePermanent();
      await nextTask();
    }
    if (migrated !== 0) throw new Error(`a methods-only patch migrated ${migrated} instances`);
    // By hand, measured as the update is: the median of 15, alternating two
    // new functions (one cold measurement said ~42 µs, mostly first-call cost).
    const proto = stablePrototype(w.Picture);
    const byHandTimes: number[] = [];
    for (let k = 0; k < 15; k++) {
      byHandTimes.push(
        msOnce(() => {
          Object.defineProperty(proto, "weight", {
            value:
              k % 2 === 0
                ? function weight(this: { size: number }) {
                    return this.size * 5;
                  }
                : function weight(this: { size: number }) {
                    return this.size * 6;
                  },
            writable: true,
            configurable: true,
          });
        }),
      );
    }
    const byHand = median(byHandTimes);
    figures.push(
      versus(
        "migration.methodsOnly.1e6",
        median(large) * 1000,
        median(tiny) * 1000,
        "µs",
        `methods-only patch (replace one method, no field change) with 10^6 live instances: whole update, median of 15 after a warm-up (each made permanent; medians by phase, with their share of the median total: ${phaseShares(
          phaseTimes,
        )}); baseline: the same patch with 10^3 live instances (ratio ≈ 1: independent of the instance count); patching the prototype by hand takes ${(byHand * 1000).toFixed(1)} µs (median of 15)`,
      ),
      {
        key: "migration.goal.methodsOnly.1e6",
        value: median(asyncPauses) * 1000,
        unit: "µs",
        baseline: 100,
        ratio: 100 / (median(asyncPauses) * 1000),
        note: `pause of the same methods-only patch applied with update() (10^6 live instances, warm, median of 15; its build and the compiling of the new version come before the pause, in a block of their own; medians by phase: ${phaseShares(asyncPhases)}); with updateSync, everything in its pause, the row above: ${(median(large) * 1000).toFixed(0)} µs; the first methods-only updateSync of the process, cold, took ${(cold.pauseMs * 1000).toFixed(0)} µs; baseline: the goal's limit, 100 µs (a constant, not measured); goal: ratio ≥ 1`,
      },
    );
    consume(w.list.length + small.list.length);
  }
  return figures;
}

/** Each phase's median in µs and its share of the median total ("build 29.7 µs (19 %), …"). */
function phaseShares(phaseTimes: Record<string, number[]>): string {
  const total = median(phaseTimes.total ?? [0]);
  return Object.entries(phaseTimes)
    .map(([phase, ms]) => {
      const m = median(ms);
      const share = phase === "total" || total === 0 ? "" : ` (${Math.round((100 * m) / total)} %)`;
      return `${phase} ${(m * 1000).toFixed(1)} µs${share}`;
    })
    .join(", ");
}

/**
 * Times every search of `finder` from now on, as [start, end] times: `find`,
 * and the heap finder's `findEach` (one query for several classes, what the
 * sweep runs).
 */
function timedSearches(finder: Namespace["finder"]): [number, number][] {
  const searches: [number, number][] = [];
  const timed =
    <A extends unknown[], R>(search: (...args: A) => R) =>
    (...args: A): R => {
      const t0 = performance.now();
      try {
        return search(...args);
      } finally {
        searches.push([t0, performance.now()]);
      }
    };
  const each = finder as { findEach?: (...args: never[]) => unknown };
  finder.find = timed(finder.find.bind(finder));
  if (typeof each.findEach === "function") each.findEach = timed(each.findEach.bind(finder));
  return searches;
}

/** Gaps longer than `over` ms between ticks of a 1 ms interval timer, as [start, end] times. */
function gapRecorder(over: number) {
  let last = performance.now();
  let longest = 0;
  const gaps: [number, number][] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > over) gaps.push([last, now]);
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    /** Forgets the gaps so far and starts again from now. */
    restart() {
      gaps.length = 0;
      longest = 0;
      last = performance.now();
    },
    /** The gaps longer than `over`, and the longest gap of all. */
    stop() {
      clearInterval(timer);
      return { gaps, longest };
    },
  };
}

const longestOf = (gaps: readonly [number, number][]) =>
  gaps.reduce((m, [a, b]) => Math.max(m, b - a), 0);

/**
 * What the progressive goal is measured against when the update is not what
 * blocks: the same rewrite written by hand as a sliced loop (slices of
 * SLICE_MS between macrotasks, the clock read every 64 objects, as the sweep
 * does) over `n` Pictures, with the same 1 ms timer alongside. Its longest
 * gap is what the runtime itself imposes on any progressive rewrite of that
 * many objects — mostly scavenges, each copying the new property storage of
 * every object rewritten since the previous one.
 */
async function handSlicedBlock(
  n: number,
  label: string,
): Promise<{ longest: number; top: string }> {
  const w = await worldAcrossJobs(n, `hand-sliced-${label}`);
  collectGarbage();
  await nextTask();
  const list = w.list as unknown as Record<string, unknown>[];
  const gaps = gapRecorder(2);
  await new Promise((resolve) => setTimeout(resolve, 20));
  gaps.restart();
  let i = 0;
  while (i < list.length) {
    const end = performance.now() + SLICE_MS;
    for (; i < list.length; i++) {
      const o = list[i]!;
      const a = o.path;
      const b = o.name;
      const c = o.size;
      delete o.size;
      delete o.name;
      delete o.path;
      o.basepath = a;
      o.name = b;
      o.size = c;
      o.comment = "";
      if ((i & 63) === 0 && performance.now() >= end) {
        i++;
        break;
      }
    }
    await nextTask();
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  const { gaps: seen, longest } = gaps.stop();
  expectLayout(w.list, "basepath,name,size,comment", `hand-sliced ${label}`);
  const top = seen
    .map(([a, b]) => b - a)
    .sort((a, b) => b - a)
    .slice(0, 4)
    .map((g) => g.toFixed(1))
    .join(", ");
  return { longest, top };
}

/**
 * The longest block the program sees during a progressive update (commit and
 * sweep), for each finder at 10^5 and 10^6 instances: the largest gap
 * between two ticks of a 1 ms interval timer running alongside. The same
 * timer's longest gap while nothing is updated, over a second before the
 * update, says what the machine (load, garbage collection of the world)
 * gives the program anyway; with the heap finder the heap query is timed on
 * its own and the longest gap outside it reported as a figure of its own.
 */
export async function progressiveBlockFigures(
  finders: readonly string[] = ["registry", "heap"],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const finder of (["registry", "heap"] as const).filter((f) => finders.includes(f))) {
    for (const [label, n] of [
      ["1e5", 100_000],
      ["1e6", 1_000_000],
    ] as const) {
      const w = await worldAcrossJobs(n, `progressive-${finder}-${label}`, finder);
      collectGarbage();
      await nextTask();
      const queries = timedSearches(w.ns.finder);
      const recorder = gapRecorder(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      recorder.restart();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idle = recorder.stop().longest;
      const gaps = gapRecorder(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      gaps.restart();
      const t0 = performance.now();
      const result = updateSync(w.ns, v2("progressive"));
      const done = await result.completion;
      const sweepMs = performance.now() - t0;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const { gaps: seen, longest } = gaps.stop();
      if (done.migrated !== n) throw new Error(`progressive: ${done.migrated} of ${n} migrated`);
      expectLayout(w.list, "basepath,name,size,comment", `progressive ${finder} ${label}`);
      const top = [...seen]
        .map(([a, b]) => b - a)
        .sort((a, b) => b - a)
        .slice(0, 4)
        .map((g) => g.toFixed(1))
        .join(", ");
      const queryMs = queries.reduce((sum, [a, b]) => sum + b - a, 0);
      figures.push({
        key: `migration.goal.progressive.longestBlock.${finder}.${label}`,
        value: longest,
        unit: "ms",
        baseline: 10,
        ratio: 10 / longest,
        note: `longest gap between two ticks of a 1 ms interval timer during a progressive update of ${label.replace("1e", "10^")} instances with the ${finder} finder, commit and sweep (${sweepMs.toFixed(0)} ms in all, commit pause ${result.pauseMs.toFixed(1)} ms; longest gaps ${top} ms; ${queries.length} heap or registry search(es) in the sweep, ${queryMs.toFixed(0)} ms); the same timer's longest gap over 1 s with no update: ${idle.toFixed(1)} ms; baseline: the goal's limit, 10 ms (a constant, not measured); goal: ratio ≥ 1`,
      });
      if (finder === "registry") {
        const hand = await handSlicedBlock(n, label);
        figures.push({
          key: `migration.progressive.handSlicedLongestBlock.${label}`,
          value: hand.longest,
          unit: "ms",
          baseline: 10,
          ratio: 10 / hand.longest,
          note: `no update: the same rewrite written by hand as a loop in slices of ${SLICE_MS} ms between macrotasks over ${label.replace("1e", "10^")} Pictures, with the same 1 ms timer alongside (longest gaps ${hand.top} ms) — what the runtime imposes on any progressive rewrite of that many objects (scavenges copying the new property storage of the objects rewritten since the previous one); baseline: the goal's limit, 10 ms (a constant); ${RATIO}`,
        });
        collectGarbage();
        await nextTask();
      }
      if (finder === "heap") {
        const outside = longestOf(
          seen.filter(([a, b]) => !queries.some(([qa, qb]) => a <= qb && qa <= b)),
        );
        // Gaps under 2 ms are not recorded: reported as 2 ms.
        const value = Math.max(outside, 2);
        figures.push({
          key: `migration.progressive.longestBlockOutsideQuery.heap.${label}`,
          value,
          unit: "ms",
          baseline: 10,
          ratio: 10 / value,
          note: `the progressive update above (heap finder, ${label.replace("1e", "10^")} instances): longest gap of the timer (2 ms at least) that does not overlap the heap query (${queryMs.toFixed(0)} ms, one block the program sees: a heap query cannot be sliced); baseline: the goal's limit, 10 ms (a constant); ${RATIO}`,
        });
      }
      result.makePermanent();
      collectGarbage();
      await nextTask();
    }
  }
  return figures;
}

/** Steady state: migrated objects against fresh ones of the new version, and a mix at one call site. */
export function steadyStateFigures(): Figure[] {
  const w = world(HOT, "steady");
  updateSync(w.ns, v2("eager")).makePermanent();
  const migrated = packed(w.list as unknown as PictureV2[]);
  const Fresh = w.Picture as unknown as new (init: object) => PictureV2;
  const fresh = Array.from(
    { length: HOT },
    (_, i) => new Fresh({ basepath: "/pictures", name: "holiday", size: i }),
  );
  // Interleaved: every call site sees both kinds of object.
  const mixed = Array.from({ length: HOT }, (_, i) => (i % 2 === 0 ? migrated[i]! : fresh[i]!));
  const [migratedCall, freshCall] = measurePair(CALL_BODY, migrated, fresh);
  const [migratedRead, freshRead] = measurePair(READ_BODY, migrated, fresh);
  const [addedRead, freshAddedRead] = measurePair(ADDED_READ_BODY, migrated, fresh);
  const [mixedCall, freshCall2] = measurePair(CALL_BODY, mixed, fresh);
  const [mixedRead, freshRead2] = measurePair(READ_BODY, mixed, fresh);
  // The new version as a plain class written by hand: what a restart would run.
  class PlainV2 {
    comment = "";
    constructor(
      public basepath: string,
      public name: string,
      public size: number,
    ) {}
    weight(): number {
      return this.size * 2 + this.comment.length;
    }
  }
  const plain = Array.from(
    { length: HOT },
    (_, i) => new PlainV2("/pictures", "holiday", i) as unknown as PictureV2,
  );
  const [migratedCallPlain, plainCall] = measurePair(CALL_BODY, migrated, plain);
  const [addedReadPlain, plainAddedRead] = measurePair(ADDED_READ_BODY, migrated, plain);
  const census = `migrated: ${describeCensus(migrated)}; fresh: ${describeCensus(fresh)}; mix: ${describeCensus(mixed)}`;
  const proto = stablePrototype(w.Picture);
  const protoNote = natives
    ? `; the class's stable prototype is ${natives.hasFastProperties(proto) ? "in fast mode" : "in dictionary mode"}`
    : "";
  const goal = "goal: ratio ≥ 0.95";
  consume(currentVersion(w.Picture));
  return [
    versus(
      "migration.steady.methodCall.migrated",
      migratedCall,
      freshCall,
      "ns/op",
      `method call (reads size and the added comment) on objects migrated by an eager update; baseline: fresh objects of the new version (${census}${protoNote}); ${RATIO}; ${goal}`,
    ),
    versus(
      "migration.steady.fieldRead.migrated",
      migratedRead,
      freshRead,
      "ns/op",
      `two reads of fields the objects had before the update (size, name) on migrated objects; baseline: fresh objects of the new version; ${RATIO}; ${goal}`,
    ),
    versus(
      "migration.steady.addedFieldRead.migrated",
      addedRead,
      freshAddedRead,
      "ns/op",
      `read of the field the update added (comment) on migrated objects; baseline: fresh objects of the new version. An object's in-object capacity is fixed when it is constructed, so fields added by a migration live in its out-of-object property array (one more load; checked with %DebugPrint), as do the fresh objects of the new version here, which share the migrated objects' hidden class (see the census above; the rows vsPlainClass compare with a class written by hand); ${RATIO}; ${goal}`,
    ),
    versus(
      "migration.steady.methodCall.vsPlainClass",
      migratedCallPlain,
      plainCall,
      "ns/op",
      `the method call above on migrated objects; baseline: the new version written by hand as a plain class (what a restart would run), its fields in the same order; ${RATIO}; no goal`,
    ),
    versus(
      "migration.steady.addedFieldRead.vsPlainClass",
      addedReadPlain,
      plainAddedRead,
      "ns/op",
      `the read of the added field on migrated objects; baseline: the same plain class, which holds it in-object; ${RATIO}; no goal`,
    ),
    versus(
      "migration.steady.methodCall.mixed",
      mixedCall,
      freshCall2,
      "ns/op",
      `method call at one call site seeing migrated and fresh objects interleaved (2 hidden classes: polymorphic); baseline: fresh objects only; ${RATIO}; ${goal}`,
    ),
    versus(
      "migration.steady.fieldRead.mixed",
      mixedRead,
      freshRead2,
      "ns/op",
      `two field reads at one site seeing migrated and fresh objects interleaved; baseline: fresh objects only; ${RATIO}; ${goal}`,
    ),
  ];
}

/**
 * While a lazy update is pending (guards installed, old objects untouched):
 * a method call on objects the new version built after the commit, and
 * construction itself, each against the same on a namespace whose identical
 * update completed (no guard left). Review advY3 H3 found both far off (a
 * call 14–44× a plain one, construction 3–9×), which no figure showed: the
 * lazy rows above call only objects migrated at their first touch.
 */
export async function pendingWindowFigures(): Promise<Figure[]> {
  const N = 10_000;
  const pending = await worldAcrossJobs(N, "pending-window");
  const done = await worldAcrossJobs(N, "pending-window-done");
  const result = updateSync(pending.ns, v2("lazy"));
  updateSync(done.ns, v2("eager"));
  const make = (i: number) => ({ basepath: "/pictures", name: "holiday", size: i, comment: "" });
  const Pending = pending.Picture as unknown as new (init: object) => PictureV2;
  const Done = done.Picture as unknown as new (init: object) => PictureV2;
  const built = Array.from({ length: HOT }, (_, i) => new Pending(make(i)));
  const fresh = Array.from({ length: HOT }, (_, i) => new Done(make(i)));
  const [builtCall, freshCall] = measurePair(CALL_BODY, built, fresh);
  const ARGS = '{ basepath: "/pictures", name: "holiday", size: i, comment: "" }';
  const [pendingNew, doneNew] = await measureConstructionPair(ARGS, Pending, Done, {
    samples: 15,
    operations: 50_000,
  });
  if (result.pendingInstances() !== N) throw new Error("pending window: objects migrated");
  result.completeMigration();
  return [
    versus(
      "migration.lazy.pending.callOnBuiltSince",
      builtCall,
      freshCall,
      "ns/op",
      `method call on objects the new version built while a lazy update is pending (its ${N} old objects untouched, guards installed); baseline: the same call on objects of the same layout in a namespace whose identical update completed (no guards); ${RATIO}`,
    ),
    versus(
      "migration.lazy.pending.construction",
      pendingNew,
      doneNew,
      "ns/op",
      `construction through the class handle while a lazy update is pending (registry finder, as the baseline); baseline: the same construction in a namespace whose identical update completed; ${RATIO}`,
    ),
  ];
}

export const migrationBench: BenchModule = {
  name: "migration",
  async run() {
    const steady = steadyStateFigures();
    collectGarbage();
    // The eager goals run in a module of their own (bench/eagerShapes.ts); the
    // figures here that compare against an eager update measure one themselves.
    const e5 = await eagerRun(SHAPES[1]!, 100_000, "registry", 3);
    const e6 = await eagerRun(SHAPES[1]!, 1_000_000, "registry", 1);
    const lazy = await lazyFigures(e6.pause, e6.hand);
    const blocks = await progressiveBlockFigures();
    const window = await pendingWindowFigures();
    return [...pharoFigures(e5), ...lazy, ...window, ...blocks, ...steady];
  },
};
