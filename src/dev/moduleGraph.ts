/**
 * The program's modules as the dev runtime knows them: one record per loaded
 * file (the accessors of its scope, the names it binds, the class handles its
 * bindings hold, what later versions added), the managed classes of each, and
 * the links that later edits created between modules (a new `import` of a
 * name another module defines), along which changed values are propagated.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Constructor } from "../mop/createClass.js";
import type { Namespace } from "../namespace/namespace.js";
import { contentHash, unmanagedReason } from "./common.js";
import type { SourceType } from "./conventions.js";
import type { DevMigrations } from "./migrations.js";
import { errorText } from "./reporter.js";
import { type ScopeAccess, withFastBindings } from "./scopeAccess.js";
import { type CodeOrigin, evaluateInScope } from "./scopeEvaluate.js";

export interface MigrationsState {
  readonly file: string;
  readonly hash: string;
  readonly value: DevMigrations;
}

export interface ImportLink {
  readonly file: string;
  readonly name: string;
}

export interface ModuleRecord {
  readonly url: string;
  readonly file: string;
  /** Accessors of the module bindings later code may use, handed over by the module. */
  readonly access: ScopeAccess;
  /** Evaluates an expression as if written in the module (through `access`, see ./scopeEvaluate.ts). */
  readonly evaluate: (code: string, origin?: CodeOrigin) => unknown;
  /** How the module's JavaScript parses: an ES module, or a CommonJS script. */
  readonly sourceType: SourceType;
  /** Names bound in the module scope by the version that was loaded. */
  readonly bindings: ReadonlySet<string>;
  /** Names added by later versions (new imports and declarations), with their values. */
  readonly extras: Map<string, unknown>;
  /**
   * Top-level functions and variables a committed version removed, with
   * their last text: the binding lives on, so one declared again is compared
   * with it (./versionChanges.ts).
   */
  readonly removed: Map<string, string>;
  /** Managed classes by name: the handles the module bindings hold. */
  readonly classes: Map<string, Constructor>;
  /** Classes left unmanaged, with the reason. */
  readonly unmanaged: Map<string, string>;
  /** JavaScript of the running version ("" when unknown: every class counts as changed). */
  js: string;
  reloads: number;
  /** The last attempt failed; its error text (to say when it is fixed). */
  failing: string | undefined;
  migrations: MigrationsState | undefined;
  /** One-shot migrators already applied (`${className}:migrate:${hash of its source}`). */
  readonly used: Set<string>;
  /** Extras that are imports: where each came from (to follow later changes of that module). */
  readonly importedFrom: Map<string, ImportLink>;
  /** Assigns an extra in the scope of every reload's code (each has its own copy of the extras). */
  setExtra: ((name: string, value: unknown) => void) | undefined;
}

/** Classes expected in a module being loaded: the handle its binding of the class is to be. */
export interface Arrivals {
  arrive(record: ModuleRecord, name: string, cls: Function): Constructor | undefined;
}

/** What an instrumented module hands the runtime, and what it gets back. */
export interface ModuleHooks {
  manage(name: string, cls: Function): Function;
}

const STILL_RELOADED = "its methods are still reloaded, its fields are not";

const stripExtension = (file: string) => file.replace(/\.[^./\\]+$/, "");

export class ModuleGraph {
  readonly #modules = new Map<string, ModuleRecord>();
  /** Classes a reload expects in a module it loads (a class moved there, ./movedClasses.ts). */
  arrivals: Arrivals | undefined;

  constructor(
    readonly namespace: Namespace,
    /** Says why a class is left unmanaged (a warning line). */
    private readonly warn: (record: ModuleRecord, message: string) => void,
    /** Called with each class handle made (the runtime tracks its calls). */
    private readonly managed: (handle: Constructor) => void = () => {},
  ) {}

