/**
 * The picture server: a `node:http` service over the gallery, with an admin
 * endpoint that updates it live.
 *
 *   GET  /folders                     list folders            (listFolders)
 *   GET  /folders/:folder             serve a folder          (serveFolder)
 *   POST /folders/:folder/pictures    add a picture           (addPicture)
 *   GET  /pictures/:id                one picture             (picture)
 *   POST /pictures/:id/comment        comment a picture       (commentPicture, from v2)
 *   GET  /folders/:folder/stats       a folder's statistics   (folderStats, from v3)
 *
 *   POST /admin/update/:patch         apply patch v2 or v3 now (see applyUpdate)
 *   POST /admin/save-and-exit         what a restart does: stop, save the state to disk, exit
 *   POST /admin/shutdown              stop
 *   GET  /admin/status
 *
 * A command is a method of the gallery: the router maps a URL to a command
 * name, and a command the running version does not have yet answers 404.
 * Patches add commands by adding methods.
 */
import { writeFileSync } from "node:fs";
import http from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Namespace, Patch, UpdateTimings } from "../../src/index.js";
import { updateSync } from "../../src/index.js";
import { ScheduledManager } from "../../src/lifecycle/index.js";
import { RequestGate } from "./gate.js";
import type { Gallery, PictureWorld, SavedState } from "./model.js";
import { createPictureWorld, seedPictures } from "./model.js";
import { patches } from "./patches.js";

export const HOST = "127.0.0.1";

export interface ServiceOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly pictures: number;
  readonly folders: number;
  readonly seed?: number;
  /** The code version to start: "v1", or "v2" (v1 with patch v2 applied before any state exists, as a release would ship it). */
  readonly version?: "v1" | "v2";
  /** Load this saved state (a restart) instead of seeding pictures. */
  readonly loadFrom?: SavedState;
  /** Where save-and-exit writes the state. */
  readonly statePath?: string;
  /** Called when the service has been told to stop (the process entry exits). */
  readonly onStop?: () => void;
  /** Progressive sweep: objects per macrotask. */
  readonly sliceSize?: number;
  /** How handlers are made quiescent for an update (default "lifecycle"). */
  readonly quiescence?: Quiescence;
}

export interface AppliedUpdate {
  readonly name: string;
  readonly policy: string;
  readonly outcome: string;
  /** metamorph's pause: the synchronous update, during which no code of this process ran (ms). */
  readonly pauseMs: number;
  /** How long new calls were held: drain of in-flight handlers + the update (ms). */
  readonly holdMs: number;
  readonly drainMs: number;
  /** In-flight handlers the gate waited for. */
  readonly drained: number;
  /** Calls that arrived while held and waited (none failed). */
  readonly held: number;
  /** Instances migrated: in the commit (eager) or by first use and the sweep (lazy, progressive). */
  readonly migrated: number;
  readonly migratedInCommit: number;
  /** Progressive: time from the commit to the last instance migrated (ms). */
  readonly sweepMs: number;
  /** The longest stretch the event loop was blocked while the update ran, sweep included (ms). */
  readonly longestBlockMs: number;
  /** From receiving the update request to the commit, and to migration complete (ms). */
  readonly committedAfterMs: number;
  readonly completedAfterMs: number;
  readonly classesChanged: number;
  readonly failedMigrations: number;
  readonly timings: UpdateTimings;
  /** How the handlers were made quiescent. */
  readonly quiescence: string;
}

export type Quiescence = "lifecycle" | "gate";

export interface UpdateTarget {
  readonly ns: Namespace;
  /**
   * Forced quiescence through metamorph's update lifecycle (default): a
   * manager tracks the gallery's commands; while an update waits, new calls
   * of its async commands (addPicture) are held at entry, in-flight ones
   * drain, the patch is applied, the held calls run on the new version.
   * Synchronous commands keep running meanwhile: they cannot straddle a
   * synchronous commit.
   */
  readonly manager?: ScheduledManager;
  /** The fallback: a gate in front of every HTTP handler (gate.ts). */
  readonly gate: RequestGate;
  readonly sliceSize?: number;
}

