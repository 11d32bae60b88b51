/**
 * `pauseMs` is the commit's block. With the heap finder, `update()` blocks
 * the program before it too, for the heap query that finds the instances —
 * often the longer block (a full collection and a walk of the whole heap),
 * which no figure of the result reported while `pauseMs` was documented as
 * the longest (review advY3). `timings.find` is that query, and
 * `longestBlockMs` the longer of the two.
 */
import { expect, test } from "vitest";
import { patch, update, updateSync } from "../../src/index.js";
import { pictures } from "../support/pictures.js";

const addComment = () => patch("comment").addField("Picture", "comment", { default: "" }).build();

test("update() with the heap finder reports its query's block, and the longest block is the longer one", async () => {
  const { ns } = pictures(50, "longest-heap", "heap");
  const result = await update(ns, addComment());
  expect(result.timings.find).toBeGreaterThan(0);
  expect(result.longestBlockMs).toBe(Math.max(result.pauseMs, result.timings.find!));
});

test("without a query before the pause, the longest block is the pause", async () => {
  const registry = pictures(50, "longest-registry", "registry");
  const viaUpdate = await update(registry.ns, addComment());
  expect(viaUpdate.timings.find).toBeUndefined();
  expect(viaUpdate.longestBlockMs).toBe(viaUpdate.pauseMs);
  const heap = pictures(50, "longest-sync", "heap");
  const sync = updateSync(heap.ns, addComment());
  expect([sync.timings.find, sync.longestBlockMs]).toEqual([undefined, sync.pauseMs]);
});
