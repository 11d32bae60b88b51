/**
 * The Node side of `metamorph dev`: the registry of the program's modules,
 * the class handles their bindings hold, and the reload of a module when its
 * file changes.
 *
 * A reload never creates a new module instance. The loader gave every module
 * an evaluator for code in its own scope (a direct `eval` inside the module);
 * the new versions of its classes and functions are compiled from the saved
 * file and evaluated through it, so they close over the same module-level
 * variables and imports as the old ones. The new classes become new
 * implementations of the existing class handles through one patch
 * (`replaceImplementation`, plus `changeSuperclass` when the `extends`
 * changed) applied by `updateSync`: every live instance is migrated, keeps
 * its identity, and the module bindings — which other modules import as live
 * bindings — keep pointing at the same handles. Changed function declarations
 * are assigned to their module bindings right after the commit. A failed
 * update changes nothing; the error is printed and the next save tries again.
 */
import { existsSync, type FSWatcher, readFileSync, watch } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MetamorphError, MigrationError } from "../errors.js";
import { ValidationError } from "../validation/report.js";
import type { UpdateResult } from "../migration/update.js";
import { updateSync } from "../migration/update.js";
import type { Constructor } from "../mop/createClass.js";
import { Namespace } from "../namespace/namespace.js";
import {
  CODE_PARAM,
  compileModule,
  contentHash,
  DEV_GLOBAL,
  parseSource,
  SourceProblem,
  syntaxProblem,
  type TopLevel,
  topLevel,
} from "./compile.js";
import {
  type DevMigrations,
  isMigrationsFile,
  readMigrations,
  sourceBaseOfMigrations,
} from "./migrations.js";
import {
  type DevPlan,
  PrivateMembersChange,
  planClassUpdates,
  UnmanagedSuperclassChange,
} from "./plan.js";
import {
  type ClassChangeSummary,
  describeClassChange,
  displayPath,
  errorText,
  locateInStack,
  PREFIX,
} from "./report.js";

