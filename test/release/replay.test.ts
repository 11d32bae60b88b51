/**
 * Replaying a cluster's bundles in a worker that starts late
 * (release/catchUp.ts), in one process: in order they bring the service to
 * the last release, each recorded in its history; out of order, or one that
 * is refused, is a ReplayRefusedError naming the bundle and the cause. The
 * primary's log keeps the committed bundles and drops the last on a rollback.
 */
import { describe, expect, test } from "vitest";
import { ReleaseLog, replayBundles } from "../../src/release/catchUp.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { releaseTarget } from "../../src/release/server.js";
import { release, service } from "./support.js";

const keys = generateKeys();
const bundle = (n: 2 | 3, from: string, to: string) =>
  packBundle(release(n), { fromVersion: from, toVersion: to }, keys.privateKey);

function worker() {
  const s = service();
  const target = releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" });
  return { ...s, target };
}

describe("replayBundles", () => {
  test("in order: the last release runs, each one recorded (the latest current)", () => {
    const { counter, target } = worker();
    expect(
      replayBundles(target, {
        bundles: [bundle(2, "1", "2"), bundle(3, "2", "3")],
        permanent: 0,
      }),
    ).toBe("3");
    expect(counter.label()).toBe("v3:7");
    expect(target.history.releases().map((r) => [r.version, r.state])).toEqual([
      ["1", "permanent"],
      ["2", "old"],
      ["3", "current"],
    ]);
    // Each is a release like any other: rollback returns from the last.
    target.history.rollback();
    expect(counter.label()).toBe("v2:7");
  });

  test("out of order, or signed by a key the worker does not trust: refused, naming the bundle and the cause", () => {
    const { counter, target } = worker();
    expect(() => replayBundles(target, { bundles: [bundle(3, "2", "3")], permanent: 0 })).toThrow(
      expect.objectContaining({
        code: "MM_RELEASE_REPLAY",
        details: expect.objectContaining({ index: 0, running: "1", cause: "MM_RELEASE_MISMATCH" }),
      }),
    );
    const stranger = packBundle(
      release(2),
      { fromVersion: "1", toVersion: "2" },
      generateKeys().privateKey,
    );
    expect(() => replayBundles(target, { bundles: [stranger], permanent: 0 })).toThrow(
      expect.objectContaining({
        code: "MM_RELEASE_REPLAY",
        details: expect.objectContaining({ cause: "MM_BUNDLE_UNKNOWN_KEY" }),
      }),
    );
    expect([counter.label(), target.history.version]).toEqual(["v1:7", "1"]);
  });

  test("the ones the cluster made permanent are permanent in the worker too: a rollback stops above them", () => {
    const { counter, target } = worker();
    replayBundles(target, { bundles: [bundle(2, "1", "2"), bundle(3, "2", "3")], permanent: 1 });
    expect(target.history.releases().map((r) => [r.version, r.state])).toEqual([
      ["1", "old"],
      ["2", "permanent"],
      ["3", "current"],
    ]);
    target.history.rollback();
    expect(counter.label()).toBe("v2:7");
    expect(() => target.history.rollback()).toThrow(
      expect.objectContaining({ code: "MM_RELEASE_STATE" }),
    );
  });

  test("no bundles: the worker stays on the disk's release", () => {
    const { counter, target } = worker();
    expect(replayBundles(target, { bundles: [], permanent: 0 })).toBe("1");
    expect(counter.label()).toBe("v1:7");
  });
});

describe("ReleaseLog", () => {
  test("keeps the committed bundles in order; a rollback drops the last, never a permanent one", () => {
    const log = new ReleaseLog();
    log.committed("a");
    log.committed("b");
    expect(log.catchUp).toEqual({ bundles: ["a", "b"], permanent: 0 });
    log.rolledBack();
    expect(log.catchUp).toEqual({ bundles: ["a"], permanent: 0 });
    log.madePermanent();
    log.committed("c");
    log.rolledBack();
    log.rolledBack();
    expect(log.catchUp).toEqual({ bundles: ["a"], permanent: 1 });
  });
});
