/**
 * A class moved into a module of its own (review advZ26 M4): `class Item`
 * leaves cart.ts, which now imports it from a new item.ts. The save of
 * cart.ts read as a removed class (a restart, all state lost; with
 * --no-restart the live objects stayed on the old code for good). A class
 * the running version manages, gone from the saved one, whose name the
 * saved one imports (same name) from a relative module, is a candidate; it
 * has moved when importing that module — before anything of the save runs
 * — evaluates a class of that name there: that module's binding is made
 * the existing handle (its objects keep their identity and state, `new
 * Item()` from either module builds the one managed class), and the new
 * class is the handle's next implementation, applied with the rest of the
 * save. The name belongs to the new module once the update commits (its
 * later saves update the handle); a refused update forgets the new module,
 * whose next import loads it afresh, and waits for its next save. The Vite
 * plugin's counterpart is ./vitePageMoves.ts.
 */
import { readFileSync } from "node:fs";
import type { Constructor } from "../mop/createClass.js";
import type { ClassChangeSummary } from "./common.js";
import { giveInitialisersModuleScope } from "./initialiserScope.js";
import type { Arrivals, ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import { type MoveCandidate, removedClassLines } from "./moveCandidates.js";
import { fileOf, stripExtension } from "./changedImports.js";
import { importAfresh, importNew } from "./newImports.js";
import type { ClassUpdate } from "./plan.js";
import { waitFor } from "./waitingFor.js";

/** A class that arrived where it was expected, as the update that moves it. */
export interface Move {
  readonly name: string;
  readonly handle: Constructor;
  readonly implementation: Function;
  readonly from: ModuleRecord;
  readonly to: ModuleRecord;
}

interface Expected {
  readonly base: string;
  readonly handle: Constructor;
  arrived?: { readonly record: ModuleRecord; readonly cls: Function };
}

/** A move waiting for its update to commit, and how to forget it if it does not. */
interface Pending extends Move {
  readonly restoreScope: () => void;
  /** Makes the next import of the new module load it afresh (./newImports.ts). */
  readonly importAfresh: () => void;
}

/** The classes reloads expect to arrive in other modules, and the moves not committed yet. */
class ClassMoves implements Arrivals {
  readonly #expected = new Map<string, Expected>();
  #pending: Pending[] = [];

  constructor(private readonly graph: ModuleGraph) {}

  /**
   * The handle the class `name` that `record` (a module being loaded)
   * declares is to be bound to, when it is one a reload expects there.
   */
  arrive(record: ModuleRecord, name: string, cls: Function): Constructor | undefined {
    const expected = this.#expected.get(name);
    if (expected === undefined || expected.arrived || stripExtension(record.file) !== expected.base)
      return undefined;
    expected.arrived = { record, cls };
    return expected.handle;
  }

  /**
   * Imports each candidate's module, expecting its class there; returns the
   * moves, and the candidates that did not arrive (removed classes).
   */
  async resolve(
    record: ModuleRecord,
    candidates: readonly MoveCandidate[],
    load: (record: ModuleRecord, specifier: string) => Promise<unknown>,
    importAfresh: (record: ModuleRecord, specifier: string) => void,
  ): Promise<{ moves: Move[]; removed: MoveCandidate[] }> {
    const moves: Move[] = [];
    const removed: MoveCandidate[] = [];
    for (const c of candidates) {
      const base = fileOf(record, c.specifier);
      const handle = record.classes.get(c.name);
      if (base === undefined || handle === undefined) {
        removed.push(c);
        continue;
      }
      const expected: Expected = { base, handle };
      this.#expected.set(c.name, expected);
      try {
        await load(record, c.specifier);
      } finally {
        this.#expected.delete(c.name);
      }
      const arrived = expected.arrived;
      if (arrived === undefined) {
        removed.push(c);
        continue;
      }
      const move = {
        name: c.name,
        handle,
        implementation: arrived.cls,
        from: record,
        to: arrived.record,
      };
      this.#pending.push({
        ...move,
        restoreScope: this.#giveScope(handle, arrived.record),
        importAfresh: () => importAfresh(record, c.specifier),
      });
      moves.push(move);
    }
    return { moves, removed };
  }

  /** New fields of the moved class compute their initial values in its new module (./initialiserScope.ts). */
  #giveScope(handle: Constructor, to: ModuleRecord): () => void {
    const had = this.graph.namespace.scopes.has(handle);
    const previous = this.graph.namespace.scopes.get(handle);
    giveInitialisersModuleScope(this.graph.namespace, [handle], to.access, {});
    return () => {
      if (had) this.graph.namespace.scopes.set(handle, previous);
      else this.graph.namespace.scopes.delete(handle);
    };
  }

  /** The update committed: each moved name belongs to its new module. Returns what gives them back (the update undone). */
  settle(): () => void {
    const settled = this.#pending;
    this.#pending = [];
    for (const m of settled) {
      m.from.classes.delete(m.name);
      m.to.classes.set(m.name, m.handle);
    }
    return () => {
      for (const m of settled) {
        m.to.classes.delete(m.name);
        m.from.classes.set(m.name, m.handle);
      }
    };
  }

  /**
   * The update was refused (or not applied): the new modules are forgotten
   * (their bindings of the handles are never read: nothing else imported
   * them), loaded afresh by the next attempt, which their next save starts.
   */
  abandon(error?: unknown): void {
    for (const m of this.#pending) {
      m.restoreScope();
      this.graph.forget(m.to);
      m.importAfresh();
      if (error instanceof Error) waitFor(relocated(error, m), m.to.file);
    }
    this.#pending = [];
  }
}

