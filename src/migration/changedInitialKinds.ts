/**
 * Fields a new implementation keeps by name whose initial value is of
 * another kind (chess.js 1.4: `_positionCount = {}` became `new Map()`):
 * every object keeps its value of the old kind, which the new code then
 * uses as the new one (`this._positionCount.get` is not a function). Said,
 * unless the patch's migration code names the field (migratorWrites.ts).
 *
 * An initialiser that reads the module's scope (`this.stack = new
 * StackPool()`, a class of the release's own module) is no initial value
 * a migration can compute, so the build keeps the field without it; its
 * text still tells the kind, and is read from the class's source here:
 * @msgpack/msgpack 2.8 -> 3.1's Decoder#stack went from `[]` to a
 * StackPool with no word, and `decode()` threw `this.stack.reset is not a
 * function` on every Decoder alive.
 */
import type { ClassDefinition, FieldDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import { withoutScopeParameter } from "../mop/source/scopeParameter.js";
import type { BuildResult, ClassBuild } from "./build.js";
import { renamedAlike, resolved, sameHandle } from "./classCounterparts.js";
import { migratorCover, unlessMigratorSets } from "./migratorWrites.js";
import { type ScopeBindings, scopeBindings } from "./scopeBindings.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/** A class an initialiser constructs (`new Map()`, `new ns.Pool()`). */
const NEW = /^new\s+([A-Za-z_$][\w$.]*)/;

/** What an initialiser makes, read from its text; undefined where the text does not tell. */
function kindOf(initializer: string | undefined): string | undefined {
  const text = initializer === undefined ? undefined : withoutScopeParameter(initializer).trim();
  if (text === undefined || text === "") return undefined;
  if (text.startsWith("{")) return "a plain object";
  if (text.startsWith("[")) return "an array";
  const made = NEW.exec(text);
  if (made) return `a ${made[1]}`;
  if (/^["'`]/.test(text)) return "a string";
  if (/^-?(?:\d|\.\d)/.test(text)) return /n$/.test(text) ? "a bigint" : "a number";
  if (/^(?:true|false|!0|!1)$/.test(text)) return "a boolean";
  // null, undefined and anything computed: the program may fill it later with anything.
  return undefined;
}

/**
 * The initialisers of `fields`, those the definition leaves out (module-bound)
 * read from `cls`'s source where it declares the field.
 */
function initialisers(
  fields: readonly FieldDefinition[],
  cls: Function | undefined,
): Map<string, string | undefined> {
  const parsed = new Map(
    (readableClassSource(cls)?.fields ?? []).map((f) => [f.name, f.initializer] as const),
  );
  return new Map(fields.map((f) => [f.name, f.initializer ?? parsed.get(f.name)] as const));
}

/**
 * Whether two initialisers construct one class's objects: the same name as a
 * bundler renames it (marked 12's `new _TextRenderer()` for 4.3's `new
 * TextRenderer()`), or, by what the names mean in each release's scope, a
 * class this update replaces and its replacement (one handle's versions).
 */
function oneClass(
  was: string,
  now: string,
  scopes: Readonly<Record<"before" | "now", ScopeBindings>>,
): boolean {
  const [a, b] = [was, now].map((t) => NEW.exec(withoutScopeParameter(t).trim())?.[1]);
  if (a === undefined || b === undefined) return false;
  if (renamedAlike(a, b)) return true;
  return sameHandle(resolved(scopes.before, a), resolved(scopes.now, b));
}

export function changedInitialKinds(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined || cls.implementation === undefined || cls.implementationDerived) return [];
  const cover = migratorCover(className, build);
  const before = initialisers(old.fields, constructorOfDefinition(old));
  const after = initialisers(cls.definition.fields, cls.implementation);
  const running = constructorOfDefinition(old);
  const scopes = {
    before: scopeBindings(running === undefined ? [] : [running]),
    now: scopeBindings([cls.implementation]),
  };
  const warnings: UpdateWarning[] = [];
  for (const field of cls.definition.fields) {
    const from = cls.fieldOrigins.get(field.name) ?? field.name;
    const covered = cover(field.name);
    if (!before.has(from) || covered === "named") continue;
    const [wasText, isText] = [before.get(from), after.get(field.name)];
    const [was, now] = [kindOf(wasText), kindOf(isText)];
    if (was === undefined || now === undefined || was === now) continue;
    if (oneClass(wasText!, isText!, scopes)) continue;
    const kept = `every object kept its own value, ${was}, which the new code may use as ${now}`;
    warnings.push(
      warning(
        "MM_FIELD_KIND_CHANGED",
        className,
        field.name,
        `field \`${field.name}\` starts as ${now} in the new version (\`${withoutScopeParameter(isText!)}\`), as ${was} in the running one (\`${withoutScopeParameter(wasText!)}\`)`,
        covered === "unnamed"
          ? `${kept} — ${unlessMigratorSets(className, field.name)}`
          : `${kept} — give the patch a migrator that converts it (target.${field.name} = …)`,
      ),
    );
  }
  return warnings;
}
