/**
 * Loop and engine helpers shared by bench/mop.ts and bench/migration.ts.
 *
 * Every hot loop is compiled from its own source text, so each measurement
 * has its own type feedback: a shared call site would see the subject's and
 * the baseline's objects alike and turn polymorphic, measuring the mix
 * instead of either.
 */
import { performance } from "node:perf_hooks";
import { GCProfiler, getHeapStatistics } from "node:v8";
import { consume } from "./harness.js";

/** Objects per steady-state measurement: few enough to stay in cache, so the figure is dispatch, not memory traffic. */
export const HOT = 1024;
/** Operations per timed sample of a hot loop. */
export const CALLS = 1_000_000;

/**
 * Numbers every compiled loop. V8 caches what `new Function` compiles by its
 * source text, feedback included: two loops of the same text would share
 * their type feedback (and a subject's loop would see the baseline's objects),
 * so every loop's source is made unique.
 */
let compiled = 0;

export type HotLoop<T> = (objects: readonly T[], n: number) => number;

/** `body` runs n times with `o` bound to the next object (`objects.length` must be a power of two) and may add to `acc`. */
export function hotLoop<T>(body: string): HotLoop<T> {
  return new Function(
    "objects",
    "n",
    `"use strict"; // loop ${++compiled}
     let acc = 0; const mask = objects.length - 1;
     for (let i = 0; i < n; i++) { const o = objects[i & mask]; ${body} }
     return acc;`,
  ) as HotLoop<T>;
}

/** Wall time in ns/op of one run of `loop` over n operations. */
function sample<T>(loop: HotLoop<T>, objects: readonly T[], n: number): number {
  const t0 = performance.now();
  consume(loop(objects, n));
  return ((performance.now() - t0) * 1e6) / n;
}

/** Short timed samples per side: short enough that some run without being preempted on a busy machine. */
const SAMPLES = 41;

/**
 * Rounds per measurement, each with loops compiled afresh. V8's tiering is
 * not deterministic: a loop measured early in a process may stay in code
 * about 1.5× slower than the same loop compiled again later (`o instanceof
 * C`: 3.1 ns against 2.0, for a class handle and a plain class alike, in one
 * process out of three or so), so one compiled loop per side made a ratio
 * swing from 0.64 to 1.6 between runs. Each side keeps its fastest sample
 * over all rounds, as it keeps its fastest sample within one.
 */
const ROUNDS = 3;

/** A loop compiled from `body`, warmed up until optimised. */
function warmLoop<T>(body: string, objects: readonly T[]): HotLoop<T> {
  const loop = hotLoop<T>(body);
  for (let i = 0; i < 3; i++) sample(loop, objects, CALLS / 4);
  return loop;
}

/**
 * Measures `body` on two sets of objects with separately compiled loops,
 * interleaving their samples one by one (load from other processes hits both
 * alike) and keeping each side's fastest sample: the code is deterministic, so
 * anything slower than the fastest sample is interference. Returns
 * [subject, baseline] in ns/op.
 */
export function measurePair<T, U>(
  body: string,
  subject: readonly T[],
  baseline: readonly U[],
  samples = SAMPLES,
): [number, number] {
  let s = Number.POSITIVE_INFINITY;
  let b = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const subjectLoop = warmLoop<T>(body, subject);
    const baselineLoop = warmLoop<U>(body, baseline);
    for (let i = 0; i < Math.ceil(samples / ROUNDS); i++) {
      // Alternate which side goes first.
      if (i % 2 === 0) {
        s = Math.min(s, sample(subjectLoop, subject, CALLS));
        b = Math.min(b, sample(baselineLoop, baseline, CALLS));
      } else {
        b = Math.min(b, sample(baselineLoop, baseline, CALLS));
        s = Math.min(s, sample(subjectLoop, subject, CALLS));
      }
    }
  }
  return [s, b];
}

/** The fastest of `samples` timed runs of one loop body over `objects` (in ROUNDS of fresh loops), in ns/op. */
export function measureLoop<T>(body: string, objects: readonly T[], samples = SAMPLES): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const loop = warmLoop<T>(body, objects);
    for (let i = 0; i < Math.ceil(samples / ROUNDS); i++) {
      best = Math.min(best, sample(loop, objects, CALLS));
    }
  }
  return best;
}

/**
 * The first `n` of `objects` in a packed array, as every hot loop's objects
 * must be: a loop over a holey array (`new Array(n)` filled later, or a slice
 * of one) checks each element for a hole, which made field reads on migrated
 * objects look 12 % slower than on fresh ones held in a packed array.
 */
export function packed<T>(objects: readonly T[], n = objects.length): T[] {
  return Array.from({ length: n }, (_, i) => objects[i]!);
}

/**
 * A construction loop: `new C(<args>)` n times, each result kept in a small
 * ring so the allocation cannot be optimised away but dies young (as most
 * objects do). `args` is source text that may use the loop index `i`.
 */
export type ConstructLoop = (C: Function, ring: unknown[], n: number) => number;

export function constructLoop(args: string): ConstructLoop {
  return new Function(
    "C",
    "ring",
    "n",
    `"use strict"; // loop ${++compiled}
     const mask = ring.length - 1;
     for (let i = 0; i < n; i++) ring[i & mask] = new C(${args});
     return ring.length;`,
  ) as ConstructLoop;
}

