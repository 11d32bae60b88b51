/**
 * `metamorph dev` as a supervisor: the program runs in a child Node process
 * (with the Node options given before the entry), so that it can be
 * restarted — when the dev runtime reports an edit it cannot apply live, when
 * a file is saved after the program failed to start or crashed (an uncaught
 * error of code just saved ended the whole session and its state; nodemon
 * and `tsx watch` wait for a save), and on `rs` + Enter (nodemon's habit;
 * the other lines typed go to the program). The child
 * talks to the supervisor over Node's IPC channel (see ./childProtocol.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type FSWatcher, watch } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import { PREFIX } from "../dev/prefix.js";
import { CHILD_ENV, type ChildMessage } from "./childProtocol.js";

export interface SupervisorOptions {
  /** `metamorph dev` arguments for the child, without the Node options. */
  readonly args: readonly string[];
  readonly nodeOptions: readonly string[];
  /** The entry file (watched after a start-up failure when the program said nothing else). */
  readonly entry: string;
  readonly write: (line: string) => void;
  /** Restart on a save after a start-up failure and on rs + Enter (false: `--no-restart`). */
  readonly restart: boolean;
}

const SOURCE_FILE = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx|json)$/;

/**
 * How long a program has to exit after SIGTERM before it is killed. A
 * server's shutdown handler that closes its server but leaves an interval
 * running never exits: the restart waited for ever, and every later save
 * and `rs` was dropped (review advZ20).
 */
export const KILL_AFTER_MS = 5000;

class Supervisor {
  #child: ChildProcess | undefined;
  /** Why the child is being restarted, while it is. */
  #restarting: string | undefined;
  /** Watchers of a program that failed to start, waiting for a save. */
  #waiting: FSWatcher[] = [];
  #stopping = false;
  /** The program started (its entry module ran); until then an exit is a start-up failure. */
  #started = false;
  /** Files the program loaded (before it failed to start, or by its last message). */
  #loaded: readonly string[] = [];
  /** The last update applied in place, to say which one a crash followed. */
  #lastUpdate: { readonly file: string; readonly at: Date } | undefined;
  /** The SIGKILL that follows a SIGTERM the child has not obeyed yet. */
  #killTimer: NodeJS.Timeout | undefined;
  readonly #bin = process.argv[1]!;
  readonly exited: Promise<number>;
  #done: (code: number) => void = () => {};

  constructor(private readonly options: SupervisorOptions) {
    this.exited = new Promise<number>((resolve) => {
      this.#done = resolve;
    });
  }

  start(): void {
    this.#stopWaiting();
    const { nodeOptions, args } = this.options;
    const child = spawn(
      process.execPath,
      [...process.execArgv, ...nodeOptions, this.#bin, "dev", ...args],
      {
        env: { ...process.env, [CHILD_ENV]: "1" },
        stdio: ["pipe", "inherit", "inherit", "ipc"],
      },
    );
    this.#child = child;
    this.#started = false;
    this.#loaded = [];
    this.#lastUpdate = undefined;
    child.stdin?.on("error", () => {}); // the program may close its input
    child.on("message", (message: ChildMessage) => {
      if (message.type === "restart") this.restart(message.reason);
      if (message.type === "started") this.#started = true;
      if (message.type === "updated") this.#lastUpdate = { file: message.file, at: new Date() };
      if (message.type !== "restart") this.#loaded = message.files;
    });
    child.on("exit", (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      clearTimeout(this.#killTimer);
      if (this.#restarting !== undefined && !this.#stopping) {
        this.#restarting = undefined;
        this.start();
      } else if (this.options.restart && !this.#stopping && !this.#started && code !== 0) {
        this.#waitForChange();
      } else if (this.options.restart && !this.#stopping && code !== null && code !== 0) {
        this.#waitForChange(this.#crashed(code));
      } else {
        this.#done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
      }
    });
  }

  restart(reason: string): void {
    if (this.#restarting !== undefined) {
      this.options.write(
        `${PREFIX} still restarting (${this.#restarting}): waiting for the program to exit`,
      );
      return;
    }
    this.options.write(`${PREFIX} restarting: ${reason}`);
    this.#restarting = reason;
    if (this.#child) this.#terminate(this.#child, "SIGTERM");
    else {
      this.#restarting = undefined;
      this.start();
    }
  }

  /** A line typed at the terminal: `rs` restarts, the rest goes to the program. */
  input(line: string): void {
    if (this.options.restart && line.trim() === "rs") this.restart("rs");
    else this.#child?.stdin?.write(`${line}\n`);
  }

  endInput(): void {
    this.#child?.stdin?.end();
  }

  stop(signal: NodeJS.Signals): void {
    this.#stopping = true;
    this.#stopWaiting();
    if (this.#child) this.#terminate(this.#child, signal);
    else this.#done(0);
  }

  /** Sends `signal`, and SIGKILL if the child is still there KILL_AFTER_MS later, saying so. */
  #terminate(child: ChildProcess, signal: NodeJS.Signals): void {
    child.kill(signal);
    clearTimeout(this.#killTimer);
    this.#killTimer = setTimeout(() => {
      if (this.#child !== child) return;
      this.options.write(
        `${PREFIX} the program did not exit within ${KILL_AFTER_MS / 1000} s of ${signal} (a handler of ${signal} that leaves a timer, a server or a socket open?): killing it`,
      );
      child.kill("SIGKILL");
    }, KILL_AFTER_MS);
    this.#killTimer.unref();
  }

  /**
   * What a crash of the running program is said to follow: the last update,
   * when there was one (its code is the likely cause), with its time.
   */
  #crashed(code: number): string {
    const update = this.#lastUpdate;
    if (update === undefined) return `the program exited with code ${code}`;
    const time = update.at.toTimeString().slice(0, 8);
    const file = relative(process.cwd(), update.file) || update.file;
    return `the program exited with code ${code} after the update of ${file} at ${time}`;
  }

  /**
   * After a start-up failure or a crash: restart on the next save of a
   * source file near the program's, saying so after `lead`.
   */
  #waitForChange(lead?: string): void {
    const files = this.#loaded.length > 0 ? this.#loaded : [resolve(this.options.entry)];
    for (const directory of new Set(files.map((f) => dirname(f)))) {
      try {
        const watcher = watch(directory, { persistent: true }, (_event, name) => {
          if (name && SOURCE_FILE.test(name.toString())) this.restart(`${name} was saved`);
        });
        this.#waiting.push(watcher);
      } catch {
        // A directory that cannot be watched: rs + Enter still restarts.
      }
    }
    // Said once the watchers are in place, so that a save right after this line is seen.
    const waiting = "waiting for a change to restart (rs + Enter restarts now)";
    this.options.write(`${PREFIX} ${lead === undefined ? waiting : `${lead}: ${waiting}`}`);
  }

  #stopWaiting(): void {
    for (const w of this.#waiting) w.close();
    this.#waiting = [];
  }
}

/** Runs the program until it exits for good; resolves with its exit code. */
export async function supervise(options: SupervisorOptions): Promise<number> {
  const supervisor = new Supervisor(options);
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on("line", (line) => supervisor.input(line));
  lines.on("close", () => supervisor.endInput());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => supervisor.stop(signal));
  }
  supervisor.start();
  const code = await supervisor.exited;
  lines.close();
  process.stdin.unref?.();
  return code;
}
