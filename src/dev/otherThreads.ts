/**
 * Worker threads and Node child processes that the program starts keep the
 * code they loaded: the dev loader's hooks are registered in this thread
 * with `module.register`, which Node 20 does not extend to workers (a worker
 * gets hooks only from an `--import` of its own `execArgv`) nor, of course,
 * to other processes, and no dev runtime runs there. A save updates this
 * thread only, while its update line read as if the class were updated
 * everywhere, and a save of a module only a worker loaded printed nothing
 * (review advZ20 r4). What they keep is said instead: when the first worker
 * or Node child starts, at the first update while one runs, and at a save of
 * a module this process never loaded while one runs.
 */
import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { isProgramModule } from "./hooks.js";

export interface OtherThreadsOptions {
  /** Prints a line (the reporter adds the prefix). */
  readonly print: (line: string) => void;
  /** Prints a note about `file`. */
  readonly note: (file: string, message: string) => void;
  /** How to update them (restart the program, and how). */
  readonly restartHint: string;
}

interface Exits {
  once(event: "exit", listener: () => void): unknown;
}

interface Spawned extends Exits {
  once(event: "spawn" | "exit", listener: () => void): unknown;
  readonly spawnfile?: string;
  readonly pid?: number;
}

const WORKERS = "worker_threads";
const CHILDREN = "child_process";

/** Node's own workers (the module hooks' thread) are instances of this internal subclass. */
const INTERNAL_WORKER = "InternalWorker";

export class OtherThreads {
  #workers = 0;
  #children = 0;
  #toldWorkers = false;
  #toldChildren = false;
  /** The first update while others run says so; set again when another one starts. */
  #updateTold = false;
  /** The contents of each unloaded module last noted, so that one save is noted once. */
  readonly #noted = new Map<string, string>();
  #subscribed = false;

  constructor(private readonly options: OtherThreadsOptions) {}

  /** Starts noticing workers and child processes (from now on). */
  watch(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    subscribe(WORKERS, this.#onWorker);
    subscribe(CHILDREN, this.#onChild);
  }

  close(): void {
    if (!this.#subscribed) return;
    this.#subscribed = false;
    unsubscribe(WORKERS, this.#onWorker);
    unsubscribe(CHILDREN, this.#onChild);
  }

  /** Whether a worker thread or Node child process of the program runs. */
  get running(): boolean {
    return this.#workers + this.#children > 0;
  }

  /** After `file` was updated in this thread: the first time while others run, says that they keep their code. */
  updated(file: string): void {
    if (!this.running || this.#updateTold) return;
    this.#updateTold = true;
    const others = this.#others();
    this.options.note(
      file,
      `updated in the main thread only; ${others.text} ${others.count === 1 ? "keeps" : "keep"} the old code (${this.options.restartHint})`,
    );
  }

  /** A file this thread never loaded was saved: if it is a module of the program and others run, they may have loaded it. */
  unloadedSaved(file: string): void {
    if (!this.running || !isProgramModule(pathToFileURL(file).href, [])) return;
    let contents: string;
    try {
      contents = createHash("sha1").update(readFileSync(file)).digest("hex");
    } catch {
      return; // removed, or renamed away
    }
    if (this.#noted.get(file) === contents) return;
    this.#noted.set(file, contents);
    this.options.note(
      file,
      `not loaded by the main thread, so not updated; a worker thread or child process that loaded it keeps the old code (${this.options.restartHint})`,
    );
  }

  #others(): { text: string; count: number } {
    const parts: string[] = [];
    if (this.#workers > 0) parts.push(plural(this.#workers, "worker thread"));
    if (this.#children > 0) parts.push(plural(this.#children, "Node child process", "es"));
    return { text: parts.join(" and "), count: this.#workers + this.#children };
  }

  readonly #onWorker = (message: unknown): void => {
    const worker = (message as { worker?: Exits }).worker;
    if (!worker || worker.constructor.name === INTERNAL_WORKER) return;
    this.#workers++;
    this.#updateTold = false;
    worker.once("exit", () => this.#workers--);
    if (this.#toldWorkers) return;
    this.#toldWorkers = true;
    this.options.print(
      `a worker thread started: saves update the main thread only, workers keep the code they loaded (${this.options.restartHint})`,
    );
  };

  readonly #onChild = (message: unknown): void => {
    const child = (message as { process?: Spawned }).process;
    // The file to run is known once spawned; a child that is not Node (git, a shell) runs no code of the program.
    child?.once("spawn", () => {
      if (!isNode(child.spawnfile)) return;
      this.#children++;
      this.#updateTold = false;
      child.once("exit", () => this.#children--);
      if (this.#toldChildren) return;
      this.#toldChildren = true;
      this.options.print(
        `a Node child process started (pid ${child.pid}): saves update this process only, child processes keep the code they loaded (${this.options.restartHint})`,
      );
    });
  };
}

function isNode(file: string | undefined): boolean {
  if (file === undefined) return false;
  return file === process.execPath || /^node(\.exe)?$/i.test(basename(file));
}

function plural(n: number, noun: string, suffix = "s"): string {
  return `${n} ${noun}${n === 1 ? "" : suffix}`;
}