const MIGRATIONS_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** The migrations module of a source file, if one exists next to it. */
export function migrationsFileOf(file: string): string | undefined {
  const base = file.replace(/\.[^./\\]+$/, "");
  for (const extension of MIGRATIONS_EXTENSIONS) {
    const candidate = `${base}.migrations${extension}`;
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface DevRuntimeOptions {
  /** Paths are printed relative to this directory. Default: the current directory. */
  readonly root?: string;
  /** Where lines go. Default: standard error. */
  readonly write?: (line: string) => void;
  /** Add the heap size (after a full collection, when `gc` is exposed) to every n-th update line (0: never). */
  readonly memory?: number;
  /** Wait this long after a change before reloading (editors write in bursts). Default 40 ms. */
  readonly debounceMs?: number;
  /** Watch the program's files (default true). */
  readonly watch?: boolean;
}

/** What an instrumented module hands the runtime, and what it gets back. */
export interface ModuleHooks {
  manage(name: string, cls: Function): Function;
}

interface MigrationsState {
  readonly file: string;
  readonly hash: string;
  readonly value: DevMigrations;
}

interface ModuleRecord {
  readonly url: string;
  readonly file: string;
  readonly evaluate: (code: string) => unknown;
  /** Names bound in the module scope by the version that was loaded. */
  readonly bindings: ReadonlySet<string>;
  /** Names added by later versions (new imports and declarations), with their values. */
  readonly extras: Map<string, unknown>;
  /** Managed classes by name: the handles the module bindings hold. */
  readonly classes: Map<string, Constructor>;
  /** Classes left unmanaged, with the reason. */
  readonly unmanaged: Map<string, string>;
  /** Source text of the running version. */
  source: string;
  reloads: number;
  /** The last attempt failed; its error text (to say when it is fixed). */
  failing: string | undefined;
  migrations: MigrationsState | undefined;
  /** One-shot migrators already applied (`${className}:migrate:${hash of its source}`). */
  readonly used: Set<string>;
  /** Extras that are imports: where each came from (to follow later changes of that module). */
  readonly importedFrom: Map<string, { readonly file: string; readonly name: string }>;
  /** Assigns an extra in the scope of the latest reloaded code. */
  setExtra: ((name: string, value: unknown) => void) | undefined;
}

export interface ReloadReport {
  readonly file: string;
  readonly outcome: "updated" | "unchanged" | "failed";
  readonly classes: readonly ClassChangeSummary[];
  readonly functions: readonly string[];
  readonly instancesMigrated: number;
  readonly pauseMs: number;
  readonly warnings: readonly string[];
  readonly error?: unknown;
}

interface PreparedReload {
  readonly record: ModuleRecord;
  readonly text: string;
  readonly builder: DevPlan["builder"];
  readonly summaries: ClassChangeSummary[];
  readonly functions: Record<string, unknown>;
  readonly assign: (functions: Record<string, unknown>) => void;
  readonly extras: Record<string, unknown>;
  readonly notes: string[];
  readonly warnings: string[];
  readonly used: string[];
  readonly hasClassChanges: boolean;
  readonly unmanagedPatches: (() => void)[];
  readonly importedFrom: ReadonlyMap<string, { readonly file: string; readonly name: string }>;
  readonly setExtra: (name: string, value: unknown) => void;
}

const EXTRAS = "__metamorph$extras";
const MANAGE = "__metamorph$manage";

/** The one runtime of this process (instrumented modules find it through a global). */
export class DevRuntime {
  readonly namespace = new Namespace("dev");
  readonly root: string;
  readonly #write: (line: string) => void;
  readonly #memory: number;
  readonly #debounceMs: number;
  readonly #watching: boolean;
  readonly #modules = new Map<string, ModuleRecord>();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #dirty = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #lastReload:
    | {
        readonly record: ModuleRecord;
        readonly result: UpdateResult | undefined;
        readonly previousSource: string;
        /** Whether it printed warnings (ambiguous changes a migrations module can resolve). */
        readonly warned: boolean;
        readonly undoLocal: () => void;
      }
    | undefined;
  #updates = 0;
  /** Called with every report (tests and tools). */
  onReport: ((report: ReloadReport) => void) | undefined;

  constructor(options: DevRuntimeOptions = {}) {
    this.root = options.root ?? process.cwd();
    this.#write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.#memory = options.memory ?? 0;
    this.#debounceMs = options.debounceMs ?? 40;
    this.#watching = options.watch ?? true;
  }

  /** Makes this runtime the one instrumented modules register with. */
  install(): this {
    const key = Symbol.for(DEV_GLOBAL);
    (globalThis as Record<symbol, unknown>)[key] = {
      module: (url: string, evaluate: (code: string) => unknown, names: string[], hash: string) =>
        this.registerModule(url, evaluate, names, hash),
    };
    return this;
  }

  /** Stops watching. */
  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Files of the modules registered so far, in load order. */
  get files(): string[] {
    return [...this.#modules.keys()];
  }

  /** Number of updates committed. */
  get updates(): number {
    return this.#updates;
  }

  #print(line: string): void {
    this.#write(`${PREFIX} ${line}`);
  }

  #rel(file: string): string {
    return displayPath(file, this.root);
  }

  registerModule(
    url: string,
    evaluate: (code: string) => unknown,
    names: readonly string[],
    hash: string,
  ): ModuleHooks {
    const file = fileURLToPath(url.split(/[?#]/)[0]!);
    let source = "";
    try {
      source = readFileSync(file, "utf8");
    } catch {
      // Unreadable now: the next change event reloads it.
    }
    const record: ModuleRecord = {
      url,
      file,
      evaluate,
      bindings: new Set(names),
      extras: new Map(),
      classes: new Map(),
      unmanaged: new Map(),
      source,
      reloads: 0,
      failing: undefined,
      migrations: undefined,
      used: new Set(),
      importedFrom: new Map(),
      setExtra: undefined,
    };
    this.#modules.set(file, record);
    this.#watchDirectory(dirname(file));
    if (contentHash(source) !== hash) {
      // Saved between the load and now: reload once the module has run.
      record.source = "";
      this.#markDirty(file);
    }
    return { manage: (name, cls) => this.#manage(record, name, cls) };
  }

  #manage(record: ModuleRecord, name: string, cls: Function): Function {
    const existing = record.classes.get(name);
    if (existing) return existing;
    if (this.namespace.has(name)) {
      const reason = `another module already defines a managed class named ${name}; rename one of them to have both reloaded`;
      record.unmanaged.set(name, reason);
      this.#print(`${this.#rel(record.file)}: warning: class ${name} is not managed: ${reason}`);
      return cls;
    }
    try {
      const handle = this.namespace.registerClass(cls as Constructor);
      record.classes.set(name, handle);
      return handle;
    } catch (error) {
      const reason = errorText(error);
      record.unmanaged.set(name, reason);
      this.#print(
        `${this.#rel(record.file)}: warning: class ${name} is not managed (${reason}); its methods are still reloaded, its fields are not`,
      );
      return cls;
    }
  }

  // -------------------------------------------------------------------------
  // Watching

  #watchDirectory(directory: string): void {
    if (!this.#watching || this.#watchers.has(directory)) return;
    try {
      const watcher = watch(directory, { persistent: false }, (_event, name) => {
        if (name) this.#changed(join(directory, name.toString()));
      });
      watcher.on("error", () => {});
      this.#watchers.set(directory, watcher);
    } catch {
      // A directory that cannot be watched: its files are not reloaded.
    }
  }

  #changed(file: string): void {
    if (this.#modules.has(file)) {
      this.#markDirty(file);
      return;
    }
    if (isMigrationsFile(file)) {
      const base = sourceBaseOfMigrations(file)!;
      for (const record of this.#modules.values()) {
        if (record.file.replace(/\.[^./\\]+$/, "") === base) {
          this.#markDirty(record.file);
        }
      }
    }
  }

  #markDirty(file: string): void {
    this.#dirty.add(file);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#debounceMs);
  }

  /** Reloads every changed file now (in load order); resolves when done. */
  flush(): Promise<void> {
    const run = async () => {
      const files = this.files.filter((f) => this.#dirty.has(f));
      this.#dirty.clear();
      for (const file of files) {
        await this.reload(file);
      }
    };
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  // -------------------------------------------------------------------------
  // Reloading one module

  /** Reloads one module from its file; never throws (failures are reported). */
  async reload(file: string): Promise<ReloadReport> {
    const record = this.#modules.get(file);
    const report = (r: Omit<ReloadReport, "file">): ReloadReport => {
      const full = { file, ...r };
      this.onReport?.(full);
      return full;
    };
    const empty = { classes: [], functions: [], instancesMigrated: 0, pauseMs: 0, warnings: [] };
    if (!record) return report({ outcome: "unchanged", ...empty });
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      return report({ outcome: "unchanged", ...empty, error });
    }
    const rel = this.#rel(file);
    let migrations: MigrationsState | undefined;
    try {
      migrations = await this.#loadMigrations(record);
    } catch (error) {
      return report(this.#failed(record, error));
    }
    const migrationsMoved = migrations?.hash !== record.migrations?.hash;
    if (text === record.source && record.failing === undefined) {
      if (!migrationsMoved) return report({ outcome: "unchanged", ...empty });
      record.migrations = migrations;
      const last = this.#lastReload;
      if (
        last?.record === record &&
        last.warned &&
        last.result?.state() === "committed" &&
        this.namespace.version === last.result.toVersion
      ) {
        // The last update of this module is still undoable: undo it and
        // apply it again with the new migrations (nothing is lost).
        try {
          last.result.rollback();
        } catch (error) {
          this.#print(
            `${rel}: note: the last update could not be undone (${errorText(error)}); the migrations apply to the next update of ${rel}`,
          );
          this.#lastReload = undefined;
          return report({ outcome: "unchanged", ...empty });
        }
        last.undoLocal();
        record.source = last.previousSource;
        this.#lastReload = undefined;
        this.#print(
          `${rel}: ${this.#rel(migrations?.file ?? "migrations")} changed: undid the last update of ${rel} to apply it again with it`,
        );
        return this.reload(file);
      }
      if (migrations) {
        this.#print(
          `${rel}: note: ${this.#rel(migrations.file)} saved; it applies to the next update of ${rel}`,
        );
      }
      return report({ outcome: "unchanged", ...empty });
    }
    let prepared: PreparedReload;
    try {
      prepared = await this.#prepare(record, text, migrations);
    } catch (error) {
      return report(this.#failed(record, error));
    }
    let result: UpdateResult | undefined;
    try {
      if (prepared.hasClassChanges) result = updateSync(this.namespace, prepared.builder.build());
    } catch (error) {
      return report(this.#failed(record, error));
    }
    // Committed (or nothing to migrate): the rest cannot fail part-way.
    const previousFunctions: Record<string, unknown> = {};
    for (const name of Object.keys(prepared.functions)) {
      previousFunctions[name] = record.evaluate(name);
    }
    prepared.assign(prepared.functions);
    for (const apply of prepared.unmanagedPatches) apply();
    const extrasAdded = Object.keys(prepared.extras).filter((n) => !record.extras.has(n));
    for (const [name, value] of Object.entries(prepared.extras)) record.extras.set(name, value);
    for (const key of prepared.used) record.used.add(key);
    for (const [local, from] of prepared.importedFrom) record.importedFrom.set(local, from);
    record.setExtra = prepared.setExtra;
    this.#propagate(record, [...Object.keys(prepared.functions), ...extrasAdded]);
    const previousSource = record.source;
    record.source = text;
    record.migrations = migrations;
    record.reloads++;
    const fixed = record.failing !== undefined;
    record.failing = undefined;
    if (result) {
      const previous = this.#lastReload?.result;
      if (previous?.state() === "committed") previous.makePermanent();
    }
    this.#lastReload = {
      record,
      result,
      previousSource,
      warned: prepared.warnings.length > 0,
      undoLocal: () => {
        prepared.assign(previousFunctions);
        this.#propagate(record, Object.keys(prepared.functions));
        for (const name of extrasAdded) record.extras.delete(name);
        for (const key of prepared.used) record.used.delete(key);
      },
    };
    this.#updates++;
    const migrated = result?.instancesMigrated ?? 0;
    const pause = result?.pauseMs ?? 0;
    const parts = [
      ...prepared.summaries.map(describeClassChange),
      ...Object.keys(prepared.functions).map((f) => `function ${f}`),
    ];
    let line =
      parts.length > 0 || result
        ? `${rel}: updated ${parts.join("; ")} | ${migrated} instance${migrated === 1 ? "" : "s"} migrated, pause ${pause.toFixed(2)} ms`
        : `${rel}: no class or function changed${fixed ? " (back to the running version)" : ""}`;
    if (this.#memory > 0 && this.#updates % this.#memory === 0) {
      line += ` | heap ${heapMegabytes().toFixed(1)} MB`;
    }
    if (fixed && (parts.length > 0 || result)) line += " | fixed";
    this.#print(line);
    for (const w of prepared.warnings) this.#print(`${rel}: warning: ${w}`);
    for (const n of prepared.notes) this.#print(`${rel}: note: ${n}`);
    return report({
      outcome: "updated",
      classes: prepared.summaries,
      functions: Object.keys(prepared.functions),
      instancesMigrated: migrated,
      pauseMs: pause,
      warnings: prepared.warnings,
    });
  }

  /** The program module a relative import of `record` names, once loaded (tsx style: `./x.js` may be `./x.ts`). */
  #moduleOfSpecifier(record: ModuleRecord, specifier: string): ModuleRecord | undefined {
    if (
      !specifier.startsWith(".") &&
      !specifier.startsWith("/") &&
      !specifier.startsWith("file:")
    ) {
      return undefined;
    }
    let file: string;
    try {
      file = fileURLToPath(new URL(specifier, record.url));
    } catch {
      return undefined;
    }
    const base = file.replace(/\.[^./\\]+$/, "");
    const candidates = [file, ...[".ts", ".tsx", ".mts", ".js", ".mjs"].map((e) => base + e)];
    for (const candidate of candidates) {
      const found = this.#modules.get(candidate);
      if (found) return found;
    }
    return undefined;
  }

  /** Other modules that imported (by a later edit) names this module just changed get the new values. */
  #propagate(changed: ModuleRecord, names: readonly string[]): void {
    if (names.length === 0) return;
    for (const record of this.#modules.values()) {
      if (record === changed) continue;
      for (const [local, from] of record.importedFrom) {
        if (from.file !== changed.file || !names.includes(from.name)) continue;
        const value = changed.extras.has(from.name)
          ? changed.extras.get(from.name)
          : changed.evaluate(from.name);
        record.extras.set(local, value);
        record.setExtra?.(local, value);
      }
    }
  }

  #failed(record: ModuleRecord, error: unknown): Omit<ReloadReport, "file"> {
    const where = this.#where(record, error);
    const text = errorText(error);
    record.failing = text;
    this.#print(`${where}: error: ${text}`);
    this.#print(`${this.#rel(record.file)}: the running version is kept; save again to retry`);
    return {
      outcome: "failed",
      classes: [],
      functions: [],
      instancesMigrated: 0,
      pauseMs: 0,
      warnings: [],
      error,
    };
  }

  /** `file:line:column` for an error: the source, the migrations module, or the stack. */
  #where(record: ModuleRecord, error: unknown): string {
    if (error instanceof SourceProblem) {
      return `${this.#rel(error.file)}:${error.line}:${error.column}`;
    }
    const location = (error as { location?: { file: string; line: number; column?: number } })
      .location;
    if (location) {
      return `${this.#rel(location.file)}:${location.line}${location.column ? `:${location.column}` : ""}`;
    }
    const migrationsFile = record.migrations?.file ?? migrationsFileOf(record.file);
    if (migrationsFile && (error instanceof MigrationError || error instanceof ValidationError)) {
      const at = locateInStack(error, migrationsFile);
      if (at) return `${this.#rel(migrationsFile)}:${at.line}:${at.column}`;
      const line = lineOfWord(
        migrationsFile,
        error instanceof ValidationError ? "validate" : "migrate",
      );
      return `${this.#rel(migrationsFile)}${line ? `:${line}` : ""}`;
    }
    for (const file of [record.file, ...(migrationsFile ? [migrationsFile] : [])]) {
      const at = locateInStack(error, file);
      if (at) return `${this.#rel(file)}:${at.line}:${at.column}`;
    }
    const className = (error instanceof MetamorphError ? error.details.className : undefined) as
      | string
      | undefined;
    const line = className ? lineOfWord(record.file, `class ${className}`) : undefined;
    return `${this.#rel(record.file)}${line ? `:${line}` : ""}`;
  }

  async #loadMigrations(record: ModuleRecord): Promise<MigrationsState | undefined> {
    const file = migrationsFileOf(record.file);
    if (!file) return undefined;
    const text = readFileSync(file, "utf8");
    const hash = contentHash(text);
    if (record.migrations?.file === file && record.migrations.hash === hash)
      return record.migrations;
    const problem = syntaxProblem(parseSource(text, file));
    if (problem) throw problem;
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(`${pathToFileURL(file).href}?metamorph=${hash}`)) as Record<
        string,
        unknown
      >;
    } catch (error) {
      const at = locateInStack(error, file);
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
        location: { file, line: at?.line ?? 1, column: at?.column },
      });
    }
    let value: DevMigrations;
    try {
      value = readMigrations(namespace);
    } catch (error) {
      throw Object.assign(error as Error, { location: { file, line: 1 } });
    }
    return { file, hash, value };
  }

  async #prepare(
    record: ModuleRecord,
    text: string,
    migrations: MigrationsState | undefined,
  ): Promise<PreparedReload> {
    const sourceFile = parseSource(text, record.file);
    const problem = syntaxProblem(sourceFile);
    if (problem) throw problem;
    const next = topLevel(sourceFile);
    const previous = topLevel(parseSource(record.source, record.file));
    const js = compileModule(text, record.file);
    const jsFile = parseSource(js, record.file.replace(/\.[^./\\]+$/, ".js"));
    const jsTop = topLevel(jsFile);
    const notes: string[] = [];
    const warnings: string[] = [];
    const known = (name: string) => record.bindings.has(name) || record.extras.has(name);

    // New imports: resolved now, in the module's own context.
    const imported: Record<string, unknown> = {};
    const importedFrom = new Map<string, { file: string; name: string }>();
    for (const declaration of jsTop.imports) {
      const fresh = declaration.bindings.filter((b) => !known(b.local));
      if (fresh.length === 0) continue;
      const spec = JSON.stringify(declaration.specifier);
      const namespace = (await (record.evaluate(`import(${spec})`) as Promise<
        Record<string, unknown>
      >)) as Record<string, unknown>;
      const target = this.#moduleOfSpecifier(record, declaration.specifier);
      for (const b of fresh) {
        if (target && b.imported !== "*") {
          importedFrom.set(b.local, { file: target.file, name: b.imported });
        }
        if (b.imported === "*") imported[b.local] = namespace;
        else if (b.imported in namespace) imported[b.local] = namespace[b.imported];
        else if (target?.extras.has(b.imported)) imported[b.local] = target.extras.get(b.imported);
        else {
          throw Object.assign(
            new SyntaxError(`module ${declaration.specifier} has no export named ${b.imported}`),
            { location: { file: record.file, line: lineOfText(text, declaration.specifier) } },
          );
        }
      }
    }

    // What changed, decided on the source text; code taken from the compiled module.
    const changedClasses: string[] = [];
    const unmanagedChanged: string[] = [];
    for (const [name, cls] of next.classes) {
      const before = previous.classes.get(name);
      if (!known(name)) continue; // new: declared by the wrapper below
      if (record.classes.has(name)) {
        if (!before || before.text !== cls.text || record.source === "") changedClasses.push(name);
      } else if (record.bindings.has(name) && before && before.text !== cls.text) {
        unmanagedChanged.push(name);
      }
    }
    for (const name of previous.classes.keys()) {
      if (!next.classes.has(name) && record.classes.has(name)) {
        notes.push(
          `class ${name} was removed from the source; its live instances keep the last version (restart to drop it)`,
        );
      }
    }
    const changedFunctions: string[] = [];
    for (const [name, fn] of next.functions) {
      const before = previous.functions.get(name);
      if (record.bindings.has(name) && before && before.text !== fn.text)
        changedFunctions.push(name);
    }
    for (const [name, variable] of next.variables) {
      const before = previous.variables.get(name);
      if (variable.names.every(known) && before && before.text !== variable.text) {
        notes.push(
          `line ${variable.line}: module-level ${variable.kind} ${variable.names.join(", ")} keeps its running value (module state is kept); restart to re-run its initialiser`,
        );
      }
    }
    const previousOthers = new Set(previous.others.map((o) => o.text));
    for (const other of next.others) {
      if (!previousOthers.has(other.text) && !/^export\s*\{/.test(other.text)) {
        notes.push(
          `line ${other.line}: changed top-level statement not re-run (module state is kept); restart to run it`,
        );
      }
    }

    // The code evaluated in the module's scope.
    const extrasNames = [...record.extras.keys(), ...Object.keys(imported)];
    const declared: string[] = [];
    const chunks: string[] = [];
    for (const statement of jsTop.statements) {
      const fresh = statement.names.filter((n) => !known(n));
      if (statement.kind === "import" || statement.kind === "other" || fresh.length === 0) continue;
      if (fresh.length < statement.names.length) {
        warnings.push(
          `line ${statement.line}: ${statement.names.join(", ")} mixes new and existing names; the new ones are not defined until a restart`,
        );
        continue;
      }
      if (statement.kind === "class") {
        const name = statement.names[0]!;
        chunks.push(
          `let ${name} = ${statement.text};\n${name} = ${MANAGE}(${JSON.stringify(name)}, ${name});`,
        );
      } else {
        chunks.push(statement.text);
      }
      declared.push(...statement.names);
    }
    const classEntries = changedClasses.map((name) => {
      const c = jsTop.classes.get(name);
      if (!c) throw new SourceProblem(`class ${name} could not be compiled`, record.file, 1, 1);
      return `${JSON.stringify(name)}: ${c.expression}`;
    });
    const unmanagedEntries = unmanagedChanged.map(
      (name) => `${JSON.stringify(name)}: ${jsTop.classes.get(name)!.expression}`,
    );
    const functionEntries = changedFunctions.map(
      (name) => `${JSON.stringify(name)}: ${jsTop.functions.get(name)!.text}`,
    );
    const assignments = changedFunctions.map((name) => `${name} = f[${JSON.stringify(name)}];`);
    const unmanagedLive = unmanagedChanged.map((name) => `${JSON.stringify(name)}: ${name}`);
    const code = [
      `(function (${EXTRAS}, ${MANAGE}) {`,
      extrasNames.length > 0 ? `let { ${extrasNames.join(", ")} } = ${EXTRAS};` : "",
      ...chunks,
      "return {",
      `extras: { ${declared.join(", ")} },`,
      `classes: { ${classEntries.join(",\n")} },`,
      `unmanaged: { ${unmanagedEntries.join(",\n")} },`,
      `unmanagedLive: { ${unmanagedLive.join(", ")} },`,
      `functions: { ${functionEntries.join(",\n")} },`,
      `assign(f) { ${assignments.join(" ")} },`,
      `setExtra(n, v) { switch (n) { ${extrasNames.map((n) => `case ${JSON.stringify(n)}: ${n} = v; break;`).join(" ")} } },`,
      "};",
      "})",
      `//# sourceURL=${record.url.split(/[?#]/)[0]}?metamorph-reload=${record.reloads + 1}`,
    ].join("\n");
    const extrasValues = Object.fromEntries([
      ...record.extras,
      ...Object.entries(imported),
    ]) as Record<string, unknown>;
    const newClasses: string[] = [];
    /** New classes registered by an earlier attempt that failed: updated like changed ones. */
    const redeclared: { name: string; handle: Constructor; implementation: Function }[] = [];
    const manage = (name: string, cls: Function) => {
      const existing = record.classes.get(name);
      if (existing) {
        redeclared.push({ name, handle: existing, implementation: cls });
        return existing;
      }
      const handle = this.#manage(record, name, cls);
      if (handle !== cls) newClasses.push(name);
      return handle;
    };
    let evaluated: {
      extras: Record<string, unknown>;
      classes: Record<string, Constructor>;
      unmanaged: Record<string, Function>;
      unmanagedLive: Record<string, Function>;
      functions: Record<string, unknown>;
      assign: (f: Record<string, unknown>) => void;
      setExtra: (name: string, value: unknown) => void;
    };
    try {
      const wrapper = record.evaluate(code) as (
        extras: Record<string, unknown>,
        manage: (name: string, cls: Function) => Function,
      ) => typeof evaluated;
      evaluated = wrapper(extrasValues, manage);
    } catch (error) {
      const line = locateEvaluationLine(error, next, changedClasses, changedFunctions);
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
        location: { file: record.file, line: line ?? 1 },
      });
    }

    // The patch: new implementations, superclass changes, hints from the migrations module.
    let plan: DevPlan;
    try {
      plan = planClassUpdates(
        [
          ...changedClasses.map((name) => ({
            name,
            handle: record.classes.get(name)!,
            implementation: evaluated.classes[name]!,
          })),
          ...redeclared,
        ],
        {
          namespace: this.namespace,
          patchName: `${this.#rel(record.file)} #${record.reloads + 1}`,
          migrations: migrations?.value ?? {},
          migrationsFile: migrations
            ? this.#rel(migrations.file)
            : `${this.#rel(record.file).replace(/\.[^./\\]+$/, "")}.migrations.ts`,
          used: record.used,
          resetValues: (_className, fields) => {
            const compute = record.evaluate(
              `(function (${EXTRAS}) { ${extrasNames.length > 0 ? `let { ${extrasNames.join(", ")} } = ${EXTRAS};` : ""} return { ${fields
                .map((f) => `${JSON.stringify(f.name)}() { return (${f.initializer}); }`)
                .join(", ")} }; })`,
            ) as (extras: Record<string, unknown>) => Record<string, (this: object) => unknown>;
            return compute(extrasValues);
          },
        },
      );
    } catch (error) {
      if (error instanceof UnmanagedSuperclassChange || error instanceof PrivateMembersChange) {
        throw Object.assign(error, {
          location: { file: record.file, line: next.classes.get(error.className)?.line ?? 1 },
        });
      }
      throw error;
    }
    const { builder, summaries, used } = plan;
    warnings.push(...plan.warnings);
    for (const name of newClasses) {
      summaries.push({
        className: name,
        added: [],
        removed: [],
        renamed: [],
        initialisers: [],
        methodsAdded: [],
        methodsRemoved: [],
        methodsChanged: [],
        added_class: true,
      });
    }
    const unmanagedPatches = unmanagedChanged.map((name) => {
      const live = evaluated.unmanagedLive[name]!;
      const next = evaluated.unmanaged[name]!;
      warnings.push(
        `class ${name} is not managed (${record.unmanaged.get(name) ?? "not a class declaration"}): its methods were replaced, its fields and existing objects were not migrated`,
      );
      return () => transplantMethods(next, live);
    });
    return {
      record,
      text,
      builder,
      summaries,
      functions: evaluated.functions,
      assign: evaluated.assign,
      extras: evaluated.extras,
      notes,
      warnings,
      used,
      hasClassChanges: plan.changesClasses,
      unmanagedPatches,
      importedFrom,
      setExtra: evaluated.setExtra,
    };
  }
}

