/**
 * What changed between the running version of a module and the saved one,
 * compared as JavaScript: the classes and functions a reload evaluates
 * again, and what only a restart applies (module state that would have to be
 * rebuilt), with the note that says so.
 */
import { changedStatements } from "./changedStatements.js";
import type { TopLevel } from "./compile.js";
import {
  type DecoratorChange,
  decoratorChanges,
  type MemberDecoration,
  memberLabel,
} from "./memberDecorators.js";
import type { ModuleRecord } from "./moduleGraph.js";
import { type MoveCandidate, moveCandidates, removedClassLines } from "./moveCandidates.js";

export interface Changes {
  readonly classes: string[];
  readonly unmanaged: string[];
  readonly functions: string[];
  readonly notes: string[];
  /** Changes only a restart applies (module state that would have to be rebuilt). */
  readonly restartReasons: string[];
  /** Functions and variables this version removes, with their text (ModuleRecord.removed). */
  readonly removed: Map<string, string>;
  /** Those it declares again. */
  readonly restored: string[];
  /** Classes whose method decorators changed, with the methods (`log()`): updated even with the same body. */
  readonly decorators: Map<string, string[]>;
  /** Classes gone from the source that it now imports: moved if that module declares them (./moveCandidates.ts, ./movedClasses.ts). */
  readonly moves: MoveCandidate[];
}

/** The member decorator calls of the running and of the saved version (./memberDecorators.ts). */
export interface Decorations {
  readonly previous: readonly MemberDecoration[];
  readonly next: readonly MemberDecoration[];
}

export type Known = (name: string) => boolean;

/** What changed between the JavaScript of the running version and of the saved one. */
export function diffVersions(
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
  known: Known,
  decorations: Decorations = { previous: [], next: [] },
): Changes {
  const changes: Changes = {
    classes: [],
    unmanaged: [],
    functions: [],
    notes: [],
    restartReasons: [],
    removed: new Map(),
    restored: [],
    decorators: new Map(),
    moves: moveCandidates(record, previous, next),
  };
  for (const [name, cls] of next.classes) {
    const before = previous.classes.get(name);
    if (!known(name)) continue; // new: declared by the scope code
    if (record.classes.has(name)) {
      if (!before || before.text !== cls.text || record.js === "") changes.classes.push(name);
    } else if (record.bindings.has(name) && before && before.text !== cls.text) {
      changes.unmanaged.push(name);
    }
  }
  for (const name of previous.classes.keys()) {
    if (next.classes.has(name) || !record.classes.has(name)) continue;
    if (changes.moves.some((m) => m.name === name)) continue;
    const removed = removedClassLines(name);
    changes.notes.push(removed.note);
    changes.restartReasons.push(removed.reason);
  }
  noteDecoratorChanges(record, previous, next, decorations, changes);
  noteRemovals(record, previous, next, changes);
  // Functions added by an earlier save (extras) count too, and so does one
  // a save removed and this one declares again: its binding lived on.
  for (const [name, fn] of next.functions) {
    const before = previous.functions.get(name)?.text ?? record.removed.get(name);
    if (known(name) && before !== undefined && before !== fn.text) {
      changes.functions.push(name);
    }
  }
  for (const [name, variable] of next.variables) {
    const before = previous.variables.get(name)?.text ?? record.removed.get(name);
    if (variable.names.every(known) && before !== undefined && before !== variable.text) {
      if (classVariable(variable.text, changes, variable.line, next)) continue;
      changes.notes.push(
        `line ${variable.line}: module-level ${variable.kind} ${variable.names.join(", ")} keeps its running value (module state is kept); restart to re-run its initialiser`,
      );
      changes.restartReasons.push(
        `line ${variable.line}: the initialiser of module-level ${variable.names.join(", ")} changed`,
      );
    }
  }
  // The decorator calls of the module's classes are run again by the reload (./prepare.ts).
  const decorating = new Set(
    decorations.next.filter((d) => next.classes.has(d.className)).map((d) => d.text),
  );
  for (const other of changedStatements(previous, next, decorating)) {
    changes.notes.push(
      `line ${other.line}: changed top-level statement not re-run (module state is kept); restart to run it`,
    );
    changes.restartReasons.push(`line ${other.line}: a top-level statement changed`);
  }
  return changes;
}

