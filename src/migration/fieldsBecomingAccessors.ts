/**
 * A field of the running release that the new release turns into an
 * accessor (three 0.160 → 0.170: RenderTarget's `texture` field became
 * `get texture() { return this.textures[0]; }` over a new `textures`
 * array). Nothing carries the objects' values there: the update committed
 * with a warning (MM_FIELDS_DROPPED), every render target lost its texture,
 * and the new release's own `clone()` threw (review advZ10). The new code
 * still reads and writes the name, so the value matters: refused, before
 * anything changes, unless a migrator of the class names the field (says
 * where it goes); one that names another field does not speak for it. An
 * accessor with no setter computes what the field held (`get length()`):
 * dropping that loses nothing.
 */
import { InvalidPatchError } from "../errors.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { type BuildResult, type ClassBuild, definitionChain, fromAnotherScope } from "./build.js";
import { patchWrites } from "./migratorWrites.js";
import { quoted } from "./warning.js";

export function refuseFieldsBecomingAccessors(
  name: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): void {
  if (old === undefined || fromAnotherScope(cls, old) === undefined) return;
  const patch = patchWrites(name, build);
  const kept = new Set([
    ...cls.definition.fields.map((f) => f.name),
    ...[...cls.fieldOrigins.values()].filter((o): o is string => o !== null),
  ]);
  const setters = new Set(
    definitionChain(name, build).flatMap((d) =>
      d.methods.flatMap((m) =>
        !m.static && m.kind === "set" && typeof m.key === "string" ? [m.key] : [],
      ),
    ),
  );
  // A migrator that names the field (reads `old.texture`) is taken to carry it.
  const became = old.fields
    .map((f) => f.name)
    .filter((f) => !kept.has(f) && setters.has(f) && !patch.mentions(f));
  if (became.length === 0) return;
  const many = became.length > 1;
  const them = many ? "them" : "it";
  const example = `\`.migrate("${name}", (old, target) => { … old.${became[0]} … })\``;
  throw new InvalidPatchError(
    `class ${name}'s new implementation turns field${many ? "s" : ""} ${quoted(became)} into accessor${many ? "s" : ""}: the objects alive now hold ${many ? "values" : "a value"} the new code reads through ${them}, and nothing carries ${them} to where the new version keeps ${them} (the accessor's body says where); ${
      patch.any
        ? `the migrator of ${name} does not name ${them}: unless it carries ${them} by other means, write ${them} there in it (${example})`
        : `give ${name} a migrator that writes ${them} there (${example})`
    }, or apply this release with a restart`,
    { className: name, fields: became },
  );
}