/**
 * Applies one patch to the running service — the only place that does.
 * Forced quiescence (the lifecycle's manager, or the request gate), the
 * update itself, release; then, for a lazy or progressive patch, waits until
 * every instance is migrated.
 */
export async function applyUpdate(target: UpdateTarget, p: Patch): Promise<AppliedUpdate> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  try {
    const applied = target.manager
      ? await throughLifecycle(target.manager, target, p)
      : await throughGate(target, p);
    loop.disable();
    return { ...applied, longestBlockMs: Math.max(applied.pauseMs, loop.max / 1e6) };
  } finally {
    loop.disable();
  }
}

async function throughLifecycle(
  manager: ScheduledManager,
  target: UpdateTarget,
  p: Patch,
): Promise<AppliedUpdate> {
  const t0 = performance.now();
  const gallery = target.ns.classNamed("Gallery");
  const drained = manager.tracker.inFlight([gallery]).length;
  const ticket = manager.enqueue({
    namespace: target.ns,
    patch: p,
    // Every request enters through a gallery command: quiescence of the
    // gallery is quiescence of the handlers.
    affects: [gallery],
    forceQuiescence: true,
    timeoutMs: 5_000,
    overTimeoutMs: 60_000,
    options: { sliceSize: target.sliceSize ?? 1000 },
  });
  const report = await ticket.done;
  if (report.status !== "committed" || report.applied === undefined) {
    throw Object.assign(new Error(`update ${p.name} ${report.status}: ${report.reason ?? ""}`), {
      code: report.status,
    });
  }
  const applied = report.applied;
  const done = await applied.completion;
  const committed = report.events.find((e) => e.type === "transition" && e.to === "committed");
  const over = report.events.find((e) => e.type === "step" && e.step === "wait-until-over");
  const result = applied.result;
  return {
    name: p.name,
    policy: applied.policy,
    outcome: report.status,
    pauseMs: report.pauseMs,
    holdMs: report.holdMs,
    drainMs: report.timings.waiting ?? 0,
    drained,
    held: report.heldCalls,
    migrated:
      applied.policy === "eager"
        ? applied.instancesMigrated
        : (done?.migrated ?? result?.migratedSoFar() ?? 0),
    migratedInCommit: applied.instancesMigrated,
    sweepMs: applied.policy === "eager" || over?.type !== "step" ? 0 : over.ms,
    longestBlockMs: report.pauseMs,
    committedAfterMs: committed?.atMs ?? 0,
    completedAfterMs: performance.now() - t0,
    classesChanged: result?.classesChanged ?? 0,
    failedMigrations: done?.failed.length ?? 0,
    timings: result?.timings ?? {
      build: 0,
      shadow: 0,
      migrate: 0,
      validate: 0,
      commit: 0,
      total: 0,
    },
    quiescence: "metamorph lifecycle: ScheduledManager, forced quiescence of Gallery",
  };
}

async function throughGate(target: UpdateTarget, p: Patch): Promise<AppliedUpdate> {
  const t0 = performance.now();
  const q = await target.gate.quiesce(
    () => updateSync(target.ns, p, { sliceSize: target.sliceSize ?? 1000 }),
    { timeoutMs: 5_000 },
  );
  const result = q.value;
  const committedAt = performance.now();
  let migrated = result.instancesMigrated;
  let failedMigrations = 0;
  if (result.policy === "progressive") {
    const done = await result.completion;
    migrated = done.migrated;
    failedMigrations = done.failed.length;
  } else if (result.policy === "lazy") {
    migrated = result.migratedSoFar();
  }
  const completedAt = performance.now();
  return {
    name: p.name,
    policy: result.policy,
    outcome: result.outcome,
    pauseMs: result.pauseMs,
    holdMs: q.closedMs,
    drainMs: q.drainMs,
    drained: q.drained,
    held: q.held,
    migrated,
    migratedInCommit: result.instancesMigrated,
    sweepMs: result.policy === "eager" ? 0 : completedAt - committedAt,
    longestBlockMs: result.pauseMs,
    committedAfterMs: committedAt - t0,
    completedAfterMs: completedAt - t0,
    classesChanged: result.classesChanged,
    failedMigrations,
    timings: result.timings,
    quiescence: "request gate in front of the HTTP handlers (examples/picture-server/gate.ts)",
  };
}

