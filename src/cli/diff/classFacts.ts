/**
 * What a class section of the patch module says about its class before any
 * TODO: what the class is to the patch (renamed, added, migrated with its
 * superclass) and what changed in it, one fact a line.
 */
import { describeClassChange } from "../../dev/common.js";
import type { ClassChange } from "./derivation.js";

/** `step = 5`, or `step` when its initial value is not known from the source. */
function withInitialiser(c: ClassChange, field: string): string {
  const init = c.definition.fields.find((f) => f.name === field)?.initializer;
  return init === undefined ? field : `${field} = ${init}`;
}

/** The first facts of a section: what the class is to the patch. */
function identity(c: ClassChange): string[] {
  const facts: string[] = [];
  if (c.renamedFrom) {
    const why = c.renamedFrom.hint
      ? `classRenames of ${c.renamedFrom.hint}`
      : "recognised: same module, superclass, methods and fields";
    facts.push(
      `renamed: ${c.renamedFrom.name} → ${c.name} (${why}); its objects keep their state. The implementations name it ${c.renamedFrom.name}, as the running service does until this patch renames it`,
    );
  }
  if (c.added) {
    facts.push(
      `new class, added by this patch before ${c.added.extendedBy.join(", ")}, which now extend${c.added.extendedBy.length === 1 ? "s" : ""} it`,
    );
  }
  if (c.reason === "renamed") facts.push("its implementation is unchanged");
  if (c.reason === "subclass") {
    facts.push(
      "unchanged; given its implementation again so that its instances migrate with the fields its superclass moved",
    );
  }
  return facts;
}

export function classFacts(c: ClassChange): string[] {
  const s = c.summary;
  const from = c.migrations ? ` (from ${c.migrations.file})` : "";
  const facts = identity(c);
  if (s.added.length)
    facts.push(`fields added: ${s.added.map((f) => withInitialiser(c, f)).join(", ")}`);
  if (s.removed.length) facts.push(`fields removed: ${s.removed.join(", ")}`);
  if (c.movedUp.length) {
    facts.push(
      `fields moved up: ${c.movedUp.join(", ")}, now inherited from ${c.definition.superclass}; every object keeps its value`,
    );
  }
  if (s.renamed.length)
    facts.push(`fields renamed: ${s.renamed.map(([a, b]) => `${a} → ${b}`).join(", ")}${from}`);
  if (s.initialisers.length) facts.push(`initialisers changed: ${s.initialisers.join(", ")}`);
  for (const [field] of c.resets)
    facts.push(`reset: ${field} gets its new initial value on every object${from}`);
  if (c.superclass)
    facts.push(`superclass: ${c.superclass[0] ?? "(none)"} → ${c.superclass[1] ?? "(none)"}`);
  if (s.methodsAdded.length) facts.push(`methods added: ${s.methodsAdded.join(", ")}`);
  if (s.methodsRemoved.length) facts.push(`methods removed: ${s.methodsRemoved.join(", ")}`);
  if (s.methodsChanged.length) facts.push(`methods changed: ${s.methodsChanged.join(", ")}`);
  if (c.migrator) facts.push(`migrator: migrate.${c.name}${from}`);
  if (c.validation) facts.push(`validation: validate.${c.name}${from}`);
  facts.push(...c.facts);
  if (facts.length === 0) facts.push(describeClassChange(s));
  return facts;
}
