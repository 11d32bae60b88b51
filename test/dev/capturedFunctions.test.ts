/**
 * Functions the program captured before an edit follow it (review H2):
 * `http.createServer(handle)`, `setInterval(tick, 50)` with `tick` imported,
 * and `bus.on("ping", onPing)` within one module used to keep the old code
 * after "updated function handle" (requests still got v1). The module's
 * declared function now forwards to the running version
 * (src/dev/functionForwarders.ts): `this`, `new`, generators, `async`,
 * hoisting, and the binding's identity (`bus.off("ping", onPing)` after the
 * edit still removes the listener registered before it).
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ask, type Running, saveAndWait, startDev, stopAndRemoveAfter } from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const ROUTES = `import { EventEmitter } from "node:events";
export const bus = new EventEmitter();
// Called before its declaration runs: hoisted, it runs its own code.
export const early = label();

export function label(): string {
  return "v1";
}
export function handle(_q: unknown, res: { end(text: string): void }): void {
  res.end("v1");
}
export function tick(): void {
  (globalThis as { ticks: string[] }).ticks.push("v1");
}
function onPing(this: unknown, n: number): void {
  (globalThis as { pinged?: string }).pinged = \`v1:\${n}:\${this === bus}\`;
}
bus.on("ping", onPing);
export function unsubscribe(): void {
  bus.off("ping", onPing);
}
export function Point(this: { x: number; v: string }, x: number): void {
  this.x = x;
  this.v = "v1";
}
export function* count(): Generator<string> {
  yield "v1";
}
export async function greet(this: { who?: string } | undefined, name: string): Promise<string> {
  return \`v1 \${name} \${this?.who}\`;
}
export function sum(...xs: number[]): string {
  return \`v1 \${xs.reduce((a, b) => a + b, 0)} \${arguments.length}\`;
}
`;

const MAIN = `import { createServer } from "node:http";
import { createInterface } from "node:readline";
import * as routes from "./routes.ts";
import { bus, count, early, greet, handle, Point, sum, tick, unsubscribe } from "./routes.ts";

(globalThis as { ticks: string[] }).ticks = [];
const server = createServer(handle).listen(0, "127.0.0.1");
setInterval(tick, 50);
const captured = { count, greet, handle, Point, sum };
Object.assign(globalThis, { bus, captured, early, routes, unsubscribe, server });
createInterface({ input: process.stdin }).on("line", (line) => {
  try {
    console.log("=> " + JSON.stringify((0, eval)(line)));
  } catch (error) {
    console.log("=> threw " + String(error));
  }
});
server.on("listening", () => console.log("ready"));
`;

async function get(path = "/"): Promise<string> {
  const port = (await ask(program!, "server.address().port")) as number;
  return (await fetch(`http://127.0.0.1:${port}${path}`)).text();
}

async function greeting(): Promise<unknown> {
  await ask(
    program!,
    '(captured.greet.call({ who: "w" }, "n").then((g) => { globalThis.g = g; }), 0)',
  );
  await expect.poll(() => ask(program!, "globalThis.g"), { timeout: 5000 }).toMatch(/ n w$/);
  return ask(program!, "globalThis.g");
}

beforeAll(async () => {
  ({ dir, program } = await startDev("captured-functions", {
    "routes.ts": ROUTES,
    "main.ts": MAIN,
  }));
}, 60_000);

test("before the edit: each function runs its own code", async () => {
  expect(await get()).toBe("v1");
  expect(await ask(program!, "early")).toBe("v1");
  await ask(program!, 'bus.emit("ping", 1)');
  expect(await ask(program!, "globalThis.pinged")).toBe("v1:1:true");
  expect(await ask(program!, "new captured.Point(3)")).toEqual({ x: 3, v: "v1" });
  expect(await ask(program!, "[...captured.count()]")).toEqual(["v1"]);
  expect(await ask(program!, "captured.sum(1, 2, 3)")).toBe("v1 6 3");
  expect(await greeting()).toBe("v1 n w");
}, 30_000);

test("after the edit: what the program captured runs the new code, with this, new, arguments and the binding's identity kept", async () => {
  const lines = await saveAndWait(
    program!,
    join(dir!, "routes.ts"),
    (t) => t.replaceAll('"v1"', '"v2"').replaceAll("`v1", "`v2"),
    /routes\.ts: updated function/,
  );
  expect(lines.join("\n")).not.toMatch(/error|refused/i);
  // The server's request listener, captured by createServer at start-up.
  expect(await get()).toBe("v2");
  // The timer's callback, imported and captured by setInterval.
  await ask(program!, "ticks.length = 0");
  await expect.poll(() => ask(program!, "ticks.at(-1)"), { timeout: 5000 }).toBe("v2");
  // A listener registered within the module, called with the emitter as `this`.
  await ask(program!, 'bus.emit("ping", 2)');
  expect(await ask(program!, "globalThis.pinged")).toBe("v2:2:true");
  // A constructor function: the object is the declared function's instance.
  expect(await ask(program!, "new captured.Point(4)")).toEqual({ x: 4, v: "v2" });
  expect(await ask(program!, "new captured.Point(4) instanceof routes.Point")).toBe(true);
  expect(await ask(program!, "[...captured.count()]")).toEqual(["v2"]);
  expect(await ask(program!, "captured.sum(1, 2, 3, 4)")).toBe("v2 10 4");
  expect(await greeting()).toBe("v2 n w");
  // One identity: importers, captured references and the module's own code agree.
  expect(await ask(program!, "captured.handle === routes.handle")).toBe(true);
  expect(await ask(program!, "captured.handle.name")).toBe("handle");
  await ask(program!, "(unsubscribe(), 0)");
  expect(await ask(program!, 'bus.listenerCount("ping")')).toBe(0);
  // The value an earlier top-level statement computed is not recomputed.
  expect(await ask(program!, "early")).toBe("v1");
}, 60_000);

test("a second edit: the same captured functions follow it", async () => {
  await saveAndWait(
    program!,
    join(dir!, "routes.ts"),
    (t) => t.replace('res.end("v2")', 'res.end("v3")'),
    /routes\.ts: updated function handle/,
  );
  expect(await get()).toBe("v3");
  expect(await ask(program!, "captured.sum(1)")).toBe("v2 1 1");
}, 30_000);
