/**
 * The driver's side: start the service as a child process, talk HTTP to it
 * on loopback.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HOST } from "./service.js";

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** The process that answered (header x-pid). */
  readonly pid: number;
}

export interface CallOptions {
  readonly port: number;
  /** A keep-alive agent, or false for a new connection per request. */
  readonly agent: http.Agent | false;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** One HTTP request to the service; rejects on network errors and time-outs, resolves on any status. */
export function call(options: CallOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      {
        host: HOST,
        port: options.port,
        method: options.method,
        path: options.path,
        agent: options.agent,
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body, pid: Number(res.headers["x-pid"] ?? 0) });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => {
      req.destroy(new Error(`timed out after ${options.timeoutMs ?? 10_000} ms`));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export interface ReadyMessage {
  readonly type: "ready";
  readonly pid: number;
  readonly port: number;
  readonly version: string;
  readonly pictures: number;
  readonly bootMs: number;
  readonly loadMs: number;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly ready: ReadyMessage;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code when the process has exited. */
  readonly exited: Promise<number | null>;
  /** Ends the process (by its own pid) if it is still running. */
  kill(): void;
}

const serviceEntry = fileURLToPath(new URL("./serviceProcess.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Starts serviceProcess.ts in a new Node process and waits until it listens. */
export function spawnService(
  args: Readonly<Record<string, string | number>>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = spawn(process.execPath, ["--import", tsxLoader, serviceEntry, ...argv], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the service did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (code ${code}) before it was ready`));
    });
    child.on("message", (message: unknown) => {
      const m = message as ReadyMessage;
      if (m?.type !== "ready") return;
      clearTimeout(timer);
      resolve({ child, ready: m, port: m.port, pid: m.pid, exited, kill });
    });
  });
}
