/**
 * The load: clients on loopback issuing reads and writes at a paced rate for
 * a fixed time (and never more than a fixed number of requests), recording
 * every request's latency, and a ledger of every acknowledged write so that
 * all of them can be read back at the end.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { call, type Reply } from "./client.js";
import { folderName, random } from "./model.js";

export type Operation =
  | "listFolders"
  | "serveFolder"
  | "picture"
  | "addPicture"
  | "commentPicture"
  | "folderStats";

export const WRITES: ReadonlySet<Operation> = new Set(["addPicture", "commentPicture"]);

export interface Sample {
  /** Start and end, ms since the load started. */
  readonly start: number;
  readonly end: number;
  readonly op: Operation;
  readonly ok: boolean;
}

interface AddedPicture {
  readonly id: number;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

export interface LoadOptions {
  readonly port: number;
  readonly durationMs: number;
  /** Target requests per second over all clients. */
  readonly rate: number;
  readonly clients: number;
  /** Hard bound on the number of requests. */
  readonly maxRequests: number;
  readonly pictures: number;
  readonly folders: number;
}

/** Commands the clients may use: new ones become available when an update adds them. */
export interface Features {
  comment: boolean;
  stats: boolean;
}

export class Load {
  readonly samples: Sample[] = [];
  readonly failures: string[] = [];
  readonly added: AddedPicture[] = [];
  /** Last acknowledged comment per picture (each picture is commented by one client only). */
  readonly comments = new Map<number, string>();
  readonly features: Features = { comment: false, stats: false };
  readonly agent: http.Agent;
  issued = 0;
  /** Write requests the service acknowledged (200). */
  acknowledgedWrites = 0;
  t0 = 0;
  #stopped = false;

  constructor(readonly options: LoadOptions) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Runs every client to the end of the load; resolves when all have stopped. */
  async run(): Promise<void> {
    this.t0 = performance.now();
    await Promise.all(Array.from({ length: this.options.clients }, (_, w) => this.#client(w)));
  }

  stop(): void {
    this.#stopped = true;
  }

  get failed(): number {
    return this.samples.filter((s) => !s.ok).length;
  }

  #pick(rnd: () => number): Operation {
    const { comment, stats } = this.features;
    const weights: [Operation, number][] = [
      ["listFolders", 4],
      ["serveFolder", stats ? 12 : 16],
      ["folderStats", stats ? 4 : 0],
      ["picture", 50],
      ["addPicture", comment ? 20 : 30],
      ["commentPicture", comment ? 10 : 0],
    ];
    let r = rnd() * 100;
    for (const [op, w] of weights) {
      if (r < w) return op;
      r -= w;
    }
    return "picture";
  }

  async #client(w: number): Promise<void> {
    const { clients, rate, durationMs, maxRequests } = this.options;
    const rnd = random(1000 + w);
    const interval = (clients * 1000) / rate;
    const mine: number[] = []; // pictures this client added: only it comments them
    let next = this.now() + rnd() * interval;
    let seq = 0;
    while (!this.#stopped) {
      const wait = next - this.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.#stopped || this.now() >= durationMs || this.issued >= maxRequests) break;
      next = Math.max(next + interval, this.now());
      this.issued++;
      const op = this.#pick(rnd);
      const start = this.now();
      let ok = false;
      try {
        ok = await this.#do(op, w, rnd, mine, seq++);
      } catch (error) {
        this.#fail(`${op}: ${(error as Error).message}`);
      }
      if (ok && WRITES.has(op)) this.acknowledgedWrites++;
      this.samples.push({ start, end: this.now(), op, ok });
    }
  }

  #fail(reason: string): void {
    if (this.failures.length < 20) this.failures.push(reason);
  }

