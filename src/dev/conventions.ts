/**
 * What the dev loader, the instrumented modules and the dev runtime agree
 * on, apart from the parser (./compile.ts) so that the runtime starts without
 * loading it.
 */

/** The global through which instrumented modules reach the dev runtime. */
export const DEV_GLOBAL = "metamorph.dev";

/** A compile or parse problem with its position in the source (1-based line and column). */
export class SourceProblem extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SourceProblem";
  }
}

/** How a module is evaluated: an ES module or a CommonJS script. */
export type SourceType = "module" | "script";
