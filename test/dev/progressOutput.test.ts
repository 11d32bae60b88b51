/**
 * The progress of a progressive reload (./progressive.ts), in process: on a
 * terminal one line rewritten in place (never a colour code) and ended
 * before the final line; elsewhere one line per ~10 % at most, each with a
 * higher percentage. The population estimate counts the reloaded classes'
 * instances.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import {
  estimatePopulation,
  followSweep,
  type ProgressOutput,
  sweepLine,
} from "../../src/dev/progressive.js";

type Dot = { x: number };

function dots(n: number) {
  const ns = new Namespace("dots");
  const Dot = ns.defineClass<Dot>({ name: "Dot", fields: [{ name: "x", initializer: "0" }] });
  const list = Array.from({ length: n }, (_, i) => new Dot({ x: i }));
  return { ns, Dot, list };
}

const addY = () => patch("y").addField("Dot", "y", { defaultSource: "1" }).build();

function recorder(terminal: boolean) {
  const lines: string[] = [];
  const rewrites: (string | undefined)[] = [];
  const output: ProgressOutput = {
    line: (text) => lines.push(text),
    ...(terminal
      ? {
          overwrite: (text: string) => rewrites.push(text),
          endOverwrite: () => rewrites.push(undefined),
        }
      : {}),
  };
  return { lines, rewrites, output };
}

test("the estimate counts the instances of the classes given", () => {
  const { ns, Dot } = dots(1234);
  expect(estimatePopulation(ns, [Dot])).toBe(1234);
});

test("elsewhere than a terminal: a line per ~10 %, rising; the final line says pause and duration", async () => {
  const { ns, Dot, list } = dots(20_000);
  const population = estimatePopulation(ns, [Dot]);
  const result = updateSync(ns, addY(), { policy: "progressive", sliceSize: 500 });
  const { lines, output } = recorder(false);
  const summary = await followSweep(result, population, "dots.ts", output);
  expect(summary.migrated).toBe(20_000);
  expect(list.every((d) => (d as Dot & { y: number }).y === 1)).toBe(true);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.length).toBeLessThanOrEqual(11);
  const percents = lines.map((l) => Number(/\((\d+) %\)$/.exec(l)![1]));
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(new Set(percents.map((p) => Math.floor(p / 10))).size).toBe(percents.length);
  expect(sweepLine("dots.ts", result.pauseMs, summary)).toMatch(
    /^dots\.ts: 20000 instances migrated progressively in \d+(\.\d)? m?s, pause \d+\.\d\d ms, longest block \d+ ms$/,
  );
});

test("the final line's longest block is the count's when the count (a heap query) held the program longer than any slice", () => {
  const summary = { migrated: 2, durationMs: 5, longestBlockMs: 3 };
  expect(sweepLine("a.ts", 1, summary, 40.2)).toBe(
    "a.ts: 2 instances migrated progressively in 5 ms, pause 1.00 ms, longest block 40 ms (finding the instances)",
  );
  expect(sweepLine("a.ts", 1, summary, 2)).toBe(
    "a.ts: 2 instances migrated progressively in 5 ms, pause 1.00 ms, longest block 3 ms",
  );
});

test("on a terminal: the line is rewritten in place, without colour, and ended before the final line", async () => {
  const { ns, Dot } = dots(5000);
  const population = estimatePopulation(ns, [Dot]);
  const result = updateSync(ns, addY(), { policy: "progressive", sliceSize: 500 });
  const { lines, rewrites, output } = recorder(true);
  await followSweep(result, population, "dots.ts", output);
  expect(lines).toEqual([]);
  expect(rewrites.length).toBeGreaterThanOrEqual(2);
  expect(rewrites.at(-1)).toBeUndefined();
  for (const text of rewrites.slice(0, -1)) {
    expect(text).toMatch(/^dots\.ts: migrating \d+\/5000 instances progressively \(\d+ %\)$/);
  }
});