  #check(op: Operation, reply: Reply, valid: (body: Record<string, unknown>) => boolean): boolean {
    const body = reply.body as Record<string, unknown>;
    if (reply.status === 200 && typeof body === "object" && body !== null && valid(body))
      return true;
    this.#fail(`${op}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    return false;
  }

  #randomPicture(rnd: () => number): number {
    if (this.added.length > 0 && rnd() < 0.2) {
      return this.added[Math.floor(rnd() * this.added.length)]!.id;
    }
    return 1 + Math.floor(rnd() * this.options.pictures);
  }

  async #do(
    op: Operation,
    w: number,
    rnd: () => number,
    mine: number[],
    seq: number,
  ): Promise<boolean> {
    const { port, folders, clients, pictures } = this.options;
    const agent = this.agent;
    const folder = folderName(Math.floor(rnd() * folders));
    switch (op) {
      case "listFolders": {
        const r = await call({ port, agent, method: "GET", path: "/folders" });
        return this.#check(op, r, (b) => Array.isArray(b) && b.length === folders);
      }
      case "serveFolder": {
        const r = await call({ port, agent, method: "GET", path: `/folders/${folder}` });
        return this.#check(op, r, (b) => Array.isArray(b.pictures));
      }
      case "folderStats": {
        const r = await call({ port, agent, method: "GET", path: `/folders/${folder}/stats` });
        return this.#check(op, r, (b) => typeof b.megapixels === "number");
      }
      case "picture": {
        const id = this.#randomPicture(rnd);
        const r = await call({ port, agent, method: "GET", path: `/pictures/${id}` });
        return this.#check(op, r, (b) => b.id === id);
      }
      case "addPicture": {
        const picture = {
          name: `upload-c${w}-${seq}.jpg`,
          size: 10_000 + Math.floor(rnd() * 1_000_000),
          width: 320 + Math.floor(rnd() * 4000),
          height: 240 + Math.floor(rnd() * 3000),
        };
        const r = await call({
          port,
          agent,
          method: "POST",
          path: `/folders/${folder}/pictures`,
          body: picture,
        });
        const ok = this.#check(op, r, (b) => typeof b.id === "number" && b.name === picture.name);
        if (ok) {
          const id = (r.body as { id: number }).id;
          this.added.push({ id, folder, ...picture });
          mine.push(id);
        }
        return ok;
      }
      case "commentPicture": {
        // Comment one of this client's own pictures, or a seeded one it owns (id ≡ w mod clients).
        let id: number;
        if (mine.length > 0 && rnd() < 0.5) id = mine[Math.floor(rnd() * mine.length)]!;
        else {
          const slots = Math.max(1, Math.floor((pictures - 1 - w) / clients) + 1);
          id = 1 + w + clients * Math.floor(rnd() * slots);
          if (id > pictures) id = mine[0] ?? 1 + w;
        }
        const text = `comment ${seq} from client ${w}`;
        const r = await call({
          port,
          agent,
          method: "POST",
          path: `/pictures/${id}/comment`,
          body: { text },
        });
        const ok = this.#check(op, r, (b) => b.id === id && b.comment === text);
        if (ok) this.comments.set(id, text);
        return ok;
      }
    }
  }
}

export interface Verification {
  /** Pictures read back (every added one, every commented one). */
  readonly picturesChecked: number;
  readonly lost: number;
  readonly problems: readonly string[];
}

/**
 * Reads every acknowledged write back through the public API: each added
 * picture with its data and folder, each picture's last acknowledged comment,
 * and every folder's picture count.
 */
export async function verifyWrites(load: Load): Promise<Verification> {
  const { port, pictures, folders } = load.options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const problems: string[] = [];
  let lost = 0;
  const lose = (what: string) => {
    lost++;
    if (problems.length < 20) problems.push(what);
  };
  const addedById = new Map(load.added.map((a) => [a.id, a] as const));
  const ids = [...new Set([...addedById.keys(), ...load.comments.keys()])];
  let cursor = 0;
  const reader = async () => {
    while (cursor < ids.length) {
      const id = ids[cursor++]!;
      let reply: Reply;
      try {
        reply = await call({ port, agent, method: "GET", path: `/pictures/${id}` });
      } catch (error) {
        lose(`picture ${id}: ${(error as Error).message}`);
        continue;
      }
      const b = reply.body as Record<string, unknown>;
      if (reply.status !== 200) {
        lose(`picture ${id}: HTTP ${reply.status}`);
        continue;
      }
      const dims = (b.dimensions ?? b) as { width?: number; height?: number };
      const a = addedById.get(id);
      if (
        a !== undefined &&
        (b.name !== a.name ||
          b.size !== a.size ||
          (b.basepath ?? b.path) !== `/pictures/${a.folder}` ||
          dims.width !== a.width ||
          dims.height !== a.height)
      ) {
        lose(`picture ${id}: wrote ${JSON.stringify(a)}, read ${JSON.stringify(b)}`);
      }
      const comment = load.comments.get(id);
      if (comment !== undefined && b.comment !== comment) {
        lose(
          `picture ${id}: comment ${JSON.stringify(comment)} acknowledged, read ${JSON.stringify(b.comment)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, reader));
  // Every added picture is in its folder exactly once: folder counts add up.
  const expected = new Map<string, number>();
  for (let f = 0; f < folders; f++) {
    expected.set(folderName(f), Math.floor(pictures / folders) + (f < pictures % folders ? 1 : 0));
  }
  for (const a of load.added) expected.set(a.folder, (expected.get(a.folder) ?? 0) + 1);
  const listing = await call({ port, agent, method: "GET", path: "/folders" });
  const counts = new Map(
    (listing.body as { name: string; pictures: number }[]).map((f) => [f.name, f.pictures]),
  );
  for (const [name, n] of expected) {
    if (counts.get(name) !== n) {
      lose(`folder ${name}: expected ${n} pictures, found ${counts.get(name)}`);
    }
  }
  agent.destroy();
  return { picturesChecked: ids.length, lost, problems };
}
