/**
 * The Node side of `metamorph dev`, assembled: the program's modules
 * (./moduleGraph.ts) register here as they start, their directories are
 * watched (./watcher.ts), a save reloads the module in place (./reloader.ts,
 * ./prepare.ts), and every outcome is printed (./reporter.ts).
 *
 * A reload never creates a new module instance. The loader gave every module
 * accessors to the bindings of its scope that new code may use
 * (./scopeAccess.ts; no `eval` inside the module, which would keep every
 * module variable out of registers); the new versions of its classes and
 * functions are compiled from the saved file with their references to those
 * bindings going through the accessors (./scopeEvaluate.ts), so they share
 * the same module-level variables and imports as the old ones. The new classes become new
 * implementations of the existing class handles through one patch applied by
 * `updateSync`: every live instance is migrated, keeps its identity, and the
 * module bindings — which other modules import as live bindings — keep
 * pointing at the same handles. A failed update changes nothing; the error is
 * printed and the next save tries again.
 */
import { dirname } from "node:path";
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { CallTracker } from "../lifecycle/callTracking.js";
import { keys, requireKnownKeys } from "../lifecycle/optionKeys.js";
import type { InstanceFinderChoice } from "../mop/instances/finder.js";
import { Namespace } from "../namespace/namespace.js";
import type { ServiceModules } from "../release/index.js";
import { DEV_GLOBAL, type SourceType } from "./conventions.js";
import { devFinderOptions } from "./finderOptions.js";
import { serviceModules } from "./functionBindings.js";
import { isMigrationsFile, sourceBaseOfMigrations } from "./migrations.js";
import { type ModuleHooks, ModuleGraph } from "./moduleGraph.js";
import { OtherThreads } from "./otherThreads.js";
import type { ReloadReport, Reloader, ReloaderOptions } from "./reloader.js";
import { PROGRESSIVE_ABOVE } from "./progressive.js";
import { PREFIX, Reporter } from "./reporter.js";
import type { ScopeAccess } from "./scopeAccess.js";
import { QUIESCENCE_TIMEOUT_MS, SuspendableTracking } from "./tracking.js";
import { Watcher } from "./watcher.js";
import { ANY_MODULE, isWaitedFor, type WaitedFor, waitedFor } from "./waitingFor.js";

export type { ReloadReport } from "./reloader.js";

export interface DevRuntimeOptions {
  /** Paths are printed relative to this directory. Default: the current directory. */
  readonly root?: string;
  /** Where lines go. Default: standard error. */
  readonly write?: (line: string) => void;
  /** Add the heap size (after a full collection, when `gc` is exposed) to every n-th update line (0: never). */
  readonly memory?: number;
  /** Wait this long after a change before reloading (editors write in bursts). Default 40 ms. */
  readonly debounceMs?: number;
  /** How long a reload waits for calls in flight of the classes it changes (ms). Default 5000. */
  readonly quiescenceTimeoutMs?: number;
  /** Watch the program's files (default true). */
  readonly watch?: boolean;
  /**
   * Restarts the program (the CLI's supervisor does): called, with one line
   * saying why, for edits that cannot be applied live. Without it such edits
   * keep the running version and print a note.
   */
  readonly restart?: (reason: string) => void;
  /**
   * Reloads whose classes have more instances than this migrate progressively
   * (slice by slice between the program's tasks, with a progress line)
   * instead of in one block. Default 50,000.
   */
  readonly progressiveAbove?: number;
  /** Objects migrated per slice of a progressive reload. Default 2000. */
  readonly sliceSize?: number;
  /**
   * Rewrites the progress line of a progressive reload in place (a terminal),
   * given the line, or undefined to end it. Without it, progress is printed
   * as a line per ~10 % through `write`.
   */
  readonly overwrite?: (line: string | undefined) => void;
  /**
   * How reloads find the live instances. Default: the library's default
   * (src/mop/instances/defaultFinder.ts): "adaptive", the registry until the
   * program makes 1,024 managed objects in one job (./finderOptions.ts says
   * why not the library's 65,536), then the heap. "registry": a
   * `WeakRef` recorded at each construction, which by specification keeps
   * every object alive until the end of the job that made it —
   * allocation-heavy code is many times slower, uses more memory, and ~2^24
   * temporaries in one job abort V8 — while a reload finds instances in a
   * few milliseconds. "heap" (Node): nothing paid at construction — managed
   * classes construct like plain ones and temporaries die young — but every
   * reload queries the heap (a full collection and a walk of the heap, about
   * a microsecond per live object of the program), before its pause when no
   * reloaded class has an `async` method (applyReload.ts), and a progressive
   * reload's sweep blocks the program for long stretches.
   */
  readonly instanceFinder?: InstanceFinderChoice;
  /** Where the dev loader posts the JavaScript of each module it loads (see ./hooks.ts). */
  readonly sources?: MessagePort;
}

