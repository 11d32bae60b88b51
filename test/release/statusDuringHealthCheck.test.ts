/**
 * `status` while the health check run right after the commit is still
 * going: the new code already serves, so status says the new release runs
 * (`checking` on its record, and in the text) — before, it said the old
 * release for as long as the check ran, up to its time-out (advZ4). When
 * the check passes the record stays current; when it fails the release is
 * rolled back and the history says so, once.
 */
import { expect, test } from "vitest";
import { describeStatus, generateKeys, packBundle } from "../../src/release/index.js";
import type { ReleaseStatus } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import { release, service } from "./support.js";

const keys = generateKeys();
const bundle = packBundle(
  release(2),
  { fromVersion: "1", toVersion: "2", namespace: "shop" },
  keys.privateKey,
);

/** A service whose health check waits until the test answers it. */
function serviceWithPendingCheck() {
  const s = service();
  let answer: (healthy: boolean) => void = () => {};
  let asked: () => void = () => {};
  const checkAsked = new Promise<void>((resolve) => (asked = resolve));
  const local = new LocalControl(
    releaseTarget({
      trust: [keys.publicKey],
      namespace: s.ns,
      version: "1",
      healthCheck: () => {
        asked();
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
    }),
  );
  const status = async () =>
    (await local.handle({ command: "status" }, () => {})) as unknown as ReleaseStatus &
      Readonly<Record<string, unknown>>;
  return { ...s, local, checkAsked, answer: (healthy: boolean) => answer(healthy), status };
}

test.each([true, false])(
  "while the health check after the commit runs, status shows the new release running (check passes: %s)",
  async (healthy) => {
    const s = serviceWithPendingCheck();
    const applying = s.local.handle({ command: "apply", bundle }, () => {});
    await s.checkAsked;
    expect(s.counter.label()).toBe("v2:7");
    const during = await s.status();
    expect(during).toMatchObject({ version: "2", namespaceVersion: 2 });
    expect(during.releases.at(-1)).toMatchObject({
      version: "2",
      state: "current",
      checking: true,
      canRollBack: false,
    });
    expect(describeStatus(during)).toMatch(
      /running 2 \(committed; the health check after the commit is still running/,
    );
    s.answer(healthy);
    const answer = (await applying) as Readonly<Record<string, unknown>>;
    const after = await s.status();
    expect(after.releases.map((r) => r.checking)).not.toContain(true);
    if (healthy) {
      expect(answer).toMatchObject({ ok: true, status: "committed", version: "2" });
      expect(after).toMatchObject({ version: "2" });
      expect(after.releases.at(-1)).toMatchObject({ state: "current", canRollBack: true });
    } else {
      expect(answer).toMatchObject({ ok: false, status: "rolled-back", version: "1" });
      expect(s.counter.label()).toBe("v1:7");
      expect(after).toMatchObject({ version: "1" });
      expect(after.releases.map((r) => [r.version, r.state])).toEqual([
        ["1", "permanent"],
        ["2", "rolled-back"],
      ]);
      expect(after.releases.at(-1)?.reason).toMatch(/health check/);
    }
    s.local.close();
  },
);
