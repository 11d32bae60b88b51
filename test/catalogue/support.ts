// The catalogue's harness: each case is a small value (a name, the set-up, the
// misuse, the expected outcome) and `catalogue(phase, cases)` turns a table of
// them into tests. A refusal is checked three ways: the error's class, its
// stable `code` (and validation rule), and that its message names what is at
// fault; then the deep snapshot taken before the misuse must equal the one
// taken after. An accepted input is checked by the case's own assertions.
// A case that fails today because of a known bug carries `known` (the issue-12
// item and what goes wrong) and runs as `test.fails`, never skipped.
import { afterAll, expect, test } from "vitest";
import { MetamorphError } from "../../src/index.js";
import { type DeepSnapshot, deepSnapshot, snapshotDifference, type World } from "./snapshot.js";

export type Phase =
  | "patch"
  | "json"
  | "definitions"
  | "migration"
  | "validation"
  | "commit"
  | "rollback"
  | "options"
  | "lifecycle"
  | "reflection"
  | "release"
  | "testing"
  | "dev";

// biome-ignore lint/suspicious/noExplicitAny: error classes take different constructor arguments
type ErrorClass = abstract new (...args: any[]) => Error;

export interface Refusal {
  readonly error: ErrorClass;
  /**
   * The stable code. Left out only by known cases whose fix has not chosen its
   * error yet: they then demand a MetamorphError of `error`'s class.
   */
  readonly code?: string;
  /** Keys `details` must carry (e.g. `pauseMs`). */
  readonly details?: readonly string[];
  /** For a ValidationError: a rule some failure of the report must carry. */
  readonly rule?: string;
  /** Words the message must contain: the class, field, object or option at fault. */
  readonly names: readonly string[];
}

export interface Case<W extends World = World> {
  readonly name: string;
  /** The issue-12 item this case reproduces, if any. */
  readonly item?: number;
  /** A known bug (named by its issue-12 item): the case runs as `test.fails` until the fix lands. */
  readonly known?: string;
  readonly setup: () => W;
  /** The misuse; may return a promise (awaited). */
  readonly act: (world: W) => unknown;
  /** Expected: a refusal with nothing changed… */
  readonly refuse?: Refusal;
  /** …or a rollback: `act` completes and the world is exactly as before (then `accept`, if given)… */
  readonly restores?: boolean;
  /** …or a correct result, checked here. */
  readonly accept?: (result: unknown, world: W) => void | Promise<void>;
  /** Extra checks after a refusal (e.g. on a second namespace the snapshot cannot see). */
  readonly after?: (world: W) => void | Promise<void>;
}

/** A case of any world type, for tables mixing worlds. */
// biome-ignore lint/suspicious/noExplicitAny: tables hold cases over different world shapes
export type AnyCase = Case<any>;

/** Builds a case keeping its world type (so tables can mix worlds). */
export function kase<W extends World>(c: Case<W>): AnyCase {
  return c;
}

/** The error thrown or rejected by `run`, or a marker when it completed. */
async function outcomeOf(run: () => unknown): Promise<{ error?: unknown; value?: unknown }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
}

export function expectRefusal(error: unknown, refusal: Refusal): void {
  if (error === undefined) {
    throw new Error(
      `expected a ${refusal.code ?? refusal.error.name} refusal, but it was accepted`,
    );
  }
  const e = error as Error & { code?: unknown; report?: { failures?: { rule: string }[] } };
  expect(e, `${e?.name}: ${e?.message}`).toBeInstanceOf(MetamorphError);
  expect(e, `${e?.name}: ${e?.message}`).toBeInstanceOf(refusal.error);
  if (refusal.code !== undefined) expect(e.code).toBe(refusal.code);
  for (const key of refusal.details ?? []) {
    expect(Object.keys((e as { details?: object }).details ?? {})).toContain(key);
  }
  if (refusal.rule !== undefined) {
    expect(e.report?.failures?.map((f) => f.rule)).toContain(refusal.rule);
  }
  for (const name of refusal.names) expect(e.message).toContain(name);
}

export interface Tally {
  refused: number;
  accepted: number;
  known: number;
}

export function tallyOf(cases: readonly AnyCase[]): Tally {
  const tally: Tally = { refused: 0, accepted: 0, known: 0 };
  for (const c of cases) {
    if (c.known !== undefined) tally.known++;
    else if (c.refuse !== undefined) tally.refused++;
    else tally.accepted++;
  }
  return tally;
}

/** Runs one case; exported so the harness's own test can show it catches a changed world. */
export async function runCase(c: AnyCase): Promise<void> {
  if ((c.refuse === undefined) === (c.accept === undefined && !c.restores)) {
    throw new Error(`case "${c.name}" must give exactly one of refuse and accept/restores`);
  }
  const world = c.setup();
  if (c.restores) {
    const before = deepSnapshot(world);
    const value = await c.act(world);
    const difference = snapshotDifference(before, deepSnapshot(world));
    expect(difference, "the world is not as it was").toBeUndefined();
    await c.accept?.(value, world);
    return;
  }
  if (c.refuse) {
    const before: DeepSnapshot = deepSnapshot(world);
    const { error } = await outcomeOf(() => c.act(world));
    expectRefusal(error, c.refuse);
    const after = deepSnapshot(world);
    const difference = snapshotDifference(before, after);
    expect(difference, "the refusal changed the world").toBeUndefined();
    await c.after?.(world);
    return;
  }
  const { error, value } = await outcomeOf(() => c.act(world));
  if (error !== undefined) throw error;
  await c.accept!(value, world);
}

/**
 * A failure as a plain Error: a migration error nested thousands deep (a lazy
 * migrator recursing) or holding a live object would otherwise be serialised
 * whole to the test runner, which overflows its stack.
 */
function flatten(error: unknown): never {
  const e = error as { name?: string; message?: string; stack?: string } | undefined;
  const flat = new Error(`${e?.name ?? "Error"}: ${String(e?.message ?? error).slice(0, 4000)}`);
  flat.stack = String(e?.stack ?? flat.stack).slice(0, 8000);
  throw flat;
}

/** Registers one test per case, and prints the table's counts at the end. */
export function catalogue(phase: Phase, cases: readonly AnyCase[]): void {
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`two catalogue cases are named "${c.name}"`);
    names.add(c.name);
    const label = [
      c.refuse
        ? `refuses ${c.refuse.code ?? c.refuse.error.name}`
        : c.restores
          ? "restores"
          : "accepts",
      c.item === undefined ? "" : `(issue 12 item ${c.item})`,
    ]
      .filter(Boolean)
      .join(" ");
    const title = `${phase}: ${c.name} — ${label}`;
    // CATALOGUE_SHOW_KNOWN=1 runs known cases as plain tests, to read why each fails today.
    const run = () => runCase(c).catch(flatten);
    if (c.known !== undefined && !process.env.CATALOGUE_SHOW_KNOWN)
      test.fails(`${title} [known: ${c.known}]`, run);
    else test(title, run);
  }
  afterAll(() => {
    const t = tallyOf(cases);
    console.log(
      `catalogue ${phase}: ${cases.length} cases — refused cleanly ${t.refused}, accepted correctly ${t.accepted}, known failing ${t.known}`,
    );
  });
}
