import { spawnSync } from "node:child_process";
import { chmod, mkdir, stat } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { FinalMessage, ProgressMessage } from "../../src/release/index.js";
import {
  connect,
  ControlSocketError,
  generateKeys,
  listen,
  packBundle,
} from "../../src/release/index.js";
import { Namespace, patch } from "../../src/index.js";
import { privateDir, release, service, sideEffectPatches } from "./support.js";

const keys = generateKeys();
const stranger = generateKeys();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function started(
  options: {
    healthCheck?: () => boolean;
    maxMessageBytes?: number;
    requestTimeoutMs?: number;
  } = {},
) {
  const world = service();
  const { dir, remove } = await privateDir();
  const path = join(dir, "run", "service.sock");
  const server = await listen({
    trust: [keys.publicKey],
    namespace: world.ns,
    version: "1.0.0",
    path,
    ...options,
  });
  cleanups.push(remove, () => server.close());
  return { ...world, server, path, dir, client: connect(path, { timeoutMs: 20_000 }) };
}

function bundle(n: 2 | 3 | 4, from: string, to: string, key = keys.privateKey, extra = {}): string {
  return packBundle(
    release(n),
    { fromVersion: from, toVersion: to, namespace: "shop", ...extra },
    key,
  );
}

/** Sends raw bytes and collects every line the server answers until it closes the connection. */
function raw(path: string, data: string | Buffer, { end = true } = {}): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may drop an oversize sender while it is still writing.
      if (error.code === "EPIPE" || error.code === "ECONNRESET") return;
      reject(error);
    });
    socket.on("close", () =>
      resolve(
        text
          .split("\n")
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l)),
      ),
    );
    socket.write(data, () => {
      if (end) socket.end();
    });
  });
}

/** The fields of a result message (fails the test on an error message). */
function fields<T>(message: FinalMessage, key: string): T {
  if (message.type !== "result")
    throw new Error(`expected a result, got ${JSON.stringify(message)}`);
  return message[key] as T;
}

function expectStillServing(client: ReturnType<typeof connect>, version: string) {
  return client.status().then((s) => {
    expect(s).toMatchObject({ type: "result", ok: true, version });
  });
}

