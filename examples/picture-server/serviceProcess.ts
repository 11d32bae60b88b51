/**
 * The picture server as a process of its own (started by main.ts). Reports
 * `{ type: "ready", port, … }` to its parent over IPC once it listens, and
 * exits when told to stop or when its parent goes away.
 *
 *   node --import tsx serviceProcess.ts --pictures 10000 --folders 50 [--port 0]
 *        [--version v1|v2] [--load state.json] [--state state.json]
 *        [--quiescence lifecycle|gate]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { SavedState } from "./model.js";
import { startService } from "./service.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    pictures: { type: "string", default: "10000" },
    folders: { type: "string", default: "50" },
    seed: { type: "string", default: "42" },
    version: { type: "string", default: "v1" },
    load: { type: "string" },
    state: { type: "string" },
    quiescence: { type: "string", default: "lifecycle" },
  },
});

const version = values.version === "v2" ? "v2" : "v1";
const tLoad = performance.now();
const loadFrom =
  values.load === undefined
    ? undefined
    : (JSON.parse(readFileSync(values.load, "utf8")) as SavedState);
const readMs = performance.now() - tLoad;

const service = await startService({
  port: Number(values.port),
  pictures: Number(values.pictures),
  folders: Number(values.folders),
  seed: Number(values.seed),
  version,
  ...(loadFrom === undefined ? {} : { loadFrom }),
  ...(values.state === undefined ? {} : { statePath: values.state }),
  quiescence: values.quiescence === "gate" ? "gate" : "lifecycle",
  onStop: () => process.exit(0),
});

const ready = {
  type: "ready",
  pid: process.pid,
  port: service.port,
  version: service.version,
  pictures: service.pictures,
  /** From process start (node, tsx, modules) to listening. */
  bootMs: process.uptime() * 1000,
  /** Reading the saved file (restart only) and building the in-memory state. */
  loadMs: readMs + service.loadMs,
};
if (process.send) {
  process.send(ready);
  // The parent is gone: nobody will ever stop us, so stop now.
  process.on("disconnect", () => process.exit(0));
} else {
  console.log(JSON.stringify(ready));
}
