/**
 * A release a cluster's primary committed on its own (no worker forked yet)
 * goes in the log the workers forked later replay; its own history rolling
 * it back takes it out again, whatever rolls it back. The health-check
 * window used not to: the primary ran 1, the log kept 2, and every worker
 * forked later replayed 2 and served it, `status` saying `running 2`
 * (advZ21). A worker forked within the window replays it too: the window's
 * rollback then rolls the cluster back, as `rollback` would.
 * (ClusterControl, stand-in workers.)
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ReleaseLog } from "../../src/release/catchUp.js";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlMessage, ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { wireError } from "../../src/release/protocol.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();
/** Long enough to be open when the test turns the check off; checked every 500 ms. */
const WINDOW_MS = 5_000;
const bundle = (n: 2 | 3 | 4, windowMs: number | undefined = WINDOW_MS) =>
  packBundle(
    release(n),
    {
      fromVersion: String(n - 1),
      toVersion: String(n),
      namespace: "shop",
      ...(windowMs !== undefined ? { healthCheckWindowMs: windowMs } : {}),
    },
    keys.privateKey,
  );
const plain2 = bundle(2, undefined);
const v2 = bundle(2);
const v3 = bundle(3);

/**
 * A process of the cluster. Its health check fails while it runs the
 * release `health.sick` names: only that release's window rolls it back
 * (another window's rollback is refused, its release not being current).
 */
function processOf() {
  const s = service();
  const health: { sick?: string } = {};
  const local: LocalControl = new LocalControl(
    releaseTarget({
      trust: [keys.publicKey],
      namespace: s.ns,
      version: "1",
      healthCheck: () => local.target.history.version !== health.sick,
    }),
  );
  return { ...s, health, local };
}

/** A stand-in worker that starts as a forked one does: the log's bundles replayed through its own control. */
async function forked(pid: number, log: ReleaseLog) {
  const w = processOf();
  for (const text of log.catchUp.bundles) {
    expect(await w.local.handle({ command: "apply", bundle: text }, () => {})).toMatchObject({
      ok: true,
    });
  }
  const asked: string[] = [];
  const p: Participant = {
    pid,
    call: (request: ControlRequest): Promise<ControlMessage> => {
      asked.push(request.command);
      return w.local
        .handle(request, () => {})
        .catch((error: unknown) => ({ type: "error" as const, ...wireError(error) }));
    },
  };
  return { ...w, p, asked };
}

function primary() {
  const own = processOf();
  const workers: Participant[] = [];
  const log = new ReleaseLog();
  const control = new ClusterControl(own.local, { log, participants: () => [...workers] });
  const ask = (request: ControlRequest) =>
    control.handle(request, () => {}) as Promise<Readonly<Record<string, unknown>>>;
  return { ...own, workers, log, ask };
}