interface Route {
  readonly command: string;
  readonly args: Record<string, unknown>;
}

function route(
  method: string,
  parts: readonly string[],
  body: Record<string, unknown>,
): Route | null {
  const [a, b, c, d] = parts.map((p) => decodeURIComponent(p));
  if (a === "folders") {
    if (method === "GET" && b === undefined) return { command: "listFolders", args: {} };
    if (method === "GET" && b !== undefined && c === undefined) {
      return { command: "serveFolder", args: { folder: b } };
    }
    if (method === "GET" && c === "stats" && d === undefined) {
      return { command: "folderStats", args: { folder: b } };
    }
    if (method === "POST" && c === "pictures" && d === undefined) {
      return {
        command: "addPicture",
        args: {
          folder: b,
          name: String(body.name),
          size: Number(body.size),
          width: Number(body.width),
          height: Number(body.height),
        },
      };
    }
  }
  if (a === "pictures" && b !== undefined && /^\d+$/.test(b)) {
    if (method === "GET" && c === undefined) return { command: "picture", args: { id: Number(b) } };
    if (method === "POST" && c === "comment" && d === undefined) {
      return { command: "commentPicture", args: { id: Number(b), text: String(body.text) } };
    }
  }
  return null;
}

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("end", () => {
      if (chunks.length === 0) return resolve({});
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        resolve(
          typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {},
        );
      } catch (error) {
        reject(error);
      }
    });
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-pid": String(process.pid),
  });
  res.end(text);
}

/**
 * What a restart to the next version has to do with the state the old one
 * saved: the user's own conversion, v1 records into v2 objects.
 */
export function loadSavedState(world: PictureWorld, saved: SavedState): number {
  if (saved.version !== "v1") throw new Error(`cannot load state saved by ${saved.version}`);
  const Picture = world.ns.classNamed("Picture") as unknown as new (init: object) => object;
  let n = 0;
  for (const folder of saved.folders) {
    world.gallery.createFolder({ folder: folder.name });
    for (const r of folder.pictures as Record<string, unknown>[]) {
      const picture = new Picture({
        id: r.id,
        basepath: r.path,
        name: r.name,
        size: r.size,
        width: r.width,
        height: r.height,
        commentText: "",
      });
      world.gallery.adopt(folder.name, picture);
      n++;
    }
  }
  return n;
}

