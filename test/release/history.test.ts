import { describe, expect, test } from "vitest";
import { RollbackError } from "../../src/index.js";
import { applyUpdate } from "../../src/lifecycle/index.js";
import { updateSync } from "../../src/index.js";
import { patch } from "../../src/index.js";
import {
  describeStatus,
  ReleaseHistory,
  ReleaseStateError,
  watchHealth,
} from "../../src/release/index.js";
import { release, service } from "./support.js";

function states(history: ReleaseHistory): string[] {
  return history.releases().map((r) => `${r.version}:${r.state}`);
}

describe("release history", () => {
  test("apply, apply, rollback, rollback, apply, permanent: states follow OTP's and the code follows the states", () => {
    const { ns, counter } = service();
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    expect(history.version).toBe("1");
    expect(states(history)).toEqual(["1:permanent"]);

    history.record({ version: "2", name: "v2", applied: updateSync(ns, release(2)) });
    history.record({
      version: "3",
      name: "v3",
      bundleId: "b3",
      applied: updateSync(ns, release(3)),
    });
    expect(counter.label()).toBe("v3:7");
    expect(states(history)).toEqual(["1:permanent", "2:old", "3:current"]);
    expect(history.releases().map((r) => r.canRollBack)).toEqual([false, false, true]);
    expect(history.releases()[2]).toMatchObject({ fromVersion: "2", bundleId: "b3", name: "v3" });

    expect(history.rollback().version).toBe("2");
    expect(counter.label()).toBe("v2:7");
    expect(states(history)).toEqual(["1:permanent", "2:current", "3:rolled-back"]);
    expect(history.rollback("because").version).toBe("1");
    expect(counter.label()).toBe("v1:7");
    expect(history.releases()[1]).toMatchObject({ state: "rolled-back", reason: "because" });
    expect(() => history.rollback()).toThrow(ReleaseStateError);

    history.record({ version: "4", name: "v4", applied: updateSync(ns, release(4)) });
    expect(history.makePermanent().version).toBe("4");
    expect(states(history)).toEqual(["1:old", "2:rolled-back", "3:rolled-back", "4:permanent"]);
    expect(() => history.rollback()).toThrow(ReleaseStateError);
    expect(() => history.makePermanent()).toThrow(ReleaseStateError);
    expect(counter.label()).toBe("v4:7");
  });

  test("make permanent drops the rollback state of every release beneath too", () => {
    const { ns } = service();
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    const r2 = updateSync(ns, release(2));
    const r3 = updateSync(ns, release(3));
    history.record({ version: "2", name: "v2", applied: r2 });
    history.record({ version: "3", name: "v3", applied: r3 });
    history.makePermanent();
    expect(r2.state()).toBe("permanent");
    expect(r3.state()).toBe("permanent");
    expect(states(history)).toEqual(["1:old", "2:old", "3:permanent"]);
  });

  test("an engine refusal to roll back changes nothing in the history", () => {
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    history.record({
      version: "2",
      name: "v2",
      applied: {
        pauseMs: 1,
        pendingInstances: () => 0,
        rollback: () => {
          throw new RollbackError("superseded", {});
        },
        makePermanent: () => {},
      },
    });
    expect(() => history.rollback()).toThrow(RollbackError);
    expect(states(history)).toEqual(["1:permanent", "2:current"]);
  });

  test("status: running version, pending lazy work, last pauses", () => {
    const { ns, Counter } = service();
    for (let i = 0; i < 20; i++) new Counter();
    const history = new ReleaseHistory({ namespace: "shop", version: "1", pausesShown: 2 });
    const lazy = patch("lazy").addField("Counter", "tag", { default: "t" }).policy("lazy").build();
    const applied = applyUpdate(ns, lazy);
    history.record({ version: "2", name: "lazy", applied });
    const status = history.status();
    expect(status.version).toBe("2");
    expect(status.pending).toBe(applied.pendingInstances());
    expect(status.pending).toBeGreaterThan(0);
    expect(status.lastPauses).toEqual([{ version: "2", pauseMs: applied.pauseMs }]);
    applied.completeMigration();
    expect(history.status().pending).toBe(0);
  });

  test("describeStatus names the running release, each state, what rollback returns from, and why a release was rolled back", () => {
    const { ns } = service();
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    history.record({
      version: "2",
      name: "v2",
      bundleId: "ab".repeat(32),
      applied: updateSync(ns, release(2)),
    });
    history.record({ version: "3", name: "v3", applied: updateSync(ns, release(3)) });
    history.rollback("error rate up");
    const text = describeStatus(history.status());
    expect(text).toContain("namespace shop: running 2");
    expect(text).toMatch(/^ {2}1 +permanent +started with$/m);
    expect(text).toMatch(/^ {2}2 +current .*bundle abababababababab {2}rollback returns from it$/m);
    expect(text).toMatch(/^ {2}3 +rolled-back .*\(error rate up\)$/m);
    expect(text).toMatch(/^last pauses: 2 [\d.]+ ms, 3 [\d.]+ ms$/m);
  });

  test("records no rollback can reach are trimmed, oldest first", () => {
    const history = new ReleaseHistory({ namespace: "n", version: "0", keep: 3 });
    const inert = { pauseMs: 0, pendingInstances: () => 0, rollback() {}, makePermanent() {} };
    for (let i = 1; i <= 5; i++) {
      history.record({ version: String(i), name: `r${i}`, applied: inert });
      history.makePermanent();
    }
    expect(states(history)).toEqual(["3:old", "4:old", "5:permanent"]);
  });
});

describe("health-check window", () => {
  test("a failing health check inside the window rolls the current release back by itself", async () => {
    const { ns, counter } = service();
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    const record = history.record({
      version: "2",
      name: "v2",
      applied: updateSync(ns, release(2)),
    });
    let calls = 0;
    const ended = new Promise<{ rolledBack: boolean; reason?: string }>((resolve) => {
      watchHealth({
        history,
        releaseId: record.id,
        windowMs: 5000,
        intervalMs: 5,
        check: () => ++calls < 3,
        onEnd: resolve,
      });
    });
    const outcome = await ended;
    expect(outcome.rolledBack).toBe(true);
    expect(outcome.reason).toContain("answered false");
    expect(history.version).toBe("1");
    expect(counter.label()).toBe("v1:7");
    expect(history.releases()[1]!.reason).toContain("health-check window");
  });

  test("a healthy window ends with the release still current; a superseded release is not rolled back", async () => {
    const { ns } = service();
    const history = new ReleaseHistory({ namespace: "shop", version: "1" });
    const r2 = history.record({ version: "2", name: "v2", applied: updateSync(ns, release(2)) });
    const passed = await new Promise<{ rolledBack: boolean }>((resolve) =>
      watchHealth({
        history,
        releaseId: r2.id,
        windowMs: 30,
        intervalMs: 5,
        check: () => true,
        onEnd: resolve,
      }),
    );
    expect(passed.rolledBack).toBe(false);
    history.record({ version: "3", name: "v3", applied: updateSync(ns, release(3)) });
    const late = await new Promise<{ rolledBack: boolean }>((resolve) =>
      watchHealth({
        history,
        releaseId: r2.id,
        windowMs: 30,
        intervalMs: 5,
        check: () => false,
        onEnd: resolve,
      }),
    );
    expect(late.rolledBack).toBe(false);
    expect(history.version).toBe("3");
  });
});
