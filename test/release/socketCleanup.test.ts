/**
 * The control socket a service made is removed when it closes or ends —
 * process.exit, a SIGINT/SIGTERM it does not handle (it still dies of the
 * signal), a SIGTERM it handles by exiting — and stays while a service that
 * handles the signal runs on. A socket at the same path that is not the one
 * the service made (another process's, after ours was removed) is never
 * removed; a live socket at start-up is refused (MM_CONTROL_SOCKET, saying
 * it is in use), a stale one replaced. Children under tsx, every wait bounded.
 */
import { spawn } from "node:child_process";
import { lstat, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { connect, generateKeys, listen } from "../../src/release/index.js";
import { REPO } from "../dev/support.js";
import { privateDir, service } from "./support.js";

const TSX = import.meta.resolve("tsx");
const CHILD = join(REPO, "test/release/fixtures/socketChild.ts");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function socketPath(): Promise<string> {
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  return join(dir, "run", "s.sock");
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Starts the child; resolves once it listens, with a way to wait for its end and its stdout. */
async function child(mode: "exit" | "plain" | "handles", path: string) {
  const proc = spawn(process.execPath, ["--import", TSX, CHILD, mode, path], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await ended;
  });
  const until = async (text: string) => {
    const deadline = Date.now() + 30_000;
    while (!out.includes(text)) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`no "${text}": ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until("listening");
  return { proc, ended, until };
}

describe("the control socket is removed when the service ends", () => {
  test("process.exit: the socket is gone", async () => {
    const path = await socketPath();
    const { proc, ended } = await child("exit", path);
    expect(await exists(path)).toBe(true);
    proc.stdin.write("exit\n");
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(await exists(path)).toBe(false);
  }, 60_000);

  test.each(["SIGINT", "SIGTERM"] as const)(
    "%s the service does not handle: it dies of the signal, and the socket is gone",
    async (signal) => {
      const path = await socketPath();
      const { proc, ended } = await child("plain", path);
      proc.kill(signal);
      expect(await ended).toEqual({ code: null, signal });
      expect(await exists(path)).toBe(false);
    },
    60_000,
  );

  test("signals the service handles: SIGINT that it survives keeps the socket serving, SIGTERM that it exits on removes it", async () => {
    const path = await socketPath();
    const { proc, ended, until } = await child("handles", path);
    proc.kill("SIGINT");
    await until("caught SIGINT");
    expect(await connect(path).status()).toMatchObject({ type: "result", ok: true });
    proc.kill("SIGTERM");
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(await exists(path)).toBe(false);
  }, 60_000);

  test("a socket another process listens on at the path now is left, at exit and at close", async () => {
    const path = await socketPath();
    const { proc, ended } = await child("exit", path);
    // Someone removed the service's socket, and another server took the path.
    await rm(path);
    const other: Server = createServer();
    await new Promise<void>((r) => other.listen(path, r));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    const othersInode = (await stat(path)).ino;
    proc.stdin.write("exit\n");
    await ended;
    expect((await stat(path)).ino).toBe(othersInode);

    // In this process: listen, lose the path to another server, close.
    const again = await socketPath();
    const server = await listen({
      trust: [generateKeys().publicKey],
      namespace: service().ns,
      path: again,
    });
    await rm(again);
    const third: Server = createServer();
    await new Promise<void>((r) => third.listen(again, r));
    cleanups.push(() => new Promise<void>((r) => third.close(() => r())));
    const thirdsInode = (await stat(again)).ino;
    await server.close();
    expect((await stat(again)).ino).toBe(thirdsInode);
  }, 60_000);

  test("at start-up: a live socket is refused as in use and left alone; closed, the path is free again", async () => {
    const path = await socketPath();
    const first = await listen({
      trust: [generateKeys().publicKey],
      namespace: service().ns,
      path,
    });
    const inode = (await stat(path)).ino;
    await expect(
      listen({ trust: [generateKeys().publicKey], namespace: service().ns, path }),
    ).rejects.toMatchObject({
      code: "MM_CONTROL_SOCKET",
      details: { path, inUse: true },
      message: expect.stringContaining("another process already listens on"),
    });
    expect((await stat(path)).ino).toBe(inode);
    expect(await connect(path).status()).toMatchObject({ ok: true });
    await first.close();
    expect(await exists(path)).toBe(false);
    const second = await listen({
      trust: [generateKeys().publicKey],
      namespace: service().ns,
      path,
    });
    cleanups.push(() => second.close());
    expect(await connect(path).status()).toMatchObject({ ok: true });
  });
});