/** Waits for the next macrotask: the current job ends (V8 then drops the objects WeakRefs kept alive during it). */
export const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ConstructionOptions {
  /** Timed samples per side, interleaved (the median is kept: construction includes its garbage collection). */
  readonly samples?: number;
  /** Constructions per sample. */
  readonly operations?: number;
  /**
   * Constructions per job. A sample is split into jobs of this size, with a
   * macrotask between them, and only the jobs' own time is summed. A program
   * constructs objects across many jobs, and V8 keeps every object a WeakRef
   * is made for alive until the job ends: in one long job the registry
   * finder's cost grows, and past 2^24 WeakRefs V8 aborts the process.
   */
  readonly perJob?: number;
}

async function constructionSample(
  loop: ConstructLoop,
  C: Function,
  ring: unknown[],
  operations: number,
  perJob: number,
): Promise<number> {
  let ms = 0;
  for (let done = 0; done < operations; done += perJob) {
    const t0 = performance.now();
    consume(loop(C, ring, perJob));
    // The job's microtasks (queued by the run, e.g. a finder recording its
    // objects when the run ends) are the program's cost too: they run before
    // this continuation.
    await Promise.resolve();
    ms += performance.now() - t0;
    await nextTask();
  }
  return (ms * 1e6) / operations;
}

/**
 * Like measurePair, for construction through two constructors, with samples
 * interleaved one by one; keeps each side's median, since allocation cost
 * includes the garbage collections it causes. Returns [subject, baseline] in ns/op.
 */
export async function measureConstructionPair(
  args: string,
  subject: Function,
  baseline: Function,
  options: ConstructionOptions = {},
): Promise<[number, number]> {
  const { samples = 31, operations = 100_000, perJob = 1000 } = options;
  const ring: unknown[] = new Array(HOT).fill(null);
  const sides = [
    { loop: constructLoop(args), C: subject, samples: [] as number[] },
    { loop: constructLoop(args), C: baseline, samples: [] as number[] },
  ];
  for (const side of sides) consume(side.loop(side.C, ring, 20_000)); // warm up
  collectGarbage();
  for (let i = 0; i < samples; i++) {
    const order = i % 2 === 0 ? sides : [sides[1]!, sides[0]!];
    for (const side of order) {
      side.samples.push(await constructionSample(side.loop, side.C, ring, operations, perJob));
    }
  }
  ring.fill(null);
  return [median(sides[0]!.samples), median(sides[1]!.samples)];
}

/** Median of a list of samples. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The peak growth of the used heap (bytes) while `body` runs, from a heap
 * just collected: the largest of the used size before each garbage
 * collection V8 makes meanwhile (v8.GCProfiler reports them) and at the
 * end — the heap is at its fullest right before a collection, so sampling
 * at chosen moments would miss the garbage in between.
 */
export async function peakHeapGrowth(
  body: () => unknown,
  /** Runs after `body` and is given the growth so far, after a full collection (what `body` left reachable). */
  after?: (grown: () => number) => void,
): Promise<number> {
  collectGarbage();
  const start = getHeapStatistics().used_heap_size;
  const profiler = new GCProfiler();
  profiler.start();
  try {
    await body();
  } catch (error) {
    profiler.stop();
    throw error;
  }
  const end = getHeapStatistics().used_heap_size;
  const peaks = profiler.stop().statistics.map((s) => s.beforeGC.heapStatistics.usedHeapSize);
  after?.(() => {
    collectGarbage();
    return getHeapStatistics().used_heap_size - start;
  });
  return Math.max(end, ...peaks) - start;
}

/** A full garbage collection when the process runs with --expose-gc (bench/run.ts starts modules so); otherwise nothing. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * V8 intrinsics, when the process runs with --allow-natives-syntax (bench/run.ts
 * starts modules so). `%` syntax cannot pass through the TypeScript transform,
 * so the calls are compiled at run time; without the flag they are undefined.
 */
export interface Natives {
  hasFastProperties(o: object): boolean;
  haveSameMap(a: object, b: object): boolean;
}

function compileNatives(): Natives | undefined {
  try {
    return {
      hasFastProperties: new Function("o", "return %HasFastProperties(o)") as (
        o: object,
      ) => boolean,
      haveSameMap: new Function("a", "b", "return %HaveSameMap(a, b)") as (
        a: object,
        b: object,
      ) => boolean,
    };
  } catch {
    return undefined;
  }
}

export const natives: Natives | undefined = compileNatives();

/** How many distinct hidden classes `objects` use (needs natives), and how many are in dictionary mode. */
export function shapeCensus(
  objects: readonly object[],
): { maps: number; slow: number } | undefined {
  if (!natives) return undefined;
  const representatives: object[] = [];
  let slow = 0;
  for (const o of objects) {
    if (!natives.hasFastProperties(o)) slow++;
    if (!representatives.some((r) => natives.haveSameMap(r, o))) representatives.push(o);
  }
  return { maps: representatives.length, slow };
}

/** "2 maps, all fast" — for figure notes. */
export function describeCensus(objects: readonly object[]): string {
  const census = shapeCensus(objects);
  if (!census) return "hidden classes not checked (run without --allow-natives-syntax)";
  const maps = `${census.maps} hidden class${census.maps === 1 ? "" : "es"}`;
  return census.slow === 0
    ? `${maps}, all in fast mode`
    : `${maps}, ${census.slow} in dictionary mode`;
}