  /** Drops a module's record: its instance is never used again (a class move refused, ./movedClasses.ts). */
  forget(record: ModuleRecord): void {
    if (this.#modules.get(record.file) === record) this.#modules.delete(record.file);
  }

  /** Files of the modules registered so far, in load order. */
  get files(): string[] {
    return [...this.#modules.keys()];
  }

  get(file: string): ModuleRecord | undefined {
    return this.#modules.get(file);
  }

  has(file: string): boolean {
    return this.#modules.has(file);
  }

  /** Registers a module as it starts; `stale` is true when its file changed since it was loaded. */
  register(
    url: string,
    access: ScopeAccess,
    names: readonly string[],
    hash: string,
    js: string | undefined,
    sourceType: SourceType,
  ): { record: ModuleRecord; stale: boolean } {
    const file = fileURLToPath(url.split(/[?#]/)[0]!);
    let source = "";
    try {
      source = readFileSync(file, "utf8");
    } catch {
      // Unreadable now: the next change event reloads it.
    }
    const stale = contentHash(source) !== hash || js === undefined;
    const bindings = new Set(names);
    const fast = withFastBindings(access);
    const record: ModuleRecord = {
      url,
      file,
      access: fast,
      evaluate: (code, origin) => evaluateInScope(fast, bindings, sourceType, code, origin),
      sourceType,
      bindings,
      extras: new Map(),
      removed: new Map(),
      classes: new Map(),
      unmanaged: new Map(),
      js: stale ? "" : (js ?? ""),
      reloads: 0,
      failing: undefined,
      migrations: undefined,
      used: new Set(),
      importedFrom: new Map(),
      setExtra: undefined,
    };
    this.#modules.set(file, record);
    return { record, stale };
  }

  /** The class handle the module binding `name` holds (registering `cls` the first time). */
  manage(record: ModuleRecord, name: string, cls: Function): Function {
    const existing = record.classes.get(name);
    if (existing) return existing;
    const moved = this.arrivals?.arrive(record, name, cls);
    if (moved) return moved;
    if (this.namespace.has(name)) {
      const reason = `another module already defines a managed class named ${name} (rename one of them to have both managed)`;
      record.unmanaged.set(name, reason);
      this.warn(record, `class ${name} is not managed: ${reason}; ${STILL_RELOADED}`);
      return cls;
    }
    try {
      // The module's binding of the class is the handle from here on (instrument.ts).
      // Named after it: tsx names `export default class {}` "default" (esbuild's keepNames), no class name.
      const handle = this.namespace.registerClass(cls as Constructor, {
        constructedOnlyThroughHandle: true,
        name,
      });
      record.classes.set(name, handle);
      this.managed(handle);
      return handle;
    } catch (error) {
      const reason = unmanagedReason(errorText(error));
      record.unmanaged.set(name, reason);
      this.warn(record, `class ${name} is not managed (${reason}); ${STILL_RELOADED}`);
      return cls;
    }
  }

  /** The modules whose migrations module is `file`. */
  modulesOfMigrations(base: string): ModuleRecord[] {
    return [...this.#modules.values()].filter((r) => stripExtension(r.file) === base);
  }

  /** The program module a relative import of `record` names, once loaded (tsx style: `./x.js` may be `./x.ts`). */
  moduleOfSpecifier(record: ModuleRecord, specifier: string): ModuleRecord | undefined {
    if (!/^(\.|\/|file:)/.test(specifier)) return undefined;
    let file: string;
    try {
      file = fileURLToPath(new URL(specifier, record.url));
    } catch {
      return undefined;
    }
    const base = stripExtension(file);
    const candidates = [file, ...[".ts", ".tsx", ".mts", ".js", ".mjs"].map((e) => base + e)];
    for (const candidate of candidates) {
      const found = this.#modules.get(candidate);
      if (found) return found;
    }
    return undefined;
  }

  /** Other modules that imported (by a later edit) names this module just changed get the new values. */
  propagate(changed: ModuleRecord, names: readonly string[]): void {
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
}
