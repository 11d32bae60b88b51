/**
 * `metamorph/dev`: live development reloads.
 *
 * - `metamorph dev <entry>` (the command line) runs a program and updates its
 *   classes and functions in place when their files are saved;
 * - `metamorph/vite` does the same for a page in a Vite dev server;
 * - a `<module>.migrations.ts` next to a module resolves ambiguous changes
 *   (`DevMigrations`).
 */
export type { ClassChangeSummary } from "./common.js";
export type { DevMigrations } from "./migrations.js";
export type { DevRuntimeOptions, ReloadReport } from "./runtime.js";
export { DevRuntime } from "./runtime.js";
