/**
 * The control socket serves a bounded number of connections at once
 * (connectionLimit.ts): each may buffer a request line of up to 12 MiB for
 * up to 10 s, and with no bound 60 connections sending 12 MiB without a
 * newline took a service from 65 MiB to 788 MiB (advZ21). One past the
 * bound is refused at once with a typed line — MM_CONTROL_SOCKET,
 * `details.busy` — before any of its bytes is read as a request, and the
 * ones served are unaffected; once one ends, a new one is served.
 */
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import { boundedConnections, MAX_CONNECTIONS } from "../../src/release/connectionLimit.js";
import { connect, generateKeys, listen, packBundle } from "../../src/release/index.js";
import { privateDir, release, service } from "./support.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** A connection that sends `data` (if any) and collects what the server answers. */
function open(path: string, data?: string) {
  const socket = createConnection(path);
  let text = "";
  socket.on("data", (chunk) => {
    text += chunk.toString("utf8");
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  const connected = new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  if (data !== undefined) socket.write(data);
  cleanups.push(() => {
    socket.destroy();
  });
  return { socket, connected, closed, lines: () => text.split("\n").filter(Boolean) };
}

/** Polls until `check` holds (bounded). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A server bounded to `max` that holds every connection it serves (until the client closes it). */
async function holdingServer(max: number) {
  const { dir, remove } = await privateDir();
  const path = join(dir, "bounded.sock");
  const served: Socket[] = [];
  const waiting: ((socket: Socket) => void)[] = [];
  /** The next connection served. */
  const next = () => new Promise<Socket>((resolve) => waiting.push(resolve));
  const server = createServer();
  boundedConnections(
    server,
    (socket) => {
      served.push(socket);
      for (const resolve of waiting.splice(0)) resolve(socket);
      socket.on("error", () => {});
      socket.on("end", () => socket.end());
    },
    max,
  );
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(remove, () => new Promise<void>((resolve) => server.close(() => resolve())));
  return { path, served, next };
}

test("past the bound, a connection gets one typed line and is closed; those served are not touched", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 3 }),
      async (max, extra) => {
        const { path, served, next } = await holdingServer(max);
        const held = [];
        for (let i = 0; i < max; i++) {
          const c = open(path);
          await c.connected;
          held.push(c);
        }
        await until(() => served.length === max, `${max} connections served`);
        const refused = Array.from({ length: extra }, () => open(path, '{"command":"status"}\n'));
        for (const c of refused) {
          await c.closed;
          expect(c.lines().map((l) => JSON.parse(l))).toEqual([
            {
              type: "error",
              code: "MM_CONTROL_SOCKET",
              name: "ControlSocketError",
              message: expect.stringContaining(`at most ${max} connections at once`),
              details: { busy: true, maxConnections: max },
            },
          ]);
        }
        expect(served).toHaveLength(max);
        expect(held.every((c) => !c.socket.destroyed && c.lines().length === 0)).toBe(true);
        // One ends: a connection is served again (as soon as the server has seen it end).
        const servedAgain = next().then(() => "served");
        held[0]!.socket.end();
        let outcome = "refused";
        while (outcome === "refused") {
          const c = open(path);
          outcome = await Promise.race([c.closed.then(() => "refused"), servedAgain]);
        }
        expect(served).toHaveLength(max + 1);
        for (const c of held) c.socket.destroy();
      },
    ),
    { seed: 2117, numRuns: 8 },
  );
});

test(`listen serves ${MAX_CONNECTIONS} connections at once: the next request is told MM_CONTROL_SOCKET (busy), and nothing is done`, async () => {
  const keys = generateKeys();
  const world = service();
  const { dir, remove } = await privateDir();
  const path = join(dir, "run", "service.sock");
  const server = await listen({
    trust: [keys.publicKey],
    namespace: world.ns,
    version: "1.0.0",
    path,
    requestTimeoutMs: 120_000,
  });
  cleanups.push(remove, () => server.close());
  // Silent connections, as a request still coming (or a flood of bytes without a newline).
  const idle = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) {
    const c = open(path, "a".repeat(1024));
    await c.connected;
    idle.push(c);
  }
  const client = connect(path, { timeoutMs: 20_000 });
  await until(async () => (await client.status()).type === "error", "the bound to be reached");
  const v2 = packBundle(
    release(2),
    { fromVersion: "1.0.0", toVersion: "2.0.0", namespace: "shop" },
    keys.privateKey,
  );
  expect(await client.apply(v2)).toMatchObject({
    type: "error",
    code: "MM_CONTROL_SOCKET",
    details: { busy: true, maxConnections: MAX_CONNECTIONS },
  });
  expect(server.history.version).toBe("1.0.0");
  expect(world.counter.label()).toBe("v1:7");
  idle[0]!.socket.destroy();
  await until(async () => (await client.status()).type === "result", "a connection served again");
  expect(await client.status()).toMatchObject({ type: "result", ok: true, version: "1.0.0" });
  for (const c of idle) c.socket.destroy();
});