export interface RunningService {
  readonly port: number;
  readonly world: PictureWorld;
  readonly gate: RequestGate;
  /** The lifecycle's manager, whose tracker sees the gallery's calls (quiescence "lifecycle"). */
  readonly manager: ScheduledManager | undefined;
  readonly version: string;
  readonly pictures: number;
  /** Time to build the state: seeding, or loading a saved state (ms). */
  readonly loadMs: number;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const tLoad = performance.now();
  const world = createPictureWorld();
  let version = "v1";
  if (options.version === "v2") {
    updateSync(world.ns, patches.v2!);
    version = "v2";
  }
  let pictures: number;
  if (options.loadFrom) {
    pictures = loadSavedState(world, options.loadFrom);
  } else {
    seedPictures(world, {
      pictures: options.pictures,
      folders: options.folders,
      seed: options.seed ?? 42,
    });
    pictures = options.pictures;
  }
  const loadMs = performance.now() - tLoad;
  const gate = new RequestGate();
  let manager: ScheduledManager | undefined;
  if ((options.quiescence ?? "lifecycle") === "lifecycle") {
    // Tracked from the start, so that no call in flight is ever unseen.
    manager = new ScheduledManager();
    manager.track(world.ns.classNamed("Gallery"));
  }
  const target: UpdateTarget = {
    ns: world.ns,
    gate,
    ...(manager === undefined ? {} : { manager }),
    ...(options.sliceSize === undefined ? {} : { sliceSize: options.sliceSize }),
  };
  const gallery: Gallery = world.gallery;
  let stopping = false;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String((error as Error)?.message ?? error) });
      else res.destroy();
    });
  });
  // Longer than any run, so that no kept-alive client socket is closed under a request.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;

  const stop = () => {
    stopping = true;
    manager?.close("the service is stopping");
    server.close();
    server.closeIdleConnections();
    setImmediate(() => {
      server.closeAllConnections();
      options.onStop?.();
    });
  };

  async function admin(req: http.IncomingMessage, res: http.ServerResponse, parts: string[]) {
    await readBody(req);
    const [, what, name] = parts;
    if (req.method === "GET" && what === "status") {
      return send(res, 200, {
        pid: process.pid,
        version,
        quiescence: manager === undefined ? "gate" : "lifecycle",
        namespaceVersion: world.ns.version,
        inFlight: gate.inFlight,
        heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      });
    }
    if (req.method === "POST" && what === "update" && name !== undefined) {
      const p = patches[name];
      if (p === undefined) return send(res, 404, { error: `no patch named ${name}` });
      try {
        const applied = await applyUpdate(target, p);
        version = p.name;
        return send(res, 200, applied);
      } catch (error) {
        const e = error as Error & { code?: string };
        return send(res, 409, { error: e.message, code: e.code ?? e.name });
      }
    }
    if (req.method === "POST" && what === "save-and-exit") {
      // What users do today: stop taking requests, save the state, exit.
      const t0 = performance.now();
      stopping = true;
      server.close();
      server.closeIdleConnections();
      const q = await gate.quiesce(() => {
        const text = JSON.stringify(gallery.exportState());
        if (options.statePath) writeFileSync(options.statePath, text);
        return Buffer.byteLength(text);
      });
      res.on("finish", stop);
      return send(res, 200, { bytes: q.value, saveMs: performance.now() - t0 });
    }
    if (req.method === "POST" && what === "shutdown") {
      res.on("finish", stop);
      return send(res, 200, { stopping: true });
    }
    return send(res, 404, { error: "unknown admin command" });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter((p) => p.length > 0);
    if (parts[0] === "admin") return admin(req, res, parts);
    if (stopping) {
      res.destroy();
      return;
    }
    const body = req.method === "POST" ? await readBody(req) : {};
    const r = route(req.method ?? "GET", parts, body);
    if (r === null) return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    // Counted at the gate in both modes (save-and-exit drains it); closed for updates only in "gate" mode.
    const wait = gate.enter();
    if (wait !== null) await wait;
    let result: unknown;
    try {
      const command = gallery[r.command];
      if (typeof command !== "function") {
        return send(res, 404, { error: `unknown command ${r.command} in version ${version}` });
      }
      result = await (command as (args: unknown) => unknown).call(gallery, r.args);
    } finally {
      gate.leave();
    }
    send(
      res,
      result === null || result === undefined ? 404 : 200,
      result ?? { error: "not found" },
    );
  }

  const port = await listen(server, options.port ?? 0);
  return {
    port,
    world,
    gate,
    manager,
    get version() {
      return version;
    },
    pictures,
    loadMs,
    close: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        manager?.close("the service is stopping");
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Listens on loopback; retries briefly if the port is still held by a process that is exiting. */
async function listen(server: http.Server, port: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        // exclusive: a worker of a cluster gets a port of its own, not one shared by all workers.
        server.listen({ port, host: HOST, exclusive: true }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no TCP address");
      return address.port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 200) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