/**
 * Whether a reload moved a class. Its update is not undone to apply a
 * migrations module saved after it (the reloader's undo): the save would
 * be applied again, and the moved class's module, loaded already, would
 * not bring the class again — the move would read as a removal.
 */
export function movesClasses(summaries: readonly ClassChangeSummary[]): boolean {
  return summaries.some((s) => s.moved !== undefined);
}

const movesByGraph = new WeakMap<ModuleGraph, ClassMoves>();

/** The moves of `graph`'s reloads (the graph asks them which classes to expect as modules load). */
export function movesOf(graph: ModuleGraph): ClassMoves {
  let moves = movesByGraph.get(graph);
  if (moves === undefined) {
    moves = new ClassMoves(graph);
    movesByGraph.set(graph, moves);
    graph.arrivals = moves;
  }
  return moves;
}

/** An error located at the moved class's old place (which no longer declares it) is at its new one. */
function relocated(error: Error, move: Move): Error {
  const { location, className } = error as { location?: { file: string }; className?: unknown };
  if (location?.file !== move.from.file || className !== move.name) return error;
  let line = 1;
  try {
    const text = readFileSync(move.to.file, "utf8");
    const at = new RegExp(`\\bclass\\s+${move.name.replaceAll("$", "\\$")}\\b`).exec(text);
    if (at) line = text.slice(0, at.index).split("\n").length;
  } catch {
    // Unreadable now: its first line.
  }
  return Object.assign(error, { location: { file: move.to.file, line } });
}

/**
 * Whether the import of `local` the saved version takes from `specifier`
 * is the class its binding holds already: a subclass's module following
 * its superclass to the module it moved to changes nothing.
 */
export function sameClassImport(
  record: ModuleRecord,
  target: ModuleRecord | undefined,
  local: string,
  imported: string,
): boolean {
  const handle = target?.classes.get(imported);
  if (handle === undefined) return false;
  try {
    return record.evaluate(local) === handle;
  } catch {
    return false;
  }
}

/**
 * The updates that move the candidates of `changes` that arrived where the
 * saved version imports them; the others were removed, and said so.
 */
export async function movedClassUpdates(
  graph: ModuleGraph,
  rel: (file: string) => string,
  record: ModuleRecord,
  changes: {
    readonly moves: readonly MoveCandidate[];
    readonly notes: string[];
    readonly restartReasons: string[];
  },
): Promise<ClassUpdate[]> {
  if (changes.moves.length === 0) return [];
  const { moves, removed } = await movesOf(graph).resolve(
    record,
    changes.moves,
    importNew,
    importAfresh,
  );
  for (const c of removed) {
    const lines = removedClassLines(c.name);
    changes.notes.push(lines.note);
    changes.restartReasons.push(lines.reason);
  }
  return moves.map((m) => ({
    name: m.name,
    handle: m.handle,
    implementation: m.implementation,
    moved: [rel(m.from.file), rel(m.to.file)] as const,
  }));
}
