/**
 * The demo's deploy side, as an operator would do it: a key pair, signed
 * bundles (v2, v3, and a tampered one), the service started through
 * `metamorph run` as a cluster, and `metamorph apply / rollback` run as
 * separate processes against its control socket.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Patch } from "../../src/index.js";
import { packBundle, writeKeyFiles } from "../../src/release/index.js";
import tampered from "./releases/tampered.js";
import v4 from "./releases/v4.js";
import { v2, v3 } from "./patches.js";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const BIN = fileURLToPath(new URL("../../src/cli/bin.ts", import.meta.url));
const ENTRY = fileURLToPath(new URL("./clusterService.ts", import.meta.url));

export interface Delivery {
  /** A private directory (0700): keys, bundles, the control socket. */
  readonly dir: string;
  readonly publicKeyPath: string;
  readonly socket: string;
  readonly bundles: {
    readonly v2: string;
    readonly v3: string;
    readonly tampered: string;
    readonly v4: string;
  };
  /** The file the tampered bundle's code would write if it were ever compiled. */
  readonly marker: string;
  remove(): void;
}

const policyOf = (p: Patch): string => {
  const op = p.operations.find((o) => o.op === "policy") as { policy?: string } | undefined;
  return op?.policy ?? "eager";
};

export const POLICIES: Readonly<Record<string, string>> = {
  v2: policyOf(v2),
  v3: policyOf(v3),
  v4: policyOf(v4),
};

/** Keys and bundles: what `metamorph keygen` and `metamorph pack … --force-quiescence` write. */
export async function prepareDelivery(): Promise<Delivery> {
  const dir = mkdtempSync(join(tmpdir(), "mm-picture-demo-"));
  const keys = await writeKeyFiles(join(dir, "keys"));
  const options = {
    namespace: "pictures",
    forceQuiescence: true,
    timeoutMs: 5_000,
    overTimeoutMs: 60_000,
  };
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const bundles = {
    v2: write(
      "v2.bundle.json",
      packBundle(v2, { ...options, fromVersion: "v1", toVersion: "v2" }, keys.privateKey),
    ),
    v3: write(
      "v3.bundle.json",
      packBundle(v3, { ...options, fromVersion: "v2", toVersion: "v3" }, keys.privateKey),
    ),
    tampered: write(
      "v4.tampered.bundle.json",
      tamper(
        packBundle(tampered, { ...options, fromVersion: "v3", toVersion: "v4" }, keys.privateKey),
      ),
    ),
    v4: write(
      "v4.bundle.json",
      packBundle(v4, { ...options, fromVersion: "v3", toVersion: "v4" }, keys.privateKey),
    ),
  };
  return {
    dir,
    publicKeyPath: keys.publicKeyPath,
    socket: join(dir, "control.sock"),
    bundles,
    marker: join(dir, "compiled.marker"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One byte changed after signing: the release it claims to make, "v4" → "v5". */
function tamper(text: string): string {
  const at = text.indexOf('"toVersion": "v4"');
  if (at < 0) throw new Error("the bundle does not name its to-version where expected");
  const i = at + '"toVersion": "v'.length;
  return `${text.slice(0, i)}5${text.slice(i + 1)}`;
}

export interface WorkerAddress {
  readonly pid: number;
  readonly port: number;
}

export interface ClusterProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly workers: readonly WorkerAddress[];
  /** From spawning `metamorph run` to every worker listening (ms). */
  readonly bootMs: number;
  readonly exited: Promise<number | null>;
  /** Stops the primary (which stops its workers), by its own pid. */
  kill(): void;
}

/** `metamorph run --trust … --control … --release v1 clusterService.ts -- --workers N …`, until every worker listens. */
export function spawnCluster(
  delivery: Delivery,
  args: {
    readonly workers: number;
    readonly pictures: number;
    readonly folders: number;
    readonly seed: number;
  },
  timeoutMs = 60_000,
): Promise<ClusterProcess> {
  const t0 = performance.now();
  const program = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsxLoader,
      BIN,
      "run",
      "--trust",
      delivery.publicKeyPath,
      "--control",
      delivery.socket,
      "--release",
      "v1",
      ENTRY,
      "--",
      ...program,
    ],
    {
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      env: { ...process.env, DEMO_MARKER: delivery.marker },
    },
  );
  // metamorph run's own lines are kept out of the demo's report, unless something goes wrong.
  const stderr: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (c: string) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the cluster did not start within ${timeoutMs} ms:\n${stderr.join("")}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `metamorph run exited (code ${code}) before the cluster was ready:\n${stderr.join("")}`,
        ),
      );
    });
    child.on("message", (m: unknown) => {
      const ready = m as { type?: string; workers?: WorkerAddress[] };
      if (ready?.type !== "cluster-ready") return;
      clearTimeout(timer);
      const workers = ready.workers!.map(({ pid, port }) => ({ pid, port }));
      resolve({ child, pid: child.pid!, workers, bootMs: performance.now() - t0, exited, kill });
    });
  });
}

export interface CliResult {
  readonly code: number | null;
  /** The last JSON line printed (`--json`): the service's answer. */
  readonly answer: Readonly<Record<string, unknown>>;
  /** From starting the command to its exit (ms): what an operator waits. */
  readonly ms: number;
}

/** Runs `metamorph <args> --to <socket> --json` as a process of its own. */
export function metamorph(
  args: readonly string[],
  socket: string,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", tsxLoader, BIN, ...args, "--to", socket, "--json"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: timeoutMs,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.once("error", reject);
    child.once("close", (code) => {
      const lines = stdout
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"));
      try {
        const answer = JSON.parse(lines.at(-1) ?? "{}") as Record<string, unknown>;
        resolve({ code, answer, ms: performance.now() - t0 });
      } catch {
        reject(
          new Error(
            `metamorph ${args[0]} printed no answer (exit ${code}): ${stderr.slice(0, 500)}`,
          ),
        );
      }
    });
  });
}

/** Whether the tampered bundle's code ran anywhere (it writes the marker when compiled). */
export function compiled(delivery: Delivery): boolean {
  try {
    readFileSync(delivery.marker);
    return true;
  } catch {
    return false;
  }
}
