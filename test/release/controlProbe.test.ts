/**
 * A connection that closes without sending a byte is a probe — the check a
 * second service makes before it refuses a socket path that is served, or
 * a health probe — not a request: the service answers nothing and records
 * nothing. Before, its control record said "(no request) →
 * MM_CONTROL_MALFORMED", which reads like an attack (advZ4). A request cut
 * short (bytes, no line break) is still answered and recorded as malformed.
 */
import { createConnection } from "node:net";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import type { ControlEvent } from "../../src/release/index.js";
import { connect, generateKeys, listen } from "../../src/release/index.js";
import { privateDir, service } from "./support.js";

const keys = generateKeys();
const cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanUp.splice(0).reverse()) await clean();
});

async function served() {
  const { dir, remove } = await privateDir();
  const events: ControlEvent[] = [];
  const path = join(dir, "probe.sock");
  const server = await listen({
    trust: [keys.publicKey],
    namespace: service().ns,
    version: "1.0.0",
    path,
    onControlEvent: (event) => events.push(event),
  });
  cleanUp.push(remove, () => server.close());
  return { path, events };
}

/** Connects, sends `data` (maybe nothing), ends; resolves with what the server wrote once it closed. */
function exchange(path: string, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => socket.end(data));
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

test("a connection closed before any byte is answered and recorded by nothing; a real request still is", async () => {
  const { path, events } = await served();
  expect(await exchange(path, "")).toBe("");
  expect(await connect(path).status()).toMatchObject({ ok: true, version: "1.0.0" });
  expect(events.map((e) => [e.command, e.outcome])).toEqual([["status", "ok"]]);
});

test("a request cut short before its line break is still refused and recorded as malformed", async () => {
  const { path, events } = await served();
  const answer = await exchange(path, '{"command":"status"');
  expect(JSON.parse(answer)).toMatchObject({ code: "MM_CONTROL_MALFORMED" });
  expect(events.map((e) => [e.command, e.outcome])).toEqual([[undefined, "MM_CONTROL_MALFORMED"]]);
});

test("a second service refused at the same path leaves no record in the first", async () => {
  const { path, events } = await served();
  await expect(
    listen({ trust: [keys.publicKey], namespace: service().ns, version: "1.0.0", path }),
  ).rejects.toMatchObject({ code: "MM_CONTROL_SOCKET" });
  expect(await connect(path).status()).toMatchObject({ ok: true });
  expect(events.map((e) => e.command)).toEqual(["status"]);
});
