/**
 * Restarts that would kill a running program for one that cannot start:
 * while a loaded file is refused with an error a start runs into too (its
 * text does not compile, an import it adds does not load, it is empty),
 * a save of another file that needs a restart restarted anyway, and
 * the program died at start-up (`main.ts could not start: cart.ts:23:19:
 * …`) with all its state (review of `metamorph dev` sessions, M6). Such a
 * restart is postponed, said in one line, and done once every such file
 * loads again.
 */

/** Where a file stands: blocking a start, or needing a restart. */
export class RestartGate {
  /** Files a start would fail on, with what is wrong (`cart.ts:23:19: SyntaxError: …`). */
  readonly #blocking = new Map<string, string>();
  /** The latest restart asked for while blocked: by file, why. */
  #pending: { readonly file: string; readonly reason: string } | undefined;

  constructor(
    private readonly restart: (reason: string) => void,
    private readonly print: (line: string) => void,
    private readonly rel: (file: string) => string,
  ) {}

  /** A reload of `file` starts: what its last one said no longer holds. */
  begin(file: string): void {
    this.#blocking.delete(file);
    if (this.#pending?.file === file) this.#pending = undefined;
  }

  /** `file` is refused with an error a start would fail on too. */
  block(file: string, why: string): void {
    this.#blocking.set(file, why);
  }

  /** `file` needs a restart: done now, or once nothing blocks a start. Returns whether it restarted. */
  request(file: string, reason: string): boolean {
    const blockers = [...this.#blocking].filter(([blocker]) => blocker !== file);
    if (blockers.length === 0) {
      this.#pending = undefined;
      this.restart(reason);
      return true;
    }
    this.#pending = { file, reason };
    const names = blockers.map(([blocker]) => this.rel(blocker));
    const which = names.length === 1 ? `${names[0]} loads` : `${names.join(", ")} load`;
    const because = reason.startsWith(`${this.rel(file)}: `)
      ? reason.slice(this.rel(file).length + 2)
      : reason;
    this.print(
      `${this.rel(file)} needs a restart (${because}); waiting until ${which}, which a start would fail on: ${blockers[0]![1]}`,
    );
    return false;
  }

  /** A reload ended: the postponed restart, once nothing blocks it. */
  end(): void {
    const pending = this.#pending;
    if (pending === undefined || this.#blocking.size > 0) return;
    this.#pending = undefined;
    this.restart(pending.reason);
  }
}
