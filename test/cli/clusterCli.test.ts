/**
 * `metamorph status` and `apply` against a cluster's primary
 * (ClusterControl behind a real control socket in this process, stand-in
 * workers): one line per worker, workers on different releases flagged
 * with exit 1, the cluster's prepared update shown with its id and expiry;
 * a refusal by one worker said as such, with the validation report once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";
import { ClusterControl } from "../../src/release/cluster.js";
import type { ControlMessage, ControlServer } from "../../src/release/index.js";
import { connect, generateKeys, listen, packBundle } from "../../src/release/index.js";
import type { Participant } from "../../src/release/transaction.js";
import { release } from "../release/support.js";
import { removeDir } from "../dev/support.js";
import { type Workspace, workspace } from "./releaseSupport.js";

const keys = generateKeys();
let space: Workspace;
let server: ControlServer;
const refusing = new Set<number>();
const versions = new Map<number, string>([
  [101, "1"],
  [102, "1"],
]);

/** A stand-in worker: answers status with its version, and prepare/abort as done. */
function worker(pid: number): Participant {
  return {
    pid,
    async call(request): Promise<ControlMessage> {
      const version = versions.get(pid)!;
      if (request.command === "status") {
        return {
          type: "result",
          ok: true,
          command: "status",
          namespace: "shop",
          version,
          releases: [{ version, state: "current" }],
          pending: 0,
          lastPauses: [],
        };
      }
      if (request.command === "prepare" && refusing.has(pid)) {
        return {
          type: "error",
          command: "prepare",
          code: "MM_VALIDATION_FAILED",
          name: "ValidationError",
          message: "validation failed:\n  - stock-positive: a Counter has a negative count",
        };
      }
      return { type: "result", ok: true, command: request.command, id: `w${pid}`, version };
    },
  };
}

beforeAll(async () => {
  space = workspace("mm-cluster-status-");
  server = await listen({
    trust: [keys.publicKey],
    namespace: new Namespace("shop"),
    version: "1",
    path: join(space.dir, "c.sock"),
    handler: (local) =>
      new ClusterControl(local, { participants: () => [worker(101), worker(102)] }),
  });
});

afterAll(async () => {
  await server?.close();
  if (space) removeDir(space.dir);
});

test("workers that agree: one line each, exit 0; a prepared cluster update is shown with its id and expiry", async () => {
  const ok = await space.metamorph(["status", "--to", server.path]);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout).toContain("namespace shop: running 1");
  expect(ok.stdout).toContain("workers (2):\n  worker 101: running 1\n  worker 102: running 1\n");
  const bundle = packBundle(
    release(2),
    { fromVersion: "1", toVersion: "2", namespace: "shop" },
    keys.privateKey,
  );
  const prepared = await ask(bundle);
  const shown = await space.metamorph(["status", "--to", server.path]);
  expect(shown.stdout).toMatch(
    new RegExp(
      `prepared: update ${prepared.id} \\(1 → 2\\) waits for apply --commit or --abort, until ${String(prepared.expiresAt).replace(/[.]/g, "\\.")}`,
    ),
  );
  const json = JSON.parse(
    (await space.metamorph(["status", "--to", server.path, "--json"])).stdout,
  );
  expect(json.prepared).toMatchObject({ id: prepared.id, toVersion: "2" });
  await abort(String(prepared.id));
});

test("workers on different releases: each named, the disagreement said, exit 1", async () => {
  versions.set(102, "2");
  try {
    const split = await space.metamorph(["status", "--to", server.path]);
    expect(split.code).toBe(1);
    expect(split.stdout).toContain("cluster: the workers DISAGREE — they run 1, 2");
    expect(split.stdout).toContain("  worker 101: running 1\n  worker 102: running 2");
    expect(split.stdout).not.toContain("namespace shop: running");
    const json = JSON.parse(
      (await space.metamorph(["status", "--to", server.path, "--json"])).stdout,
    );
    expect(json).toMatchObject({ agreed: false });
    expect(json.version).toBeUndefined();
  } finally {
    versions.set(102, "1");
  }
});

async function ask(bundle: string): Promise<Readonly<Record<string, unknown>>> {
  const answer = await connect(server.path).request({ command: "prepare", bundle }, () => {});
  expect(answer).toMatchObject({ ok: true });
  return answer as Readonly<Record<string, unknown>>;
}

async function abort(id: string): Promise<void> {
  await connect(server.path).request({ command: "abort", id }, () => {});
}

test("one worker refuses: said as such, every worker named, the validation report printed once", async () => {
  const bundle = packBundle(
    release(2),
    { fromVersion: "1", toVersion: "2", namespace: "shop" },
    keys.privateKey,
  );
  writeFileSync(join(space.dir, "v2.bundle.json"), bundle);
  refusing.add(102);
  try {
    const refused = await space.metamorph(["apply", "v2.bundle.json", "--to", server.path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("not every worker prepared (refused)");
    expect(refused.stderr).not.toContain("every worker refused");
    expect(refused.stderr).toContain(
      "metamorph apply: error MM_CLUSTER_REFUSED: refused, every worker stays on its release: cluster apply",
    );
    expect(refused.stderr).not.toContain("undefined");
    expect(refused.stderr.split("a Counter has a negative count")).toHaveLength(2);
    expect(refused.stderr).toContain("worker 101: aborted");
    expect(refused.stderr).toContain("worker 102: refused (MM_VALIDATION_FAILED)");
  } finally {
    refusing.delete(102);
  }
});