/** Replaces methods and accessors (instance and static) of an unmanaged class with those of its new version. */
function transplantMethods(from: Function, to: Function): void {
  const copy = (source: object, target: object, skip: ReadonlySet<PropertyKey>) => {
    for (const key of Reflect.ownKeys(source)) {
      if (skip.has(key)) continue;
      const d = Reflect.getOwnPropertyDescriptor(source, key)!;
      if ("value" in d && typeof d.value !== "function") continue;
      Object.defineProperty(target, key, d);
    }
  };
  copy(from.prototype as object, to.prototype as object, new Set(["constructor"]));
  copy(from, to, new Set(["length", "name", "prototype"]));
}

function lineOfText(text: string, needle: string): number {
  const index = text.indexOf(needle);
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}

function lineOfWord(file: string, word: string): number | undefined {
  try {
    const text = readFileSync(file, "utf8");
    const index = text.indexOf(word);
    return index < 0 ? undefined : text.slice(0, index).split("\n").length;
  } catch {
    return undefined;
  }
}

/** The source line of the class or function whose evaluation threw (best effort). */
function locateEvaluationLine(
  error: unknown,
  top: TopLevel,
  classes: readonly string[],
  functions: readonly string[],
): number | undefined {
  const message = error instanceof Error ? error.message : "";
  for (const name of [...classes, ...functions]) {
    const decl = top.classes.get(name) ?? top.functions.get(name);
    if (decl && message.includes(name)) return decl.line;
  }
  const first = classes[0] ?? functions[0];
  return first ? (top.classes.get(first) ?? top.functions.get(first))?.line : undefined;
}

function heapMegabytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

export { CODE_PARAM };
