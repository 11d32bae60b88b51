/** The demo's load, one share per worker: each worker has its own in-memory gallery, so a client stays with one. */
import type { DemoConfig } from "./demo.js";
import type { ClusterProcess } from "./delivery.js";
import { Load, type Sample, type Verification, verifyWrites } from "./load.js";

export class Loads {
  constructor(readonly each: readonly Load[]) {}
  now(): number {
    return this.each[0]!.now();
  }
  get samples(): Sample[] {
    return this.each.flatMap((l) => l.samples);
  }
  get failures(): string[] {
    return this.each.flatMap((l) => l.failures);
  }
  get acknowledgedWrites(): number {
    return this.each.reduce((n, l) => n + l.acknowledgedWrites, 0);
  }
  features(name: "comment" | "stats"): void {
    for (const l of this.each) l.features[name] = true;
  }
  stop(): void {
    for (const l of this.each) {
      l.stop();
      l.agent.destroy();
    }
  }
  async verify(): Promise<Verification> {
    const all = await Promise.all(this.each.map((l) => verifyWrites(l)));
    return {
      picturesChecked: all.reduce((n, v) => n + v.picturesChecked, 0),
      lost: all.reduce((n, v) => n + v.lost, 0),
      problems: all.flatMap((v) => v.problems),
    };
  }
}

/** The load, one share per worker; it runs until `stop` (at the latest `maxMs`). */
export function startLoads(config: DemoConfig, service: ClusterProcess, maxMs: number) {
  const n = service.workers.length;
  const loads = new Loads(
    service.workers.map(
      (w, i) =>
        new Load({
          port: w.port,
          durationMs: maxMs,
          rate: config.rate / n,
          // The clients are shared out; the first workers take the remainder.
          clients: Math.floor(config.clients / n) + (i < config.clients % n ? 1 : 0),
          maxRequests: Math.ceil((config.rate / n) * (maxMs / 1000) * 1.2),
          pictures: config.pictures,
          folders: config.folders,
        }),
    ),
  );
  return { loads, running: Promise.all(loads.each.map((l) => l.run())) };
}