describe("the control socket", () => {
  test("lives in a private directory (0700) as an owner-only socket (0600), removed on close", async () => {
    const { path, server } = await started();
    expect((await stat(path)).isSocket()).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, ".."))).mode & 0o777).toBe(0o700);
    await server.close();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  test("a directory others can enter, a file that is not a socket, a served socket: refused", async () => {
    const { ns } = service();
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const open = join(dir, "open");
    await mkdir(open, { mode: 0o755 });
    await expect(
      listen({ trust: [keys.publicKey], namespace: ns, path: join(open, "s.sock") }),
    ).rejects.toMatchObject({
      code: "MM_CONTROL_SOCKET",
    });
    const { path } = await started();
    await expect(listen({ trust: [keys.publicKey], namespace: ns, path })).rejects.toThrow(
      /already listens/,
    );
    await expect(
      listen({ trust: [keys.publicKey], namespace: ns, path: join(path, "..") }),
    ).rejects.toThrow(ControlSocketError);
  });

  test("apply streams progress and commits; status shows the history; rollback and permanent follow", async () => {
    const { client, counter } = await started();
    const progress: ProgressMessage[] = [];
    const applied = await client.apply(bundle(2, "1.0.0", "2.0.0"), (m) => progress.push(m));
    expect(applied).toMatchObject({
      type: "result",
      ok: true,
      command: "apply",
      status: "committed",
      version: "2.0.0",
    });
    expect(counter.label()).toBe("v2:7");
    expect(progress[0]).toMatchObject({ kind: "verified", keyId: keys.keyId });
    expect(progress.some((p) => p.kind === "phase" && p.phase === "commit")).toBe(true);
    expect(progress.at(-1)).toMatchObject({
      kind: "committed",
      migrated: expect.any(Number),
      pending: 0,
    });

    await client.apply(bundle(3, "2.0.0", "3.0.0"));
    const status = await client.status();
    expect(status).toMatchObject({ ok: true, version: "3.0.0", pending: 0 });
    const releases = fields<{ version: string; state: string }[]>(status, "releases");
    expect(releases.map((r) => `${r.version}:${r.state}`)).toEqual([
      "1.0.0:permanent",
      "2.0.0:old",
      "3.0.0:current",
    ]);
    expect(fields<unknown[]>(status, "lastPauses")).toHaveLength(2);

    expect(await client.rollback()).toMatchObject({ ok: true, version: "2.0.0" });
    expect(counter.label()).toBe("v2:7");
    expect(await client.permanent()).toMatchObject({ ok: true, version: "2.0.0" });
    const refused = await client.rollback();
    expect(refused).toMatchObject({ type: "error", command: "rollback", code: "MM_RELEASE_STATE" });
    expect(counter.label()).toBe("v2:7");
  });

  test("wrong key, one byte changed, replayed old bundle, another namespace: typed refusals, nothing changed, still serving", async () => {
    const { client, counter } = await started();
    const refusals: FinalMessage[] = [];
    refusals.push(await client.apply(bundle(2, "1.0.0", "2.0.0", stranger.privateKey)));
    refusals.push(await client.apply(bundle(2, "1.0.0", "2.0.0").replace("`v2:", "`v9:")));
    const v2 = bundle(2, "1.0.0", "2.0.0");
    expect(await client.apply(v2)).toMatchObject({ ok: true });
    refusals.push(await client.apply(v2));
    refusals.push(
      await client.apply(
        packBundle(
          release(3),
          { fromVersion: "2.0.0", toVersion: "3.0.0", namespace: "other" },
          keys.privateKey,
        ),
      ),
    );
    expect(refusals.map((r) => (r as { code: string }).code)).toEqual([
      "MM_BUNDLE_UNKNOWN_KEY",
      "MM_BUNDLE_BAD_SIGNATURE",
      "MM_RELEASE_MISMATCH",
      "MM_RELEASE_MISMATCH",
    ]);
    for (const r of refusals) expect(r).toMatchObject({ type: "error", command: "apply" });
    expect((refusals[2] as { message: string }).message).toContain("it was applied already");
    expect(counter.label()).toBe("v2:7");
    await expectStillServing(client, "2.0.0");
  });

  test("a bundle whose code would set a global is refused unverified; nothing ran, the service keeps answering", async () => {
    const GLOBAL = "__metamorphControlTestEffect";
    const { client } = await started();
    for (const evil of sideEffectPatches(GLOBAL)) {
      const text = packBundle(
        evil,
        { fromVersion: "1.0.0", toVersion: "6.6.6" },
        stranger.privateKey,
      );
      expect(await client.apply(text)).toMatchObject({
        type: "error",
        code: "MM_BUNDLE_UNKNOWN_KEY",
      });
    }
    expect((globalThis as Record<string, unknown>)[GLOBAL]).toBeUndefined();
    await expectStillServing(client, "1.0.0");
  });

  test("garbage, unknown commands, oversize and silent connections get typed errors; the server keeps answering", async () => {
    const { path, client } = await started({ maxMessageBytes: 4096, requestTimeoutMs: 200 });
    const answers = [
      await raw(path, "not json\n"),
      await raw(path, `${JSON.stringify({ command: "reboot" })}\n`),
      await raw(path, `${JSON.stringify({ command: "status", extra: 1 })}\n`),
      await raw(path, `${JSON.stringify({ command: "apply", bundle: "{}" })}\n`),
      await raw(path, Buffer.from([0xff, 0xfe, 0x00, 0x0a])),
      await raw(path, "x".repeat(10_000)),
      await raw(path, '{"command":', { end: false }),
      // A whole request, but the client closes its side before a line break.
      await raw(path, JSON.stringify({ command: "status" })),
    ];
    expect(answers.map((a) => (a[0] as { code: string }).code)).toEqual([
      "MM_CONTROL_MALFORMED",
      "MM_CONTROL_MALFORMED",
      "MM_CONTROL_MALFORMED",
      "MM_BUNDLE_MALFORMED",
      "MM_CONTROL_MALFORMED",
      "MM_CONTROL_OVERSIZE",
      "MM_CONTROL_TIMEOUT",
      "MM_CONTROL_MALFORMED",
    ]);
    expect((answers[7]![0] as { message: string }).message).toMatch(/ended without a line break/);
    for (const a of answers) expect(a).toHaveLength(1);
    await expectStillServing(client, "1.0.0");
  });

  test("a bundle over the server's bound is refused as oversize before it is parsed", async () => {
    const { ns } = service();
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const server = await listen({
      trust: [keys.publicKey],
      namespace: ns,
      version: "1.0.0",
      path: join(dir, "s.sock"),
      maxBundleBytes: 200,
    });
    cleanups.push(() => server.close());
    const answer = await connect(server.path).apply(bundle(2, "1.0.0", "2.0.0"));
    expect(answer).toMatchObject({ type: "error", code: "MM_BUNDLE_OVERSIZE" });
  });

  test("the bundle's health-check window rolls a release back by itself when the service turns unhealthy", async () => {
    let healthy = true;
    const { client, counter, server } = await started({ healthCheck: () => healthy });
    const answer = await client.apply(
      bundle(2, "1.0.0", "2.0.0", keys.privateKey, { healthCheckWindowMs: 10_000 }),
    );
    expect(answer).toMatchObject({ ok: true, version: "2.0.0" });
    healthy = false;
    for (let i = 0; i < 200 && server.history.version !== "1.0.0"; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(server.history.version).toBe("1.0.0");
    expect(counter.label()).toBe("v1:7");
    const status = await client.status();
    expect(fields<{ state: string; reason?: string }[]>(status, "releases")[1]).toMatchObject({
      state: "rolled-back",
      reason: expect.stringContaining("health-check window"),
    });
  });

  test("an update the health check rolls back at once is in the history as rolled-back, with the reason", async () => {
    // It committed and was undone, as a window's verdict is: status showed the
    // one and, for the check run right after the commit, not the other.
    const { client, counter } = await started({ healthCheck: () => false });
    const answer = await client.apply(bundle(2, "1.0.0", "2.0.0"));
    expect(answer).toMatchObject({ ok: false, status: "rolled-back", version: "1.0.0" });
    expect(counter.label()).toBe("v1:7");
    const status = await client.status();
    expect(
      fields<{ version: string; state: string; reason?: string }[]>(status, "releases"),
    ).toEqual([
      expect.objectContaining({ version: "1.0.0", state: "permanent" }),
      expect.objectContaining({
        version: "2.0.0",
        state: "rolled-back",
        reason: expect.stringContaining("health check"),
      }),
    ]);
    expect(fields<string>(status, "version")).toBe("1.0.0");
  });

  test("the client says so when no service listens", async () => {
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    await expect(connect(join(dir, "none.sock")).status()).rejects.toMatchObject({
      code: "MM_CONTROL_SOCKET",
    });
  });
});