/** Every key of DevRuntimeOptions: a Record, so that a key added there must be added here. */
const DEV_OPTION_KEYS = keys<DevRuntimeOptions>({
  root: true,
  write: true,
  memory: true,
  debounceMs: true,
  quiescenceTimeoutMs: true,
  watch: true,
  restart: true,
  progressiveAbove: true,
  sliceSize: true,
  overwrite: true,
  instanceFinder: true,
  sources: true,
});

/** The one runtime of this process (instrumented modules find it through a global). */
export class DevRuntime {
  readonly namespace: Namespace;
  readonly root: string;
  readonly #reporter: Reporter;
  readonly #graph: ModuleGraph;
  readonly #watcher: Watcher;
  /** What the reloader is made with; the reloader itself (and the engine) is loaded on first use. */
  readonly #reloaderOptions: ReloaderOptions;
  #reloader: Promise<Reloader> | undefined;
  #updates = (): number => 0;
  /** Calls in flight of every managed class (a reload of a class waits for them); one awaiting another held method passes the hold. */
  readonly #tracker = new CallTracker({ followAsyncContext: true });
  readonly #tracking = new SuspendableTracking(this.#tracker);
  readonly #sources: MessagePort | undefined;
  /** JavaScript posted by the loader for modules that have not registered yet, by URL. */
  readonly #loaded = new Map<string, string>();
  /** The program's workers and child processes, which keep their code (said when it matters). */
  readonly #others: OtherThreads;
  readonly #watching: boolean;
  /** Called with every report (tests and tools). */
  onReport: ((report: ReloadReport) => void) | undefined;

