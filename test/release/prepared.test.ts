/**
 * Two-phase applies in one process (prepared.ts, localControl.ts) and the
 * transaction over several participants (transaction.ts, with stand-ins for
 * the workers): prepare changes nothing and runs the migration as a dry run,
 * commit applies what was prepared, abort and expiry drop it, nothing else
 * changes the release while one waits; in a transaction, one refusal means
 * no commit, and a participant that committed while another failed is
 * rolled back.
 */
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import type { ControlMessage, ControlRequest } from "../../src/release/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { commitAll, prepareAll } from "../../src/release/transaction.js";
import { release, service } from "./support.js";

const keys = generateKeys();

function bundleOf(p: ReturnType<typeof release>, from: string, to: string): string {
  return packBundle(p, { fromVersion: from, toVersion: to, namespace: "shop" }, keys.privateKey);
}

function control() {
  const s = service();
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1" }),
  );
  const ask = (request: ControlRequest) => local.handle(request, () => {});
  return { ...s, local, ask };
}

type Answer = Readonly<Record<string, unknown>>;

describe("prepare, commit, abort in one process", () => {
  test("prepare runs every migrator once on a copy and changes nothing; commit applies it", async () => {
    const { counter, ask } = control();
    const seen: number[] = [];
    const withMigrator = patch("v2")
      .replaceMethods("Counter", {
        label(this: { count: number }) {
          return `v2:${this.count}`;
        },
      })
      .migrate(
        "Counter",
        (old: Readonly<Record<string, unknown>>, target: Record<string, unknown>) => {
          (globalThis as { seen?: number[] }).seen?.push(old.count as number);
          target.count = (old.count as number) * 10;
        },
      )
      .build();
    (globalThis as { seen?: number[] }).seen = seen;
    const prepared = (await ask({
      command: "prepare",
      bundle: bundleOf(withMigrator, "1", "2"),
    })) as Answer;
    expect(prepared).toMatchObject({
      type: "result",
      ok: true,
      fromVersion: "1",
      toVersion: "2",
      instancesPrepared: 1,
    });
    expect(seen).toEqual([7]);
    expect(counter.count).toBe(7);
    expect(counter.label()).toBe("v1:7");
    const committed = (await ask({ command: "commit", id: String(prepared.id) })) as Answer;
    expect(committed).toMatchObject({ ok: true, status: "committed", version: "2" });
    expect(counter.label()).toBe("v2:70");
    delete (globalThis as { seen?: number[] }).seen;
  });

  test("a validation that fails refuses the prepare with the typed error; nothing waits, nothing changed", async () => {
    const { counter, local, ask } = control();
    const refusing = patch("v2")
      .replaceMethods(
        "Counter",
        release(2).operations[0]
          ? {
              label() {
                return "x";
              },
            }
          : {},
      )
      .validate("never", () => "not today")
      .build();
    await expect(
      ask({ command: "prepare", bundle: bundleOf(refusing, "1", "2") }),
    ).rejects.toMatchObject({ code: "MM_VALIDATION_FAILED" });
    expect(local.prepared.waiting).toBeUndefined();
    expect(counter.label()).toBe("v1:7");
  });

  test("while one waits, apply, prepare, rollback and permanent are refused; abort drops it; a second commit or abort is unknown", async () => {
    const { counter, ask } = control();
    const prepared = (await ask({
      command: "prepare",
      bundle: bundleOf(release(2), "1", "2"),
    })) as Answer;
    for (const request of [
      { command: "apply", bundle: bundleOf(release(2), "1", "2") },
      { command: "prepare", bundle: bundleOf(release(2), "1", "2") },
      { command: "rollback" },
      { command: "permanent" },
    ] as ControlRequest[]) {
      await expect(ask(request)).rejects.toMatchObject({ code: "MM_RELEASE_PREPARED" });
    }
    const status = (await ask({ command: "status" })) as Answer;
    expect(status.prepared).toMatchObject({ id: prepared.id, toVersion: "2" });
    expect(await ask({ command: "abort", id: String(prepared.id) })).toMatchObject({
      ok: true,
      version: "1",
    });
    expect(counter.label()).toBe("v1:7");
    await expect(ask({ command: "commit", id: String(prepared.id) })).rejects.toMatchObject({
      code: "MM_PREPARED_UNKNOWN",
    });
    await expect(ask({ command: "abort", id: String(prepared.id) })).rejects.toMatchObject({
      code: "MM_PREPARED_UNKNOWN",
    });
    // The release is free again.
    expect(await ask({ command: "apply", bundle: bundleOf(release(2), "1", "2") })).toMatchObject({
      ok: true,
    });
    expect(counter.label()).toBe("v2:7");
  });

  test("an update not finished before its expiry is aborted by itself, and a late commit hears that it expired", async () => {
    const { counter, ask } = control();
    const prepared = (await ask({
      command: "prepare",
      bundle: bundleOf(release(2), "1", "2"),
      expiresInMs: 20,
    })) as Answer;
    await new Promise((r) => setTimeout(r, 100));
    await expect(ask({ command: "commit", id: String(prepared.id) })).rejects.toMatchObject({
      code: "MM_PREPARED_UNKNOWN",
      details: { expired: true },
    });
    expect(counter.label()).toBe("v1:7");
  });
});

/** A stand-in worker: a real LocalControl, with a commit that can be made to fail. */
function participant(pid: number, failCommit = false) {
  const { counter, local } = control();
  const p: Participant = {
    pid,
    async call(request: ControlRequest): Promise<ControlMessage> {
      if (request.command === "commit" && failCommit) {
        local.prepared.take(request.id);
        return {
          type: "result",
          ok: false,
          command: "commit",
          status: "postponed",
          reason: "not alterable in time",
        };
      }
      return local.handle(request, () => {});
    },
  };
  return { p, counter, local };
}

describe("a transaction over several participants", () => {
  test("a participant that committed while another did not is rolled back: every participant ends on the old release", async () => {
    const parts = [participant(1), participant(2, true), participant(3)];
    const prepared = await prepareAll(
      parts.map((x) => x.p),
      bundleOf(release(2), "1", "2"),
      undefined,
    );
    expect(prepared.ready).toBe(true);
    const done = await commitAll(prepared.ids);
    expect(done.committed).toBe(false);
    expect(done.workers.map((w) => [w.pid, w.outcome])).toEqual([
      [1, "rolled-back"],
      [2, "failed"],
      [3, "rolled-back"],
    ]);
    for (const x of parts) {
      expect(x.counter.label()).toBe("v1:7");
      expect(x.local.target.history.version).toBe("1");
    }
  });

  test("one refusal in phase one: the ready ones are aborted and may take the next update", async () => {
    const parts = [participant(1), participant(2), participant(3)];
    // Participant 2 runs another release: the bundle is a replay there.
    parts[1]!.local.target.history.record({
      version: "2",
      name: "v2",
      applied: { pauseMs: 0, pendingInstances: () => 0, rollback() {}, makePermanent() {} },
    });
    const prepared = await prepareAll(
      parts.map((x) => x.p),
      bundleOf(release(2), "1", "2"),
      undefined,
    );
    expect(prepared.ready).toBe(false);
    expect(prepared.workers.map((w) => w.outcome)).toEqual(["aborted", "refused", "aborted"]);
    expect(prepared.workers[1]!.error?.code).toBe("MM_RELEASE_MISMATCH");
    for (const x of [parts[0]!, parts[2]!]) expect(x.local.prepared.waiting).toBeUndefined();
  });
});
