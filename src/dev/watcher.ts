/**
 * Watching the program's directories for saves, and turning bursts of change
 * events (editors write a file in several steps) into one batch of files to
 * reload, handed over in order and one batch at a time.
 */
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";

export interface WatcherOptions {
  /** Wait this long after the last change before handing the batch over. */
  readonly debounceMs: number;
  /** Whether to watch at all (a runtime driven by `flush` alone does not). */
  readonly enabled: boolean;
  /** A file in a watched directory changed: the files to reload because of it. */
  readonly affected: (file: string) => readonly string[];
  /** Reloads a batch of changed files (the watcher orders them with `order`). */
  readonly reload: (files: readonly string[]) => Promise<void>;
  /** The order files are reloaded in (load order). */
  readonly order: () => readonly string[];
}

export class Watcher {
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #dirty = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: WatcherOptions) {}

  watchDirectory(directory: string): void {
    if (!this.options.enabled || this.#watchers.has(directory)) return;
    try {
      const watcher = watch(directory, { persistent: false }, (_event, name) => {
        if (!name) return;
        for (const file of this.options.affected(join(directory, name.toString()))) {
          this.markDirty(file);
        }
      });
      watcher.on("error", () => {});
      this.#watchers.set(directory, watcher);
    } catch {
      // A directory that cannot be watched: its files are not reloaded.
    }
  }

  markDirty(file: string): void {
    this.#dirty.add(file);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.options.debounceMs);
  }

  /** Reloads every changed file now; resolves when done. */
  flush(): Promise<void> {
    const run = async () => {
      const files = this.options.order().filter((f) => this.#dirty.has(f));
      this.#dirty.clear();
      await this.options.reload(files);
    };
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
