/**
 * The page's part of keeping a module's top-level code from running
 * again (review advY5 C1; the server's part is ./viteTopLevel.ts). Vite
 * evaluates each version of an edited module as a new module instance; its
 * top-level statements are guarded, and this decides, for a version
 * evaluated after another:
 * - a statement the running version has too (same text) does not run: its
 *   effects (the app mounted, listeners, timers, `customElements.define`)
 *   are there already, and the variables it declares take their running
 *   values, so the new classes and functions see the same objects;
 * - a new variable declaration runs, and so does a changed one whose
 *   initialiser can only make a value (a literal, an object of literals, a
 *   function): it takes the new value; so does an unchanged one made from
 *   one that runs again;
 * - any other new or changed statement would have to run again on top of
 *   what the running version did: the page reloads instead, as plain Vite
 *   does for a module that accepts no update, saying which line made it
 *   necessary (`metamorph dev` restarts the program for the same edits).
 */

/**
 * [hash of its text, "e" (effect) | "v" (declaration) | "i" (declaration of
 * inert values) | "f" (declaration of functions: made again by each version)
 * | "c" (a class held by a variable, `let X = class …`) | "d"
 * (a decorator call, `X = __decorate([…], X)`), line, the names it declares
 * (the class a decorator call decorates), the variables of other
 * declarations it uses].
 */
export type GuardedStatement = readonly [
  string,
  "e" | "v" | "i" | "f" | "c" | "d",
  number,
  (readonly string[])?,
  (readonly string[])?,
];

/** Whether a declaration declares a variable the running version has (it changed, rather than was added). */
function redeclares(statement: GuardedStatement, previous: TopLevelState | undefined): boolean {
  const running = new Set(previous?.statements.flatMap((s) => s[3] ?? []));
  return (statement[3] ?? []).some((name) => running.has(name));
}

/** What a module's evaluation left for the next version: its statements, and its variables' values. */
export interface TopLevelState {
  readonly statements: readonly GuardedStatement[];
  /** Reads each top-level variable's current value (set by the module's last line). */
  scope?: Record<string, () => unknown>;
  /** Values destructured by declarations with patterns, by statement hash and declarator. */
  readonly values: Map<string, unknown>;
  /** The hash of each static initialiser of its classes (`Class.field`), see `same`. */
  readonly statics: Map<string, string>;
}

export interface TopLevelPlan {
  /** Why the page must reload rather than run this version, if it must. */
  readonly reload: string | undefined;
  run(i: number): boolean;
  keep(i: number): boolean;
  kept(name: string): unknown;
  keptValue(i: number, j: number): unknown;
  value(i: number, j: number, v: unknown): unknown;
  /**
   * Whether the static initialiser `key` (`Class.field`) is the running
   * version's: then it does not run (its value is kept, and its side
   * effects — `static ticker = setInterval(…)` — happened already; review
   * advY5 H6).
   */
  same(key: string, hash: string): boolean;
  readonly state: TopLevelState;
}

/**
 * Declarations whose text did not change but that use a variable a changed
 * or new declaration makes again (`const BASE = "/v2"` edited, `export const
 * users = BASE + "/users"` not): they are made again too — kept, they held a
 * value made from the earlier one. Marks them in `unchanged`; returns each
 * one's index with the variable that made it necessary.
 */
function remade(
  statements: readonly GuardedStatement[],
  unchanged: boolean[],
): Map<number, string> {
  const fresh = new Set<string>();
  const made = new Map<number, string>();
  for (let grew = true; grew; ) {
    grew = false;
    statements.forEach(([, kind, , names = [], uses = []], i) => {
      if (kind !== "v" && kind !== "i" && kind !== "f") return;
      const cause = unchanged[i] ? uses.find((n) => fresh.has(n)) : undefined;
      if (cause !== undefined) {
        unchanged[i] = false;
        made.set(i, cause);
      }
      if (unchanged[i] || names.every((n) => fresh.has(n))) return;
      for (const n of names) fresh.add(n);
      grew = true;
    });
  }
  return made;
}

/** Why a changed statement reloads the page (`cause`: the changed variable it uses, when its own text did not change). */
function reloadReason(statement: GuardedStatement, cause: string | undefined): string {
  const [, kind, line, names = []] = statement;
  // Decorators run once, when their class is defined: the running class is decorated already.
  if (kind === "d") return `line ${line}: a decorator of class ${names[0]} changed or was added`;
  const what =
    kind === "e"
      ? "a top-level statement changed"
      : cause === undefined
        ? names[0] === "default"
          ? "the value of export default changed"
          : "the initialiser of a module-level variable changed"
        : `module-level ${names.join(", ")} is made from ${cause}, which changed`;
  return `line ${line}: ${what}, and running it again would repeat what the running version did`;
}

/** The plan of an evaluation of a module whose previous evaluation left `previous` (none on the first). */
export function planTopLevel(
  statements: readonly GuardedStatement[],
  previous: TopLevelState | undefined,
  /** The static initialisers of the version the page runs (an edit refused leaves them). */
  runningStatics: ReadonlyMap<string, string> | undefined,
): TopLevelPlan {
  const state: TopLevelState = { statements, values: new Map(), statics: new Map() };
  const running = new Map<string, number>();
  for (const [hash] of previous?.statements ?? []) running.set(hash, (running.get(hash) ?? 0) + 1);
  // An earlier evaluation that did not finish left no scope: this one runs as the first did.
  const again = previous?.scope !== undefined;
  const unchanged = statements.map(([hash]) => {
    const n = running.get(hash) ?? 0;
    if (n > 0) running.set(hash, n - 1);
    return again && n > 0;
  });
  const made = remade(statements, unchanged);
  const changed = statements.findIndex(
    ([, kind], i) =>
      again &&
      !unchanged[i] &&
      (kind === "e" || kind === "d" || (kind === "v" && redeclares(statements[i]!, previous))),
  );
  const reload = changed < 0 ? undefined : reloadReason(statements[changed]!, made.get(changed));
  const key = (i: number, j: number) => `${statements[i]![0]}:${j}`;
  return {
    reload,
    run: () => !again,
    // A function is made again even unchanged: kept, it read the running version's variables.
    keep: (i) => (unchanged[i] === true && statements[i]![1] !== "f") || reload !== undefined,
    kept: (name) => {
      const read = previous?.scope?.[name];
      return read ? read() : undefined;
    },
    keptValue: (i, j) => {
      const v = previous?.values.get(key(i, j));
      state.values.set(key(i, j), v);
      return v;
    },
    value: (i, j, v) => {
      state.values.set(key(i, j), v);
      return v;
    },
    same: (key, hash) => {
      state.statics.set(key, hash);
      return runningStatics?.get(key) === hash;
    },
    state,
  };
}