/** Tries to connect to `path` as another user; answers "connected" or the error code. */
function connectAs(uid: number, path: string): string {
  const child = spawnSync(
    process.execPath,
    [
      "-e",
      "const s = require('node:net').createConnection(process.argv[1]); s.on('connect', () => { console.log('connected'); s.destroy(); }); s.on('error', (e) => console.log(e.code));",
      path,
    ],
    { uid, gid: uid, timeout: 10_000, encoding: "utf8" },
  );
  return child.stdout.trim() || `exit ${child.status} ${child.stderr}`;
}

describe("the control socket, further cases", () => {
  test("another user cannot connect: neither through the directory nor to the socket itself", async () => {
    const { path, dir } = await started();
    const runDir = join(path, "..");
    if (process.getuid?.() === 0) {
      // As root, the test can be another user (nobody) for real.
      const nobody = 65534;
      await chmod(dir, 0o755);
      expect(connectAs(nobody, path)).toBe("EACCES");
      // Even with the directory opened up, the socket's own mode (0600) refuses.
      await chmod(runDir, 0o711);
      expect(connectAs(nobody, path)).toBe("EACCES");
    } else {
      // Not root: no other user to be; the modes are what keeps one out.
      expect((await stat(runDir)).mode & 0o077).toBe(0);
      expect((await stat(path)).mode & 0o077).toBe(0);
    }
  });

  test("a stale socket left by a dead process is replaced", async () => {
    const { ns } = service();
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const path = join(dir, "s.sock");
    // A process killed while listening leaves its socket file behind.
    const child = spawnSync(
      process.execPath,
      [
        "-e",
        "require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))",
        path,
      ],
      { timeout: 10_000 },
    );
    expect(child.signal).toBe("SIGKILL");
    expect((await stat(path)).isSocket()).toBe(true);
    const server = await listen({ trust: [keys.publicKey], namespace: ns, path, version: "9" });
    cleanups.push(() => server.close());
    expect(await connect(path).status()).toMatchObject({ ok: true, version: "9" });
  });

  test("an update that cannot reach quiescence in time is postponed: ok false, nothing changed, the version stays", async () => {
    const { ns } = service();
    type Job = { run(gate: Promise<void>): Promise<string> };
    const Job = ns.defineClass<Job>({
      name: "Job",
      fields: [],
      methods: {
        async run(gate: Promise<void>) {
          await gate;
          return "v1";
        },
      },
    });
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const { CallTracker } = await import("../../src/lifecycle/index.js");
    const tracker = new CallTracker().track(Job);
    const server = await listen({
      trust: [keys.publicKey],
      namespace: ns,
      path: join(dir, "s.sock"),
      version: "1",
      tracker,
    });
    cleanups.push(() => server.close());
    let open!: () => void;
    const inFlight = new Job().run(new Promise<void>((resolve) => (open = resolve)));
    const text = packBundle(
      patch("jobs-v2")
        .replaceMethods("Job", {
          async run() {
            return "v2";
          },
        })
        .build(),
      { fromVersion: "1", toVersion: "2", timeoutMs: 50 },
      keys.privateKey,
    );
    const answer = await connect(server.path).apply(text);
    expect(answer).toMatchObject({ type: "result", ok: false, status: "postponed", version: "1" });
    open();
    expect(await inFlight).toBe("v1");
    expect(await new Job().run(Promise.resolve())).toBe("v1");
    expect(server.history.version).toBe("1");
  });
});

