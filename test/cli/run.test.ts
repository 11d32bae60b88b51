/**
 * `metamorph run` (issue 14, item 4): an unmodified service — it imports
 * nothing of metamorph — run with its classes managed and a control socket,
 * updated in place by a signed bundle. Unix sockets only; waits bounded.
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, removeDir, run, type Running } from "../dev/support.js";
import { FIXTURES, type Workspace, workspace } from "./releaseSupport.js";

let space: Workspace;
let dir: string;
const metamorph = (args: readonly string[]) => space.metamorph(args);
const pack = (module: string, key: string, out: string) => space.pack(module, key, out);

beforeAll(async () => {
  space = workspace("mm-cli-run-");
  dir = space.dir;
  const keys = await Promise.all([
    metamorph(["keygen", "-o", "keys"]),
    metamorph(["keygen", "-o", "other"]),
  ]);
  expect(keys.map((k) => k.code)).toEqual([0, 0]);
}, 60_000);

afterAll(() => {
  if (dir) removeDir(dir);
});

describe("metamorph run: an unmodified service with a control socket", () => {
  let service: Running;
  let socket: string;

  beforeAll(async () => {
    socket = join(dir, "run.sock");
    const packed = await pack("label.patch.ts", "keys/release.key", "label.bundle.json");
    expect(packed.code).toBe(0);
    service = run(
      [
        ...CLI,
        "run",
        "--trust",
        join(dir, "other/release.pub"),
        "--trust",
        join(dir, "keys/release.pub"),
        "--control",
        socket,
        "--release",
        "1.0.0",
        join(FIXTURES, "app/main.ts"),
        "--",
        "--port",
        "1",
      ],
      dir,
      {},
      { stdin: true },
    );
    await service.stderr.waitFor(/^metamorph run: control socket /, { timeoutMs: 20_000 });
    await service.stdout.waitFor(/^started /, { timeoutMs: 20_000 });
  }, 60_000);

  afterAll(async () => {
    service?.child.stdin?.end();
    await service?.stop();
  });

  test("the program gets its own arguments; a signed bundle updates its ordinary class in place", async () => {
    expect(service.stdout.all).toContain("started --port 1");
    const applied = await metamorph(["apply", "label.bundle.json", "--to", socket]);
    expect(applied.code).toBe(0);
    const from = service.stdout.all.length;
    service.send("show");
    const line = await service.stdout.waitFor(/^state /, { from });
    expect(JSON.parse(line.slice("state ".length))).toEqual([
      { count: 1, label: "v2:1" },
      { count: 2, label: "v2:2" },
      { count: 3, label: "v2:3" },
    ]);
    const status = await metamorph(["status", "--to", socket, "--json"]);
    expect(JSON.parse(status.stdout.trim())).toMatchObject({ version: "2.0.0" });
  }, 60_000);

  test("run without a trusted key is a usage error (2), without an entry file a refusal (1)", async () => {
    const result = await metamorph(["run", join(FIXTURES, "app/main.ts")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option --trust is required");
    const missing = await metamorph(["run", "--trust", "keys/release.pub", "nowhere.ts"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("MM_RUN_START");
  }, 30_000);
});

describe("metamorph run: a TypeScript service in a CommonJS package (npm's default)", () => {
  // tsx compiles it for require, which Node 20's module hooks do not see:
  // its classes were left unmanaged and no bundle could name them.
  test("a signed bundle updates its class in place", async () => {
    const app = join(dir, "cjs-app");
    cpSync(join(FIXTURES, "app"), app, { recursive: true });
    writeFileSync(join(app, "package.json"), '{ "type": "commonjs" }\n');
    const socket = join(dir, "cjs.sock");
    const packed = await pack("label.patch.ts", "keys/release.key", "cjs-label.bundle.json");
    expect(packed.code).toBe(0);
    const service = run(
      [
        ...CLI,
        "run",
        "--trust",
        join(dir, "keys/release.pub"),
        "--control",
        socket,
        "--release",
        "1.0.0",
        join(app, "main.ts"),
      ],
      dir,
      {},
      { stdin: true },
    );
    try {
      await service.stdout.waitFor(/^started/, { timeoutMs: 20_000 });
      await service.stderr.waitFor(/^metamorph run: control socket /, { timeoutMs: 20_000 });
      const applied = await metamorph(["apply", "cjs-label.bundle.json", "--to", socket]);
      expect(applied.code).toBe(0);
      const from = service.stdout.all.length;
      service.send("show");
      const line = await service.stdout.waitFor(/^state /, { from });
      expect(
        JSON.parse(line.slice("state ".length)).map((c: { label: string }) => c.label),
      ).toEqual(["v2:1", "v2:2", "v2:3"]);
    } finally {
      service.child.stdin?.end();
      await service.stop();
    }
  }, 60_000);
});

describe("metamorph run: forced quiescence on the first update", () => {
  // With --track-calls its classes are tracked from start-up: a call already
  // running when the first update arrives is waited for. Without, they are
  // tracked from that update on (no cost per call until then), and a call
  // that started before it, unseen, finishes on the new code.
  test.each([
    ["--track-calls", true],
    ["without --track-calls", false],
  ] as const)(
    "%s: a call already running is waited for, or finishes on the new code",
    async (_, tracked) => {
      const socket = join(dir, tracked ? "quiet.sock" : "straddle.sock");
      const packed = await space.pack("label.patch.ts", "keys/release.key", "quiet.bundle.json", [
        "--force-quiescence",
        "--timeout",
        "8000",
      ]);
      expect(packed.code).toBe(0);
      const service = run(
        [
          ...CLI,
          "run",
          "--trust",
          join(dir, "keys/release.pub"),
          "--control",
          socket,
          "--release",
          "1.0.0",
          ...(tracked ? ["--track-calls"] : []),
          join(FIXTURES, "app/main.ts"),
        ],
        dir,
        {},
        { stdin: true },
      );
      try {
        await service.stdout.waitFor(/^started/, { timeoutMs: 20_000 });
        await service.stderr.waitFor(/^metamorph run: control socket /, { timeoutMs: 20_000 });
        // Straddling, the call must outlast the apply (a CLI process, a verify and
        // a compile): 1.5 s was not always enough on a loaded machine.
        service.send(tracked ? "slow 1500" : "slow 6000");
        await service.stdout.waitFor(/^slow started$/);
        const applied = await metamorph(["apply", "quiet.bundle.json", "--to", socket]);
        expect(applied.code, applied.stderr).toBe(0);
        expect(applied.stdout).not.toContain("straddled");
        // Tracked, it finished on the code it started on; straddling, its rest ran the new code.
        expect(await service.stdout.waitFor(/^slow done /)).toBe(
          tracked ? "slow done v1:1" : "slow done v2:1",
        );
        const from = service.stdout.all.length;
        service.send("show");
        const line = await service.stdout.waitFor(/^state /, { from });
        expect(JSON.parse(line.slice("state ".length))[0]).toEqual({ count: 1, label: "v2:1" });
      } finally {
        service.child.stdin?.end();
        await service.stop();
      }
    },
    60_000,
  );
});