/** Polls until `check` holds (bounded). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stateOf = (local: LocalControl, version: string) =>
  local.target.history.releases().findLast((r) => r.version === version)?.state;

describe("a release the primary committed on its own, rolled back by its own history", () => {
  test("its health-check window: the log drops it, and a worker forked later starts on the release before", async () => {
    const p = primary();
    expect(await p.ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true });
    expect(p.log.catchUp.bundles).toEqual([v2]);
    p.health.sick = p.local.target.history.version;
    await until(() => stateOf(p.local, "2") === "rolled-back", "the window's rollback");
    expect(p.counter.label()).toBe("v1:7");
    expect(p.log.catchUp.bundles).toEqual([]);
    const w = await forked(11, p.log);
    p.workers.push(w.p);
    expect(w.counter.label()).toBe("v1:7");
    expect(await p.ask({ command: "status" })).toMatchObject({
      ok: true,
      version: "1",
      catchUp: { version: "1", bundles: 0 },
    });
  });

  test("the window rolls back the last of two: the log keeps the first", async () => {
    const p = primary();
    expect(await p.ask({ command: "apply", bundle: plain2 })).toMatchObject({ ok: true });
    expect(await p.ask({ command: "apply", bundle: v3 })).toMatchObject({ ok: true });
    p.health.sick = p.local.target.history.version;
    await until(() => stateOf(p.local, "3") === "rolled-back", "the window's rollback");
    expect(p.log.catchUp.bundles).toEqual([plain2]);
  });

  test("prepared and committed on its own: the window's rollback leaves the log too", async () => {
    const p = primary();
    const prepared = await p.ask({ command: "prepare", bundle: v2 });
    expect(await p.ask({ command: "commit", id: String(prepared.id) })).toMatchObject({ ok: true });
    expect(p.log.catchUp.bundles).toEqual([v2]);
    p.health.sick = p.local.target.history.version;
    await until(() => stateOf(p.local, "2") === "rolled-back", "the window's rollback");
    expect(p.log.catchUp.bundles).toEqual([]);
  });

  test("the health check right after the commit fails: nothing goes in the log", async () => {
    const p = primary();
    p.health.sick = "2";
    expect(await p.ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: false });
    expect(p.log.catchUp.bundles).toEqual([]);
  });

  test("a control rollback takes it out once, not twice", async () => {
    const p = primary();
    await p.ask({ command: "apply", bundle: plain2 });
    await p.ask({ command: "apply", bundle: bundle(3, undefined) });
    expect(await p.ask({ command: "rollback" })).toMatchObject({ ok: true, version: "2" });
    expect(p.log.catchUp.bundles).toEqual([plain2]);
  });

  test("a worker forked within the window replayed it: the window's rollback rolls the cluster back", async () => {
    const p = primary();
    expect(await p.ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true });
    const w = await forked(12, p.log);
    p.workers.push(w.p);
    expect(w.counter.label()).toBe("v2:7");
    p.health.sick = p.local.target.history.version;
    await until(() => w.asked.includes("rollback"), "the cluster's rollback");
    await until(() => p.log.catchUp.bundles.length === 0, "the log's rollback");
    expect(w.counter.label()).toBe("v1:7");
    expect(await p.ask({ command: "status" })).toMatchObject({
      agreed: true,
      version: "1",
      catchUp: { version: "1" },
    });
  });

  test("the cluster's rollback is refused (an update prepared meanwhile): a warning says so, the log keeps it", async () => {
    const p = primary();
    expect(await p.ask({ command: "apply", bundle: v2 })).toMatchObject({ ok: true });
    const w = await forked(14, p.log);
    p.workers.push(w.p);
    expect(await p.ask({ command: "prepare", bundle: v3 })).toMatchObject({ ok: true });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      p.health.sick = "2";
      await until(() => warnings.length > 0, "the warning");
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings[0]).toMatchObject({
      code: "MM_CLUSTER_REFUSED",
      message: expect.stringContaining("the cluster's rollback was refused"),
    });
    expect(w.counter.label()).toBe("v2:7");
    expect(p.log.catchUp.bundles).toEqual([v2]);
  });
});

/**
 * Any sequence of applies, control rollbacks and failed health checks on a
 * primary on its own: the log always holds the bundles of the releases it
 * runs, so a worker forked then starts where it is.
 */
test("on its own, the log always replays to the primary's release", async () => {
  const FAST_MS = 500;
  const texts = { 2: bundle(2, FAST_MS), 3: bundle(3, FAST_MS), 4: bundle(4, FAST_MS) } as const;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom("apply", "rollback", "sick"), { minLength: 1, maxLength: 6 }),
      async (steps) => {
        const p = primary();
        for (const step of steps) {
          const running = Number(p.local.target.history.version);
          if (step === "apply" && running < 4) {
            const next = (running + 1) as 2 | 3 | 4;
            await p.ask({ command: "apply", bundle: texts[next] });
          }
          if (step === "rollback") await p.ask({ command: "rollback" }).catch(() => {});
          if (step === "sick" && running > 1) {
            const record = p.local.target.history.releases().at(-1)!;
            const over = Date.parse(record.appliedAt!) + FAST_MS + 200;
            p.health.sick = String(running);
            // Its window may be over already (a slow step): then it stays, and so must the log.
            await until(
              () => stateOf(p.local, String(running)) === "rolled-back" || Date.now() > over,
              "the window's rollback or its end",
            );
            delete p.health.sick;
          }
          const w = await forked(13, p.log);
          expect(w.local.target.history.version).toBe(p.local.target.history.version);
        }
      },
    ),
    { seed: 2117, numRuns: 12 },
  );
});
