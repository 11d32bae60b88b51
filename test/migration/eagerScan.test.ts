/**
 * The first pass of an eager update (MigrationLog.scan) over instances that
 * update() found before its pause: an object the program moved off the
 * class in between is left out, and every other one is migrated.
 */
import { describe, expect, test } from "vitest";
import { patch, update } from "../../src/index.js";
import { pictures } from "../support/pictures.js";

describe("eager scan of instances found before the pause", () => {
  test("an object moved off its class while update() finds is not migrated", async () => {
    const n = 300_000;
    const { ns, list } = pictures(n, "scan", "registry");
    await new Promise((resolve) => setImmediate(resolve)); // construction's job ends
    const pending = update(
      ns,
      patch("add").addField("Picture", "comment", { default: "" }).build(),
    );
    // The first slice of the find has run (it reads list[0] early); the pause comes later.
    await new Promise((resolve) => setImmediate(resolve));
    const movedBeforePause = !("comment" in list[0]!);
    Object.setPrototypeOf(list[0]!, Object.prototype);
    const result = await pending;
    const moved = movedBeforePause ? 1 : 0;
    expect(result.instancesMigrated).toBe(n - moved);
    expect(Object.keys(list[0]!)).toEqual(
      movedBeforePause ? ["path", "name", "size"] : ["path", "name", "size", "comment"],
    );
    for (const i of [1, 2, n >> 1, n - 1]) {
      expect(Object.keys(list[i]!)).toEqual(["path", "name", "size", "comment"]);
      expect(list[i]!.size).toBe(i);
    }
    result.rollback();
    expect(Object.keys(list[1]!)).toEqual(["path", "name", "size"]);
  });
});