  constructor(options: DevRuntimeOptions = {}) {
    // A misspelt key ({ progresiveAbove }) was ignored without a word.
    requireKnownKeys(options, DEV_OPTION_KEYS, "new DevRuntime");
    this.root = options.root ?? process.cwd();
    this.namespace = new Namespace("dev", devFinderOptions(options.instanceFinder));
    this.#sources = options.sources;
    const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.#reporter = new Reporter(this.root, write, options.memory ?? 0);
    this.#watching = options.watch ?? true;
    this.#others = new OtherThreads({
      print: (line) => this.#reporter.print(line),
      note: (file, message) => this.#reporter.note(file, message),
      restartHint: options.restart
        ? "restart the program to update them: rs and Enter"
        : "restart the program to update them",
    });
    this.#graph = new ModuleGraph(
      this.namespace,
      (record, message) => this.#reporter.warning(record.file, message),
      (handle) => {
        try {
          this.#tracking.track(handle);
        } catch {
          // Untracked: its reloads never wait for calls in flight.
        }
      },
    );
    this.#watcher = new Watcher({
      debounceMs: options.debounceMs ?? 40,
      enabled: options.watch ?? true,
      affected: (file) => this.#affected(file),
      order: () => this.files,
      reload: (files) => this.#reloadAll(files),
    });
    const overwrite = options.overwrite;
    this.#reloaderOptions = {
      namespace: this.namespace,
      graph: this.#graph,
      reporter: this.#reporter,
      onReport: (report) => {
        if (report.outcome === "updated") this.#others.updated(report.file);
        this.onReport?.(report);
      },
      restart: options.restart,
      tracker: this.#tracker,
      tracking: this.#tracking,
      quiescenceTimeoutMs: options.quiescenceTimeoutMs ?? QUIESCENCE_TIMEOUT_MS,
      progressive: {
        above: options.progressiveAbove ?? PROGRESSIVE_ABOVE,
        ...(options.sliceSize === undefined ? {} : { sliceSize: options.sliceSize }),
        output: {
          line: (text) => this.#reporter.print(text),
          ...(overwrite
            ? {
                overwrite: (text: string) => overwrite(`${PREFIX} ${text}`),
                endOverwrite: () => overwrite(undefined),
              }
            : {}),
        },
      },
    };
    // Loaded once the program has started (the first reload is then as quick
    // as the next), but never before: start-up does not wait for the engine.
    if (options.watch ?? true) setTimeout(() => void this.#loadReloader(), 250).unref();
  }

  #loadReloader(): Promise<Reloader> {
    this.#reloader ??= import("./reloader.js").then(({ Reloader }) => {
      const reloader = new Reloader(this.#reloaderOptions);
      this.#updates = () => reloader.updates;
      return reloader;
    });
    return this.#reloader;
  }

  /** Makes this runtime the one instrumented modules register with. */
  install(): this {
    // Saves are what they miss: said only while watching (not under `metamorph run`).
    if (this.#watching) this.#others.watch();
    const key = Symbol.for(DEV_GLOBAL);
    (globalThis as Record<symbol, unknown>)[key] = {
      module: (
        url: string,
        access: ScopeAccess,
        names: string[],
        hash: string,
        sourceType?: SourceType,
      ) => this.registerModule(url, access, names, hash, sourceType),
    };
    return this;
  }

  /** The JavaScript a module was compiled from, for modules the loader thread did not see (./requireHook.ts). */
  sourceLoaded(url: string, js: string): void {
    this.#loaded.set(url, js);
  }

  /** Stops watching. */
  close(): void {
    this.#watcher.close();
    this.#others.close();
  }

  /** Files of the modules registered so far, in load order. */
  get files(): string[] {
    return this.#graph.files;
  }

  /** Number of updates committed. */
  get updates(): number {
    return this.#updates();
  }

  registerModule(
    url: string,
    access: ScopeAccess,
    names: readonly string[],
    hash: string,
    sourceType: SourceType = "module",
  ): ModuleHooks {
    const js = this.#javaScriptLoaded(url);
    const { record, stale } = this.#graph.register(url, access, names, hash, js, sourceType);
    this.#watcher.watchDirectory(dirname(record.file));
    // Saved between the load and now: reload once the module has run.
    if (stale) this.#watcher.markDirty(record.file);
    return { manage: (name, cls) => this.#graph.manage(record, name, cls) };
  }

  /** The top-level function bindings of the program's modules, named relative to `root` (metamorph run). */
  serviceModules(root: string): ServiceModules {
    return serviceModules(this.#graph, root);
  }

  /** Reloads every changed file now (in load order); resolves when done. */
  flush(): Promise<void> {
    return this.#watcher.flush();
  }

  /** Files whose last reload was refused because of other files, and those files (see #reloadAll). */
  readonly #waiting = new Map<string, WaitedFor>();

  /**
   * Reloads `files` in order; then those whose last reload was refused
   * because of another file (./waitingFor.ts) that this batch applied: a
   * field moved up to a superclass in another file (review advY5 H7), a
   * name another module now exports (review M1). Nothing else would retry
   * them: they stayed on their old version, silently, until saved again.
   * (A refusal waiting for a file that is not loaded yet is retried when
   * that file is saved: see #affected.)
   */
  async #reloadAll(files: readonly string[]): Promise<void> {
    const applied: string[] = [];
    for (const file of files) this.#settle(file, await this.reload(file), applied);
    if (applied.length === 0) return;
    for (const [file, waited] of [...this.#waiting]) {
      if (!applied.some((a) => a !== file && isWaitedFor(waited, a))) continue;
      this.#settle(file, await this.reload(file), applied);
    }
  }

  /** Records whether `file`'s reload applied, or waits for other files. */
  #settle(file: string, done: ReloadReport, applied: string[]): void {
    if (done.outcome === "updated") applied.push(file);
    const waited = done.outcome === "failed" ? waitedFor(done.error) : undefined;
    if (waited === undefined) {
      this.#waiting.delete(file);
      return;
    }
    this.#waiting.set(file, waited);
    // A file not loaded yet may be in a directory no loaded module is in.
    if (waited !== ANY_MODULE) for (const w of waited) this.#watcher.watchDirectory(dirname(w));
  }

  /** Reloads one module from its file; never throws (failures are reported). */
  async reload(file: string): Promise<ReloadReport> {
    return (await this.#loadReloader()).reload(file);
  }

  /**
   * The JavaScript the loader compiled `url` from. The loader posts it before
   * the module can run, so it is waiting on the port by the time the module
   * registers.
   */
  #javaScriptLoaded(url: string): string | undefined {
    if (this.#sources) {
      for (
        let m = receiveMessageOnPort(this.#sources);
        m;
        m = receiveMessageOnPort(this.#sources)
      ) {
        const { url: loaded, js } = m.message as { url: string; js: string };
        this.#loaded.set(loaded, js);
      }
    }
    const js = this.#loaded.get(url);
    this.#loaded.delete(url);
    return js;
  }

  /** The modules to reload when `file` changed: itself, or those a migrations module belongs to. */
  #affected(file: string): string[] {
    if (this.#graph.has(file)) return [file];
    if (!isMigrationsFile(file)) {
      // A new import of it was refused (it did not load): retried with it.
      const waiting = [...this.#waiting].filter(
        ([, w]) => w !== ANY_MODULE && isWaitedFor(w, file),
      );
      if (waiting.length > 0) return waiting.map(([waiter]) => waiter);
      this.#others.unloadedSaved(file);
      return [];
    }
    return this.#graph.modulesOfMigrations(sourceBaseOfMigrations(file)!).map((r) => r.file);
  }
}