test("a release rolled back while the next one waits for quiescence: the next is refused at its commit, nothing changed (advZ4)", async () => {
  const ns = new Namespace("jobs-race");
  type Job = { run(gate: Promise<void>): Promise<string>; label(): string };
  const Job = ns.defineClass<Job>({
    name: "Job",
    fields: [],
    methods: {
      async run(gate: Promise<void>) {
        await gate;
        return "v1";
      },
      label() {
        return "v1";
      },
    },
  });
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  const { CallTracker } = await import("../../src/lifecycle/index.js");
  const server = await listen({
    trust: [keys.publicKey],
    namespace: ns,
    path: join(dir, "s.sock"),
    version: "1",
    tracker: new CallTracker().track(Job),
  });
  cleanups.push(() => server.close());
  const labels = {
    v2: {
      label() {
        return "v2";
      },
    },
    v3: {
      label() {
        return "v3";
      },
    },
  };
  const packed = (name: string, from: string, to: string, label: keyof typeof labels) =>
    packBundle(
      patch(name).replaceMethods("Job", labels[label]).build(),
      { fromVersion: from, toVersion: to, forceQuiescence: true, timeoutMs: 5000 },
      keys.privateKey,
    );
  const client = connect(server.path, { timeoutMs: 20_000 });
  expect(await client.apply(packed("a", "1", "2", "v2"))).toMatchObject({ ok: true, version: "2" });
  let open!: () => void;
  const inFlight = new Job().run(new Promise<void>((resolve) => (open = resolve)));
  // B, written for 2, waits for the call in flight …
  const b = client.apply(packed("b", "2", "3", "v3"));
  await new Promise((resolve) => setTimeout(resolve, 100));
  // … while 2 goes back (what a health-check window does), then the call ends.
  server.history.rollbackIfCurrent(server.history.releases().at(-1)!.id, "health-check window");
  open();
  await inFlight;
  expect(await b).toMatchObject({
    ok: false,
    version: "1",
    error: expect.objectContaining({ code: "MM_RELEASE_MISMATCH" }),
  });
  expect(server.history.version).toBe("1");
  expect(new Job().label()).toBe("v1");
});

