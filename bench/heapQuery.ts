/**
 * What the heap finder's query costs, the figures behind the default finder
 * (src/mop/instances/defaultFinder.ts): a query at 10^4, 10^5 and 10^6 live
 * instances in a small heap and at 10^4 in a large unrelated heap; several
 * classes in one query against one query each; and, for an eager `update()`
 * with the heap finder, the block the program sees when the update starts
 * (build, detect and the query, before the pause) next to the pause itself.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { createHeapFinder } from "../src/mop/instances/heapFinder.js";
import { Namespace, patch, update } from "../src/index.js";
import { type BenchModule, consume, type Figure, msOnce, versus } from "./harness.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class Label {
  constructor(readonly text: string) {}
}

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 2 ** 20;

async function endJob(): Promise<void> {
  await nextTurn();
  collect();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function medianMs(repeats: number, body: () => void): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    await endJob();
    samples.push(msOnce(body));
  }
  return median(samples);
}

const heap = createHeapFinder();

function queryFigure(key: string, ms: number, note: string): Figure {
  return { key, value: ms, unit: "ms", note };
}

async function smallHeapQueries(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [label, n, repeats] of [
    ["1e4", 10_000, 5],
    ["1e5", 100_000, 3],
    ["1e6", 1_000_000, 1],
  ] as const) {
    const points = Array.from({ length: n }, (_, i) => new Point(i, -i));
    const ms = await medianMs(repeats, () => consume(heap.find(Point.prototype)));
    figures.push(
      queryFigure(
        `finder.heapQuery.${label}`,
        ms,
        `one heap query (Runtime.queryObjects: full GCs + a walk of the whole heap) with ${n} live instances, heap ${heapMb().toFixed(0)} MiB, median of ${repeats}`,
      ),
    );
    consume(points.length);
    await endJob();
  }
  return figures;
}

/** Two unrelated classes: findEach (one query of Object.prototype) against one find() per class. */
async function severalClasses(): Promise<Figure> {
  const n = 100_000;
  const points = Array.from({ length: n }, (_, i) => new Point(i, -i));
  const labels = Array.from({ length: n }, (_, i) => new Label(String(i)));
  const each = await medianMs(3, () => {
    consume(heap.findEach([Point.prototype, Label.prototype]));
  });
  const separate = await medianMs(3, () => {
    consume(heap.find(Point.prototype));
    consume(heap.find(Label.prototype));
  });
  consume(points.length + labels.length);
  return versus(
    "finder.heapQuery.twoClassesOneQuery",
    each,
    separate,
    "ms",
    `instances of two unrelated classes (${n} each): findEach's one query of Object.prototype vs one query per class; ratio = separate / one`,
  );
}

/** One eager update() with the heap finder: the block at its start (the query) and its pause. */
async function heapUpdate(n: number, label: string): Promise<Figure[]> {
  const ns = new Namespace(`heapUpdate-${label}`, { instanceFinder: "heap" });
  const Picture = ns.defineClass<{ path: string; size: number }>({
    name: "Picture",
    fields: [
      { name: "path", initializer: '""' },
      { name: "size", initializer: "0" },
    ],
    methods: {},
  });
  const list = Array.from({ length: n }, (_, i) => new Picture({ path: `/p${i}`, size: i }));
  await endJob();
  const t0 = performance.now();
  const pending = update(ns, patch("grow").addField("Picture", "tags", { default: 0 }).build());
  const block = performance.now() - t0;
  const result = await pending;
  if (result.instancesMigrated !== n) throw new Error(`migrated ${result.instancesMigrated}`);
  consume(list.length);
  const where = `${n} instances, heap ${heapMb().toFixed(0)} MiB`;
  return [
    queryFigure(
      `finder.heapUpdate.startBlock.${label}`,
      block,
      `eager update() (add one field) with the heap finder, ${where}: the synchronous block when it starts (build, detect, one heap query), a task before the pause — a block the program sees`,
    ),
    queryFigure(
      `finder.heapUpdate.pause.${label}`,
      result.pauseMs,
      `the same update's pause (no heap query inside)`,
    ),
  ];
}

/** Roughly `mb` MiB of small unrelated objects the program holds. */
function unrelatedHeap(mb: number): { objects: number; keep: unknown[] } {
  const keep: unknown[] = [];
  const start = heapMb();
  let objects = 0;
  while (heapMb() - start < mb) {
    for (let i = 0; i < 100_000; i++) keep.push({ id: i, name: `item ${i}`, tags: [i] });
    objects += 300_000;
  }
  return { objects, keep };
}

export const heapQueryBench: BenchModule = {
  name: "heapQuery",
  async run() {
    const figures: Figure[] = [...(await smallHeapQueries())];
    figures.push(await severalClasses());
    await endJob();
    figures.push(...(await heapUpdate(100_000, "1e5")));
    await endJob();
    const big = unrelatedHeap(200);
    const points = Array.from({ length: 10_000 }, (_, i) => new Point(i, -i));
    const ms = await medianMs(3, () => consume(heap.find(Point.prototype)));
    figures.push(
      queryFigure(
        "finder.heapQuery.1e4.bigHeap",
        ms,
        `one heap query with 10^4 live instances and about ${big.objects / 1e6}M unrelated objects (heap ${heapMb().toFixed(0)} MiB), median of 3: the query walks every live object, whatever it matches`,
      ),
      {
        key: "finder.heapQuery.perHeapObject",
        value: (ms * 1e6) / big.objects,
        unit: "ns/object",
        note: "the big-heap query per unrelated live object",
      },
    );
    figures.push(...(await heapUpdate(10_000, "1e4.bigHeap")));
    consume(big.keep.length + points.length);
    return figures;
  },
};
