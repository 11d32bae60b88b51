/**
 * A bundle packed with a health-check window, applied to a service that has
 * no health check (a plain `metamorph run` service): the update commits,
 * and the answer and the history warn MM_NO_HEALTH_CHECK — nothing will
 * run through the window or roll the release back by itself.
 */
import { expect, test } from "vitest";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import { release, service } from "./support.js";

const keys = generateKeys();

function control(healthCheck?: () => boolean) {
  const s = service();
  return new LocalControl(
    releaseTarget({
      trust: [keys.publicKey],
      namespace: s.ns,
      version: "1",
      ...(healthCheck ? { healthCheck } : {}),
    }),
  );
}

const bundle = packBundle(
  release(2),
  { fromVersion: "1", toVersion: "2", namespace: "shop", healthCheckWindowMs: 3000 },
  keys.privateKey,
);

test("no health check: committed, with MM_NO_HEALTH_CHECK in the answer and the history", async () => {
  const local = control();
  const answer = (await local.handle({ command: "apply", bundle }, () => {})) as Readonly<
    Record<string, unknown>
  >;
  expect(answer).toMatchObject({
    ok: true,
    warnings: [{ code: "MM_NO_HEALTH_CHECK", message: expect.stringContaining("3000 ms") }],
  });
  expect(local.target.history.releases().at(-1)?.warnings?.[0]?.code).toBe("MM_NO_HEALTH_CHECK");
  local.close();
});

test("with a health check: no such warning", async () => {
  const local = control(() => true);
  const answer = (await local.handle({ command: "apply", bundle }, () => {})) as Readonly<
    Record<string, unknown>
  >;
  expect(answer).toMatchObject({ ok: true, warnings: [] });
  local.close();
});
