/**
 * The migrations module convention of `metamorph dev`: next to `counter.ts`,
 * an optional `counter.migrations.ts` (or `.js`, `.mts`, `.mjs`) says how to
 * read the ambiguous changes of the classes defined in `counter.ts`:
 *
 *     import type { DevMigrations } from "metamorph/dev";
 *     export default {
 *       // new field ← old field: the value of `count` moves to `total`
 *       renames: { Counter: { total: "count" } },
 *       // fields whose (changed) initialiser is re-run on existing objects
 *       reset: { Counter: ["step"] },
 *       // derive new state from the old (old: the object before, counter: after)
 *       migrate: { Counter(old, counter) { counter.total = Number(old.count) * 10; } },
 *       // invariants checked on every migrated object before the update commits
 *       validate: { Counter: (counter) => counter.total >= 0 || "total must not be negative" },
 *     } satisfies DevMigrations;
 *
 * Named exports `renames`, `reset`, `migrate`, `validate` work too.
 *
 * A rename hint is used only when it applies (the old field exists and the new
 * one is new), so hints may stay in the file. A `reset` field gets its new
 * initial value whenever its initialiser changes. A `migrate` function runs
 * once: on the first update of its class after it was written or changed.
 * `validate` applies to every update of the class.
 *
 * Saving the migrations module right after an update that printed a warning
 * (an ambiguous field change, a changed initialiser) undoes that update and
 * applies it again with the new migrations, as long as no other update came
 * in between; otherwise the migrations apply to the next update of the file.
 */
import type { OldView } from "../patch/operations.js";

export interface DevMigrations {
  readonly renames?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly reset?: Readonly<Record<string, readonly string[]>>;
  readonly migrate?: Readonly<
    Record<string, (old: OldView, object: Record<string, unknown>) => void>
  >;
  readonly validate?: Readonly<
    Record<string, (object: Readonly<Record<string, unknown>>) => boolean | string>
  >;
}

/** The source file a migrations module belongs to (without extension). */
export function sourceBaseOfMigrations(file: string): string | undefined {
  const match = /^(.*)\.migrations\.[^./\\]+$/.exec(file);
  return match?.[1];
}

export function isMigrationsFile(file: string): boolean {
  return sourceBaseOfMigrations(file) !== undefined;
}

/** Reads a migrations module namespace (default export or named exports). */
export function readMigrations(namespace: Record<string, unknown>): DevMigrations {
  const source =
    typeof namespace.default === "object" && namespace.default !== null
      ? (namespace.default as Record<string, unknown>)
      : namespace;
  const out: Record<string, unknown> = {};
  for (const key of ["renames", "reset", "migrate", "validate"]) {
    const value = source[key];
    if (value !== undefined) {
      if (typeof value !== "object" || value === null) {
        throw new TypeError(
          `the migrations module's "${key}" must be an object keyed by class name`,
        );
      }
      out[key] = value;
    }
  }
  return out as DevMigrations;
}
