/**
 * Warnings of a committed update: what it did that deserves a look although
 * nothing was refused. Today one kind: a class whose instances migrated has
 * state its source does not reveal (see `ClassDefinition.unsupported`); the
 * migration carried any such state over unchanged, but no migrator,
 * initialiser or rename could address it by name.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { Built } from "./phases/build.js";
import type { Detected } from "./phases/detect.js";

export interface UpdateWarning {
  /**
   * Stable code. `MM_UNSEEN_STATE`: the source of a migrating class has state
   * the source reader could not learn (a field assigned only conditionally,
   * in a loop or by another method, a computed key, ...).
   */
  readonly code: "MM_UNSEEN_STATE";
  readonly className: string;
  /** The field the note names, when it names one. */
  readonly field?: string;
  /** The reader's note, as in `ClassDefinition.unsupported`. */
  readonly note: string;
  readonly message: string;
}

/** Notes about fields start "field `name`" or "static field `name`" (src/mop/source/bodyFields.ts). */
const FIELD_NOTE = /^field `([^`]+)`/;

function notesOf(definition: ClassDefinition | undefined): readonly string[] {
  return definition?.unsupported ?? [];
}

/** The warnings of an update, one per note of each migrating class (old and new version). */
export function updateWarnings(
  { build, oldDefs }: Built,
  { migrating }: Detected,
): UpdateWarning[] {
  const warnings: UpdateWarning[] = [];
  for (const className of migrating) {
    const cls = build.classes.get(className)!;
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const notes = new Set([...notesOf(old), ...notesOf(cls.definition)]);
    for (const note of notes) {
      const field = FIELD_NOTE.exec(note)?.[1];
      warnings.push({
        code: "MM_UNSEEN_STATE",
        className,
        ...(field === undefined ? {} : { field }),
        note,
        message: `class ${className}: ${note}; instances that have such state keep it unchanged (carried over, never deleted), but this update could not address it by name`,
      });
    }
  }
  return warnings;
}