/**
 * A class held by a module-level variable (`let Service = class Service {…}`,
 * which is also how TypeScript's experimentalDecorators compile a decorated
 * class): not managed, so its edit needs a restart. It was told as a
 * changed variable initialiser, and with --no-restart as "no class or
 * function changed" (review advY5 s11). Says so; false for other variables.
 */
function classVariable(text: string, changes: Changes, line: number, next: TopLevel): boolean {
  const name = /^(?:let|const|var)\s+([\w$]+)\s*=\s*(?:\(\s*)?class\b/.exec(text)?.[1];
  if (name === undefined) return false;
  const shown = standardDecorated(name, next);
  if (shown !== undefined) {
    changes.notes.push(
      `line ${line}: class ${shown} is compiled with its decorators into a class held by a module-level variable (\`${text.split(" ")[0]} ${name} = class …\`), which metamorph does not manage: its edit applies only by restarting`,
    );
    changes.restartReasons.push(
      `line ${line}: class ${shown} changed, and its decorators compile it into a module-level variable, which is not managed`,
    );
    return true;
  }
  changes.notes.push(
    `line ${line}: class ${name} is held by a module-level variable (\`${text.split(" ")[0]} ${name} = class …\`, as TypeScript's experimentalDecorators compile a decorated class), which metamorph does not manage: its edit applies only by restarting`,
  );
  changes.restartReasons.push(
    `line ${line}: class ${name} changed, and it is held by a module-level variable (a decorated class), which is not managed`,
  );
  return true;
}

/**
 * The class's own name when `name` is esbuild's for a class with decorated
 * members under the standard decorators (`const _Plain = class _Plain {…}`,
 * then `let Plain = _Plain`): the note named `_Plain` and blamed
 * experimentalDecorators, which were off (review advZ5 5).
 */
function standardDecorated(name: string, next: TopLevel): string | undefined {
  const alias = new RegExp(
    `^(?:let|const|var)\\s+([\\w$]+)\\s*=\\s*${name.replaceAll("$", "\\$")}\\s*;?$`,
  );
  for (const variable of next.variables.values()) {
    const shown = alias.exec(variable.text)?.[1];
    if (shown !== undefined) return shown;
  }
  return undefined;
}

/**
 * Classes of the module whose member decorator calls the save added,
 * changed or removed. A method's are applied again over the new version's
 * methods after the commit, like the unchanged ones, so the class is
 * updated even when its body is the same (its methods installed again
 * undecorated first). What a field's did at start-up (metadata,
 * registrations) can be neither undone nor redone exactly: a restart.
 */
function noteDecoratorChanges(
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
  decorations: Decorations,
  changes: Changes,
): void {
  for (const name of next.classes.keys()) {
    const managed = record.classes.has(name);
    // A new class: its calls run once, right after the reload declares it.
    if (!previous.classes.has(name) || !(managed || record.bindings.has(name))) continue;
    const changed = decoratorChanges(decorations.previous, decorations.next, name);
    for (const field of changed.filter((c) => c.kind === "field")) {
      changes.notes.push(
        `line ${field.line}: the decorators of field ${name}.${field.member} changed: what decorators of a field did at start-up (metadata, registrations) is neither undone nor run again (module state is kept); restart to apply them`,
      );
      changes.restartReasons.push(
        `line ${field.line}: the decorators of field ${name}.${field.member} changed`,
      );
    }
    const methods = changed.filter((c) => c.kind === "method");
    if (methods.length === 0) continue;
    const list = managed ? changes.classes : changes.unmanaged;
    if (!list.includes(name)) list.push(name);
    changes.decorators.set(name, methods.map(memberLabel));
    changes.notes.push(...methods.map((m) => appliedAgain(name, m)));
  }
}

function appliedAgain(className: string, change: DecoratorChange): string {
  return `line ${change.line}: the decorators of ${className}.${memberLabel(change)} changed: applied over its new version`;
}

/** The functions and variables `next` removes, and the removed ones it declares again. */
function noteRemovals(
  record: ModuleRecord,
  previous: TopLevel,
  next: TopLevel,
  changes: Changes,
): void {
  for (const declarations of [previous.functions, previous.variables] as const) {
    for (const [name, d] of declarations) {
      if (!next.bindings.has(name)) changes.removed.set(name, d.text);
    }
  }
  for (const name of record.removed.keys()) {
    if (next.functions.has(name) || next.variables.has(name)) changes.restored.push(name);
  }
}
