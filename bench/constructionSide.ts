/**
 * One side of a one-job construction figure (bench/mop.ts, goalFigures), run
 * in a process of its own: `constructionSide.ts <plain|registry|heap|adaptive>
 * <young|kept> <constructions> <samples>` prints the fastest sample's ns per
 * construction.
 *
 * Why a process per side: measured in one process, the two sides of a
 * one-job pair did not measure the classes. The side that ran the first
 * timed sample stayed the slow one for every later sample, whichever it was
 * (the same loops with the order of the sides swapped turned handle 7.7 ns /
 * plain 12.9 ns into 12.8 / 7.0 ns, young; kept 4.2 / 11.7 into 10.2 / 3.5):
 * the young generation's sizing and the collector's state carry from one
 * side's samples into the other's. In a fresh process each, the same loops
 * give the same figures whatever the order.
 */
import { performance } from "node:perf_hooks";
import type { InstanceFinderChoice } from "../src/mop/index.js";
import { Namespace } from "../src/index.js";
import { consume } from "./harness.js";
import { collectGarbage, constructLoop, HOT, nextTask } from "./loops.js";
import { ARGS, defineClasses, NativePoint } from "./pointClasses.js";

const WARM_UP = 20_000;

/** `new C(args)` n times into `out` (all kept). */
function keptLoop(args: string): (C: Function, out: unknown[], n: number) => number {
  return new Function(
    "C",
    "out",
    "n",
    `"use strict";
     for (let i = 0; i < n; i++) out[i] = new C(${args});
     return out.length;`,
  ) as (C: Function, out: unknown[], n: number) => number;
}

async function main(): Promise<void> {
  const [side = "plain", pattern = "young", count = "300000", sampleCount = "15"] =
    process.argv.slice(2);
  const n = Number(count);
  const sampleRuns = Number(sampleCount);
  const kept = pattern === "kept";
  const C: Function =
    side === "plain"
      ? NativePoint
      : defineClasses(
          new Namespace(`bench-construction-${side}`, {
            instanceFinder: side as InstanceFinderChoice,
          }),
        ).Point;
  const young = constructLoop(ARGS);
  const keep = keptLoop(ARGS);
  const ring: unknown[] = new Array(HOT).fill(null);
  consume(kept ? keep(C, [], WARM_UP) : young(C, ring, WARM_UP));
  const samples: number[] = [];
  for (let i = 0; i < sampleRuns; i++) {
    await nextTask();
    collectGarbage();
    const out: unknown[] = kept ? new Array(n) : ring;
    const t0 = performance.now();
    consume(kept ? keep(C, out, n) : young(C, ring, n));
    samples.push(((performance.now() - t0) * 1e6) / n);
  }
  process.stdout.write(`${Math.min(...samples)}\n`);
}

await main();
