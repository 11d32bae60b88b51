/**
 * What users do today instead of a live update: stop the service, save its
 * state to disk, start the new version, load the state back. A prober keeps
 * asking the service for a picture every 2 ms on a new connection each time,
 * and the downtime is measured from the moment the stop is requested to the
 * first answer from the new process.
 */
import { performance } from "node:perf_hooks";
import { call, type ServiceProcess, spawnService } from "./client.js";

export interface RestartMeasurement {
  /** From the stop request to the first answer of the new version (ms). */
  readonly downtimeMs: number;
  /** From the old version's last answer to the new version's first (ms). */
  readonly gapMs: number;
  /** Saving the state (JSON) in the old process (ms), and its size. */
  readonly saveMs: number;
  readonly stateBytes: number;
  /** From the stop request to the old process having exited (ms). */
  readonly exitMs: number;
  /** From spawning the new process to it listening: Node, tsx, modules, loading (ms). */
  readonly startMs: number;
  /** Reading and converting the saved state in the new process (ms). */
  readonly loadMs: number;
  /** Probe requests that failed while the service was down. */
  readonly refused: number;
  readonly probes: number;
  readonly pictures: number;
}

interface Probe {
  readonly end: number;
  readonly ok: boolean;
  readonly pid: number;
}

export async function measureRestart(options: {
  pictures: number;
  folders: number;
  seed: number;
  statePath: string;
}): Promise<RestartMeasurement> {
  const started: ServiceProcess[] = [];
  try {
    const old = await spawnService({
      pictures: options.pictures,
      folders: options.folders,
      seed: options.seed,
      version: "v1",
      state: options.statePath,
    });
    started.push(old);
    const port = old.port;
    const probes: Probe[] = [];
    let probing = true;
    let newPid = -1;
    let sawNew: () => void = () => {};
    const newAnswered = new Promise<void>((resolve) => {
      sawNew = resolve;
    });
    const prober = (async () => {
      // Bounded: stops when told, and in any case after 60 s.
      const deadline = performance.now() + 60_000;
      while (probing && performance.now() < deadline) {
        try {
          const r = await call({
            port,
            agent: false,
            method: "GET",
            path: "/pictures/1",
            timeoutMs: 2_000,
          });
          probes.push({ end: performance.now(), ok: r.status === 200, pid: r.pid });
          if (r.status === 200 && r.pid === newPid) sawNew();
        } catch {
          probes.push({ end: performance.now(), ok: false, pid: 0 });
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));

    const tStop = performance.now();
    const saved = await call({ port, agent: false, method: "POST", path: "/admin/save-and-exit" });
    if (saved.status !== 200) throw new Error(`save-and-exit answered ${saved.status}`);
    const { bytes, saveMs } = saved.body as { bytes: number; saveMs: number };
    await old.exited;
    const tExited = performance.now();
    const tSpawn = performance.now();
    const fresh = await spawnService({
      pictures: options.pictures,
      folders: options.folders,
      version: "v2",
      load: options.statePath,
      port,
    });
    started.push(fresh);
    newPid = fresh.pid;
    const tReady = performance.now();
    await Promise.race([newAnswered, new Promise((r) => setTimeout(r, 10_000))]);
    probing = false;
    await prober;
    await call({ port, agent: false, method: "POST", path: "/admin/shutdown" }).catch(() => {});
    await Promise.race([fresh.exited, new Promise((r) => setTimeout(r, 5_000))]);

    const firstNew = probes.find((p) => p.ok && p.pid === fresh.pid);
    const lastOld = probes.filter((p) => p.ok && p.pid === old.pid).at(-1);
    if (firstNew === undefined) throw new Error("the restarted service never answered");
    const during = probes.filter((p) => p.end >= tStop && p.end <= firstNew.end);
    return {
      downtimeMs: firstNew.end - tStop,
      gapMs: firstNew.end - (lastOld?.end ?? tStop),
      saveMs,
      stateBytes: bytes,
      exitMs: tExited - tStop,
      startMs: tReady - tSpawn,
      loadMs: fresh.ready.loadMs,
      refused: during.filter((p) => !p.ok).length,
      probes: during.length,
      pictures: fresh.ready.pictures,
    };
  } finally {
    for (const s of started) s.kill();
  }
}