describe("apply outcomes", () => {
  test("a patch its own validation refuses: ok false with the typed error and the report, nothing changed", async () => {
    const { client, counter, server } = await started();
    const refused = patch("v2-checked")
      .replaceMethods("Counter", {
        label() {
          return "v2";
        },
      })
      .validateInstances(
        "count is negative",
        "Counter",
        (c) => (c.count as number) < 0 || "count is not negative",
      )
      .build();
    const answer = await client.apply(
      packBundle(refused, { fromVersion: "1.0.0", toVersion: "2.0.0" }, keys.privateKey),
    );
    expect(answer).toMatchObject({
      type: "result",
      ok: false,
      version: "1.0.0",
      error: { code: "MM_VALIDATION_FAILED" },
    });
    expect(fields<{ message: string }>(answer, "error").message).toContain("count is not negative");
    expect(counter.label()).toBe("v1:7");
    expect(server.history.releases()).toHaveLength(1);
  });

  test("two applies at once run one after the other: the later one finds the release changed and is refused", async () => {
    const { client, counter } = await started();
    const answers = await Promise.all([
      client.apply(bundle(2, "1.0.0", "2.0.0")),
      client.apply(bundle(3, "1.0.0", "3.0.0")),
    ]);
    // Whichever arrived first commits; the other meets the release it left.
    const committed = answers.filter((a) => a.type === "result" && a.ok);
    const refused = answers.filter((a) => a.type === "error");
    expect(committed).toHaveLength(1);
    expect(refused).toMatchObject([{ code: "MM_RELEASE_MISMATCH" }]);
    const version = fields<string>(committed[0]!, "version");
    expect(counter.label()).toBe(`v${version[0]}:7`);
  });
});

describe("the client's side of the door (adversarial review advZ4)", () => {
  /** A server that is not metamorph's: records what it is sent, answers nothing. */
  async function silentServer(path: string) {
    const { createServer } = await import("node:net");
    let received = "";
    const server = createServer((socket) => socket.on("data", (d) => (received += d)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { received: () => received };
  }

  test("a socket path longer than the platform takes: refused before anything listens or is sent", async () => {
    const { ns } = service();
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const long = join(dir, `${"p".repeat(120)}.sock`);
    await expect(
      listen({ trust: [keys.publicKey], namespace: ns, path: long }),
    ).rejects.toMatchObject({
      code: "MM_CONTROL_SOCKET",
      message: expect.stringMatching(
        /bytes long, more than the 10[37] a Unix socket path may have/,
      ),
    });
    // The kernel would have cut it short: nothing listens there.
    const cut = Buffer.from(long).subarray(0, 107).toString();
    await expect(stat(cut)).rejects.toThrow(/ENOENT/);
    await expect(connect(long).status()).rejects.toMatchObject({ code: "MM_CONTROL_SOCKET" });
  });

  test("a socket in a directory others could have made or can enter: the client sends nothing", async () => {
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const open = join(dir, "open");
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    const impostor = await silentServer(join(open, "s.sock"));
    await expect(
      connect(join(open, "s.sock")).apply(bundle(2, "1.0.0", "2.0.0")),
    ).rejects.toMatchObject({
      code: "MM_CONTROL_SOCKET",
      message: expect.stringMatching(/open to other users \(mode 755\)/),
    });
    expect(impostor.received()).toBe("");
  });

  test.runIf(process.getuid?.() === 0)(
    "root delivers to a service of another user through that user's private directory (review advZ6)",
    async () => {
      const { chown } = await import("node:fs/promises");
      const { dir, remove } = await privateDir();
      cleanups.push(remove);
      await chmod(dir, 0o755);
      const theirs = join(dir, "theirs");
      await mkdir(theirs, { mode: 0o700 });
      const silent = await silentServer(join(theirs, "s.sock"));
      await chown(theirs, 65534, 65534);
      const error = await connect(join(theirs, "s.sock"), { timeoutMs: 200 })
        .status()
        .catch((e: unknown) => e);
      // Reached (it answers nothing): not refused for the directory's owner.
      expect(error).toMatchObject({ code: "MM_CONTROL_TIMEOUT" });
      expect(silent.received()).toContain('"command":"status"');
    },
  );

  test("a service that takes the request and goes silent: the outcome is unknown, not refused", async () => {
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const path = join(dir, "s.sock");
    const silent = await silentServer(path);
    const error = await connect(path, { timeoutMs: 300 })
      .rollback()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "MM_CONTROL_TIMEOUT",
      details: expect.objectContaining({ outcome: "unknown" }),
      message: expect.stringMatching(/may still carry the request out \(metamorph status tells\)/),
    });
    expect(silent.received()).toContain('"command":"rollback"');
  });
});
