/**
 * Cost of finding all instances with each backend, and what the registry adds
 * to every construction. Run with --expose-gc for steadier numbers.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { InstanceFinder } from "../src/mop/instances/finder.js";
import { createHeapFinder } from "../src/mop/instances/heapFinder.js";
import { createRegistryFinder } from "../src/mop/instances/registryFinder.js";
import { type BenchModule, consume, type Figure, msOnce, nsPerOp, versus } from "./harness.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Lets the current job end, so WeakRefs made in it stop pinning their targets. */
async function endJob(): Promise<void> {
  await nextTurn();
  collect();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function population(n: number, record?: (o: object) => void): Point[] {
  const points: Point[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = new Point(i, -i);
    record?.(p);
    points[i] = p;
  }
  return points;
}

function allInstancesFigures(backend: string, label: string, n: number, ms: number): Figure[] {
  const key = `mop.allInstances.${backend}.${label}`;
  return [
    {
      key,
      value: ms,
      unit: "ms",
      note: `find() over ${n} live instances, first query in a fresh job`,
    },
    { key: `${key}.perObject`, value: (ms * 1e6) / n, unit: "ns/object" },
  ];
}

/** Median time of `finder.find` over `n` live Points (the registry records them as they are made). */
async function queryMs(finder: InstanceFinder, n: number, repeats: number): Promise<number> {
  finder.enable(Point.prototype);
  const points = population(n, finder.kind === "registry" ? finder.record : undefined);
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    await endJob();
    samples.push(
      msOnce(() => {
        const found = finder.find(Point.prototype);
        if (found.length !== n) throw new Error(`${finder.kind} found ${found.length} of ${n}`);
        consume(found);
      }),
    );
  }
  consume(points.length);
  return median(samples);
}

/** Constructions in batches of 1000 with a turn of the event loop between them, as a server would. */
async function spreadNsPerConstruction(n: number, record?: (o: object) => void): Promise<number> {
  const kept: Point[] = [];
  const t0 = performance.now();
  for (let done = 0; done < n; done += 1000) {
    for (let i = 0; i < 1000; i++) {
      const p = new Point(i, -i);
      record?.(p);
      kept.push(p);
    }
    await nextTurn();
  }
  const ns = ((performance.now() - t0) * 1e6) / n;
  consume(kept.length);
  return ns;
}

async function constructionFigures(): Promise<Figure[]> {
  const n = 100_000;
  const oneJobPlain = nsPerOp((count) => consume(population(count)), n);
  const oneJobRecorded = nsPerOp((count) => {
    const finder = createRegistryFinder();
    finder.enable(Point.prototype);
    consume(population(count, finder.record));
  }, n);

  const spreadPlain: number[] = [];
  const spreadRecorded: number[] = [];
  for (let r = 0; r < 3; r++) {
    await endJob();
    spreadPlain.push(await spreadNsPerConstruction(n));
    await endJob();
    const finder = createRegistryFinder();
    finder.enable(Point.prototype);
    spreadRecorded.push(await spreadNsPerConstruction(n, finder.record));
  }
  return [
    versus(
      "mop.registryConstruction.oneJob",
      oneJobRecorded,
      oneJobPlain,
      "ns/construction",
      `${n} constructions kept alive in one job, with registry recording vs plain new; ratio = plain / recorded`,
    ),
    versus(
      "mop.registryConstruction.spread",
      median(spreadRecorded),
      median(spreadPlain),
      "ns/construction",
      `${n} constructions in batches of 1000 across event-loop turns, with registry recording vs plain new; ratio = plain / recorded`,
    ),
  ];
}

export const instanceFindingBench: BenchModule = {
  name: "instanceFinding",
  async run() {
    const figures: Figure[] = [];
    for (const [label, n, repeats] of [
      ["1e5", 100_000, 3],
      ["1e6", 1_000_000, 1],
    ] as const) {
      figures.push(
        ...allInstancesFigures(
          "registry",
          label,
          n,
          await queryMs(createRegistryFinder(), n, repeats),
        ),
      );
      await endJob();
      figures.push(
        ...allInstancesFigures("heap", label, n, await queryMs(createHeapFinder(), n, repeats)),
      );
      await endJob();
    }
    figures.push(...(await constructionFigures()));
    return figures;
  },
};
