/**
 * Reloading one module when its file (or its migrations module) was saved:
 * prepare the new version (./prepare.ts), apply its patch with `updateSync`
 * (every live instance migrated, or nothing changed), then — the part that
 * cannot fail — assign the changed functions, record what the version added,
 * and pass new values to the modules that imported them. The last update
 * stays undoable until the next one, so that a migrations module saved right
 * after a warning can have it applied again with the new hints.
 */
import type { UpdateResult } from "../migration/types.js";
import type { Namespace } from "../namespace/namespace.js";
import { type ClassChangeSummary, engineWarnings } from "./common.js";
import { withoutRedecorated } from "./memberDecorators.js";
import { loadMigrations, migrationsFileOf } from "./migrationsLoader.js";
import { movesClasses, movesOf } from "./movedClasses.js";
import type { MigrationsState, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import {
  type Applied,
  type ApplyContext,
  applyReload,
  type ProgressiveOptions,
} from "./applyReload.js";
import { type PreparedReload, prepareReload } from "./prepare.js";
import { followSweep, sweepLine } from "./progressive.js";
import { javaScriptOf } from "./savedVersion.js";
import {
  type AddedFields,
  captureAdded,
  readWritesSince,
  type WritesSince,
} from "./writesSince.js";
import { errorText, type Reporter } from "./reporter.js";
import { declaredNames, functionAssigner } from "./reloadFunctions.js";
import { recordScope } from "./recordScope.js";
import { RestartGate } from "./restartGate.js";
import { refusalAdvice, refusesLiveChange, stopsStart } from "./refusalAdvice.js";
import { readSaved, sameText } from "./savedText.js";

export interface ReloadReport {
  readonly file: string;
  readonly outcome: "updated" | "unchanged" | "failed" | "restart";
  readonly classes: readonly ClassChangeSummary[];
  readonly functions: readonly string[];
  readonly instancesMigrated: number;
  readonly pauseMs: number;
  readonly warnings: readonly string[];
  readonly error?: unknown;
}

type Outcome = Omit<ReloadReport, "file">;

const UNCHANGED: Outcome = {
  outcome: "unchanged",
  classes: [],
  functions: [],
  instancesMigrated: 0,
  pauseMs: 0,
  warnings: [],
};

/** The last committed reload, while it can still be undone. */
interface LastReload {
  readonly record: ModuleRecord;
  readonly result: UpdateResult | undefined;
  readonly previousJs: string;
  /** Whether it printed warnings (ambiguous changes a migrations module can resolve). */
  readonly warned: boolean;
  /** The fields it added and the values it gave them, to keep what is written to them until an undo. */
  readonly added: readonly AddedFields[];
  readonly undoLocal: () => void;
}

/** The fields each class of a reload added, with its handle. */
function addedFields(record: ModuleRecord, prepared: PreparedReload) {
  return prepared.summaries.flatMap((s) => {
    const handle = record.classes.get(s.className);
    return handle && s.added.length > 0
      ? [{ className: s.className, handle, fields: s.added }]
      : [];
  });
}

/** What a reload warns of: the plan's, and the engine's but those a decorator's method makes moot. */
function reloadWarnings(prepared: PreparedReload, result: UpdateResult | undefined): string[] {
  const engine = withoutRedecorated(result?.warnings, prepared.redecorated);
  return [...prepared.warnings, ...engineWarnings(engine, prepared.migrationsFile)];
}

export interface ReloaderOptions extends ApplyContext {
  readonly graph: ModuleGraph;
  readonly onReport: (report: ReloadReport) => void;
  /** Restarts the program (when a supervisor can); without it, such edits keep the running version. */
  readonly restart: ((reason: string) => void) | undefined;
}

export class Reloader {
  #last: LastReload | undefined;
  /**
   * Modules whose last update warned, and the module updated after it: the
   * engine undoes only the latest update, so a migrations module saved now
   * cannot have it applied again (said, rather than a bare "applies next").
   */
  readonly #overtaken = new WeakMap<ModuleRecord, string>();
  /** Values written since an update undone for a migrations module, until it is applied again. */
  #writesSince: { readonly record: ModuleRecord; readonly writes: WritesSince } | undefined;
  #updates = 0;

  private readonly namespace: Namespace;
  private readonly graph: ModuleGraph;
  private readonly reporter: Reporter;
  private readonly onReport: (report: ReloadReport) => void;
  private readonly restart: ((reason: string) => void) | undefined;
  private readonly progressive: ProgressiveOptions;
  readonly #applyContext: ApplyContext;
  /** Restarts postponed while a file a start would fail on is refused (./restartGate.ts). */
  readonly #gate: RestartGate | undefined;

  constructor(options: ReloaderOptions) {
    this.namespace = options.namespace;
    this.graph = options.graph;
    this.reporter = options.reporter;
    this.onReport = options.onReport;
    this.restart = options.restart;
    this.progressive = options.progressive;
    this.#applyContext = options;
    const restart = options.restart;
    this.#gate = restart
      ? new RestartGate(
          restart,
          (line) => this.reporter.print(line),
          (f) => this.reporter.rel(f),
        )
      : undefined;
  }

  /** Number of updates committed. */
  get updates(): number {
    return this.#updates;
  }

  /** Reloads one module from its file; never throws (failures are reported). */
  async reload(file: string): Promise<ReloadReport> {
    this.#gate?.begin(file);
    try {
      return await this.#reload(file);
    } finally {
      this.#gate?.end();
    }
  }

  async #reload(file: string): Promise<ReloadReport> {
    const report = (r: Outcome): ReloadReport => {
      const full = { file, ...r };
      this.onReport(full);
      return full;
    };
    const record = this.graph.get(file);
    if (!record) return report(UNCHANGED);
    const writes = this.#writesSince?.record === record ? this.#writesSince.writes : undefined;
    this.#writesSince = undefined;
    const text = this.#read(record);
    if (typeof text !== "string") return report(text);
    let migrations: MigrationsState | undefined;
    try {
      migrations = await loadMigrations(record);
    } catch (error) {
      return report(this.#failed(record, error));
    }
    let js: string;
    try {
      js = await javaScriptOf(record, text);
    } catch (error) {
      return report(this.#failed(record, error, "compile"));
    }
    if (js === record.js && record.failing === undefined) {
      if (migrations?.hash === record.migrations?.hash) {
        this.reporter.noRuntimeEffect(file, text);
        return report(UNCHANGED);
      }
      record.migrations = migrations;
      if (this.#undoForMigrations(record, migrations)) return this.reload(file);
      return report(UNCHANGED);
    }
    let prepared: PreparedReload;
    try {
      const context = { graph: this.graph, rel: (f: string) => this.reporter.rel(f) };
      prepared = await prepareReload(context, record, js, migrations);
    } catch (error) {
      movesOf(this.graph).abandon(error);
      return report(this.#failed(record, error, "prepare"));
    }
    if (this.restart && prepared.restartReasons.length > 0) {
      movesOf(this.graph).abandon();
      // Still being written (a save in steps): its next change event reloads it.
      if (!sameText(file, text)) return report(UNCHANGED);
      const reason = `${this.reporter.rel(file)}: ${prepared.restartReasons.join("; ")}`;
      const restarted = this.#gate!.request(file, reason);
      return report({ ...UNCHANGED, outcome: restarted ? "restart" : "unchanged" });
    }
    let applied: Applied = { result: undefined, population: 0 };
    try {
      if (prepared.hasClassChanges)
        applied = await applyReload(this.#applyContext, record, prepared, writes);
    } catch (error) {
      movesOf(this.graph).abandon(error);
      return report(this.#failed(record, error));
    }
    const done = applied.prepared ?? prepared; // less, when classes were held back (./heldBack.ts)
    const outcome = this.#commit(record, applied.js ?? js, migrations, done, applied);
    if (applied.result?.policy !== "progressive") return report(outcome);
    return report(await this.#finishSweep(record, applied, outcome));
  }

  /** The saved text, or what to report instead (./savedText.ts). */
  #read(record: ModuleRecord): string | Outcome {
    const saved = readSaved(record.file);
    if (saved.text !== undefined) return saved.text;
    const rel = this.reporter.rel(record.file);
    if (saved.state === "is missing") {
      // Often renamed: a restart (its importer fixed) must not wait for it.
      this.reporter.print(`${rel} is missing: the running version is kept until it is saved again`);
      return { ...UNCHANGED, error: saved.error };
    }
    this.reporter.print(
      `${rel} is empty: waiting for it to be saved (the running version is kept)`,
    );
    this.#gate?.block(record.file, `${rel} is empty`);
    return UNCHANGED;
  }

  /**
   * A progressive reload, committed: follows its sweep to the end with a
   * progress line. A failed migration rolled the whole update back: the
   * module's own changes are undone too and the failure is reported.
   */
  async #finishSweep(record: ModuleRecord, applied: Applied, outcome: Outcome): Promise<Outcome> {
    const { result, population } = applied;
    const rel = this.reporter.rel(record.file);
    try {
      const summary = await followSweep(result!, population, rel, this.progressive.output);
      this.#applyContext.tracking.refresh();
      this.reporter.print(sweepLine(rel, result!.pauseMs, summary, applied.countMs ?? 0));
      return { ...outcome, instancesMigrated: summary.migrated };
    } catch (error) {
      this.#applyContext.tracking.refresh();
      const last = this.#last;
      if (last !== undefined && last.result === result) {
        last.undoLocal();
        record.js = last.previousJs;
        record.reloads--;
        this.#last = undefined;
        this.#updates--;
      }
      return this.#failed(record, error);
    }
  }

  /**
   * Only the migrations module changed. When the last update of this module
   * warned and is still undoable, undo it so that it is applied again with
   * the new migrations (nothing is lost); returns whether it did.
   */
  #undoForMigrations(record: ModuleRecord, migrations: MigrationsState | undefined): boolean {
    const last = this.#last;
    const rel = this.reporter.rel(record.file);
    const undoable =
      last?.record === record &&
      last.warned &&
      last.result?.state() === "committed" &&
      this.namespace.version === last.result.toVersion;
    if (!undoable) {
      const after = this.#overtaken.get(record);
      const why = after
        ? `, but the last update of ${rel} can no longer be undone to apply it again (only the latest update can be, and ${after} was updated after it)`
        : "";
      if (migrations) {
        this.reporter.note(
          record.file,
          `${this.reporter.rel(migrations.file)} saved${why}; it applies to the next update of ${rel}`,
        );
      }
      return false;
    }
    const writes = last.added.length > 0 ? readWritesSince(this.namespace, last.added) : undefined;
    try {
      last.result!.rollback();
    } catch (error) {
      this.reporter.note(
        record.file,
        `the last update could not be undone (${errorText(error)}); the migrations apply to the next update of ${rel}`,
      );
      this.#last = undefined;
      return false;
    }
    last.undoLocal();
    this.#applyContext.tracking.refresh();
    record.js = last.previousJs;
    this.#last = undefined;
    if (writes && writes.size > 0) this.#writesSince = { record, writes };
    this.reporter.print(
      `${rel}: ${this.reporter.rel(migrations?.file ?? "migrations")} changed: undid the last update of ${rel} to apply it again with it`,
    );
    return true;
  }

  /** Committed (or nothing to migrate): the rest cannot fail part-way. */
  #commit(
    record: ModuleRecord,
    js: string,
    migrations: MigrationsState | undefined,
    prepared: PreparedReload,
    applied: Applied,
  ): Outcome {
    const { result } = applied;
    const moveBack = movesOf(this.graph).settle();
    const warnings = reloadWarnings(prepared, result);
    const functions = functionAssigner(record, prepared);
    const functionNames = functions.names;
    for (const apply of prepared.unmanagedPatches) warnings.push(apply());
    const extrasAdded = recordScope(record, prepared);
    functions.set(prepared.functions);
    this.graph.propagate(record, [...functionNames, ...extrasAdded]);
    const previousJs = record.js;
    record.js = js;
    record.migrations = migrations;
    record.reloads++;
    const fixed = record.failing !== undefined;
    record.failing = undefined;
    this.#overtaken.delete(record);
    if (this.#last?.warned && this.#last.record !== record) {
      this.#overtaken.set(this.#last.record, this.reporter.rel(record.file));
    }
    if (result) {
      const previous = this.#last?.result;
      if (previous?.state() === "committed") previous.makePermanent();
    }
    this.#last = {
      record,
      result,
      previousJs,
      warned: warnings.length > 0 && !movesClasses(prepared.summaries),
      added:
        warnings.length > 0 && result?.policy === "eager"
          ? captureAdded(this.namespace, addedFields(record, prepared))
          : [],
      undoLocal: () => {
        moveBack();
        functions.set(functions.previous);
        this.graph.propagate(record, functionNames);
        for (const name of extrasAdded) record.extras.delete(name);
        for (const key of prepared.used) record.used.delete(key);
      },
    };
    this.#updates++;
    const instancesMigrated = result?.instancesMigrated ?? 0;
    const pauseMs = result?.pauseMs ?? 0;
    this.reporter.updated({
      file: record.file,
      summaries: prepared.summaries,
      functions: functionNames,
      unmanaged: prepared.unmanaged,
      committed: result !== undefined,
      instancesMigrated,
      pauseMs,
      ...(result?.policy === "progressive" ? { progressive: applied.population } : {}),
      fixed,
      back: js === previousJs,
      declared: declaredNames(prepared, extrasAdded),
      warnings,
      notes: [...prepared.notes, ...(applied.notes ?? [])],
    });
    return {
      outcome: "updated",
      classes: prepared.summaries,
      functions: functionNames,
      instancesMigrated,
      pauseMs,
      warnings,
    };
  }

  #failed(record: ModuleRecord, error: unknown, step?: "compile" | "prepare"): Outcome {
    const rel = this.reporter.rel(record.file);
    if (this.restart && refusesLiveChange(error)) {
      const restarted = this.#gate!.request(record.file, `${rel}: ${errorText(error)}`);
      return { ...UNCHANGED, outcome: restarted ? "restart" : "unchanged", error };
    }
    record.failing = errorText(error);
    const migrationsFile = record.migrations?.file ?? migrationsFileOf(record.file);
    const advice = refusalAdvice(this.graph, (f) => this.reporter.rel(f), record, error);
    this.reporter.failed(record.file, migrationsFile, error, advice);
    if (step !== undefined && stopsStart(error, step)) {
      const where = this.reporter.where(record.file, migrationsFile, error);
      this.#gate?.block(record.file, `${where}: ${errorText(error)}`);
    }
    return { ...UNCHANGED, outcome: "failed", error };
  }
}
