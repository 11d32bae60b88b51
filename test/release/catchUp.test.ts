/**
 * A cluster worker that starts after updates (issue 14's open point): the
 * primary keeps the bundles the cluster committed, and a worker forked later
 * replays them before it takes a request — or, when a replay is refused, is
 * stopped with the refusal on stderr instead of running the code on disk.
 * `metamorph run` on a clustered fixture (test/cli/fixtures/catchup), the
 * workers reached through the cluster's IPC channel only; every wait bounded.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FIXTURES, type Result, type Workspace, workspace } from "../cli/releaseSupport.js";
import { CLI, removeDir, run, type Running } from "../dev/support.js";

let space: Workspace;
let service: Running;
let socket: string;
const metamorph = (args: readonly string[]) => space.metamorph(args);
const last = (r: Result) =>
  JSON.parse(r.stdout.trim().split("\n").filter(Boolean).at(-1)!) as Record<string, unknown>;

/** The pid of the next worker that says it is ready (after line `from` of stdout). */
async function nextWorker(from: number): Promise<number> {
  const line = await service.stdout.waitFor(/^worker \d+ ready$/, { from, timeoutMs: 60_000 });
  return Number(line.split(" ")[1]);
}

/** Every worker's state, by pid. */
async function states(count: number): Promise<Map<number, unknown>> {
  const from = service.stdout.all.length;
  service.send("show");
  const deadline = Date.now() + 20_000;
  const found = () => service.stdout.all.slice(from).filter((l) => l.startsWith("state "));
  while (found().length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return new Map(
    found().map((l) => {
      const [, pid, json] = /^state (\d+) (.*)$/.exec(l)!;
      return [Number(pid), JSON.parse(json!)] as const;
    }),
  );
}

beforeAll(async () => {
  space = workspace("mm-catchup-");
  expect((await metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  socket = join(space.dir, "catchup.sock");
  service = run(
    [
      ...CLI,
      "run",
      "--trust",
      join(space.dir, "keys/release.pub"),
      "--control",
      socket,
      "--release",
      "1.0.0",
      join(FIXTURES, "catchup/main.mjs"),
    ],
    space.dir,
    {},
    { stdin: true },
  );
  await nextWorker(0);
}, 90_000);

afterAll(async () => {
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

describe("a worker forked after an update", () => {
  test("replays the cluster's bundles before it takes a request; one whose replay is refused is stopped; after a rollback a new worker starts from the disk", async () => {
    const packed = await metamorph([
      "pack",
      join(FIXTURES, "catchup-v2.patch.mjs"),
      "--key",
      "keys/release.key",
      "--from",
      "1.0.0",
      "--to",
      "2.0.0",
      "-o",
      "v2.bundle.json",
    ]);
    expect(packed.code, packed.stderr).toBe(0);
    const applied = await metamorph(["apply", "v2.bundle.json", "--to", socket]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    let from = service.stdout.all.length;
    service.send("fork");
    const late = await nextWorker(from);
    await service.stderr.waitFor(
      new RegExp(
        `^metamorph run: worker ${late} \\(release 2\\.0\\.0, 1 bundle replayed over 1\\.0\\.0\\)`,
      ),
      { timeoutMs: 10_000 },
    );
    const v2 = { label: "v2:7", format: "No. 7" };
    expect([...(await states(2)).values()]).toEqual([v2, v2]);
    const status = last(await metamorph(["status", "--to", socket, "--json"]));
    expect((status.workers as { version: string }[]).map((w) => w.version)).toEqual([
      "2.0.0",
      "2.0.0",
    ]);

    // The bundle's validation refuses in this worker: it must not run release 1.0.0.
    from = service.stdout.all.length;
    service.send("fork-refusing");
    const refusing = await nextWorker(from);
    await service.stdout.waitFor(new RegExp(`^exit ${refusing} 1$`), { from, timeoutMs: 20_000 });
    expect(service.stderr.all.join("\n")).toMatch(
      new RegExp(
        `^metamorph run: MM_RELEASE_REPLAY: worker ${refusing} could not replay bundle catch-up v2 \\(1\\.0\\.0 → 2\\.0\\.0, 1 of 1\\)[\\s\\S]*refused in this worker; stopping this worker$`,
        "m",
      ),
    );
    expect([...(await states(2)).values()]).toEqual([v2, v2]);

    // Rolled back everywhere: the next worker starts from the disk and replays nothing.
    expect((await metamorph(["rollback", "--to", socket])).code).toBe(0);
    from = service.stdout.all.length;
    service.send("fork");
    const fresh = await nextWorker(from);
    await service.stderr.waitFor(
      new RegExp(`^metamorph run: worker ${fresh} \\(release 1\\.0\\.0\\)`),
      {
        timeoutMs: 10_000,
      },
    );
    const v1 = { label: "v1:7", format: "#7" };
    expect([...(await states(3)).values()]).toEqual([v1, v1, v1]);
  }, 180_000);
});
