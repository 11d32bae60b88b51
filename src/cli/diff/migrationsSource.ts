/**
 * The source text of a migrations module's migrators and validations, found
 * in its JavaScript (`export const migrate = { Account(old, a) { … } }`, or
 * `export default { migrate: { … } }`), so that a JavaScript patch module can
 * carry a copy of those written in TypeScript, which it cannot import.
 * Hints held elsewhere (a variable exported by name, a computed object) are
 * not found; the patch module then imports the migrations module instead.
 */
import type { Expression, ObjectExpression, Property, SpreadElement } from "acorn";
import { parseModule } from "../../dev/compile.js";

/** "migrate.Account" → `({ Account(old, a) { … } }).Account`: an expression of the function. */
export type HookSources = Readonly<Record<string, string>>;

const HOOKS = ["migrate", "validate"] as const;

function keyName(property: Property | SpreadElement): string | undefined {
  if (property.type !== "Property" || property.computed) return undefined;
  const { key } = property;
  if (key.type === "Identifier") return key.name;
  return key.type === "Literal" && typeof key.value === "string" ? key.value : undefined;
}

function objectOf(node: Expression | null | undefined): ObjectExpression | undefined {
  return node?.type === "ObjectExpression" ? node : undefined;
}

/** The `migrate` and `validate` objects of the module (named exports or the default export's). */
function hookObjects(js: string, file: string): Map<string, ObjectExpression> {
  const { program } = parseModule(js, file, "module");
  const found = new Map<string, ObjectExpression>();
  for (const statement of program.body) {
    if (
      statement.type === "ExportNamedDeclaration" &&
      statement.declaration?.type === "VariableDeclaration"
    ) {
      for (const d of statement.declaration.declarations) {
        const object = objectOf(d.init);
        if (
          d.id.type === "Identifier" &&
          object &&
          (HOOKS as readonly string[]).includes(d.id.name)
        ) {
          found.set(d.id.name, object);
        }
      }
    }
    if (statement.type === "ExportDefaultDeclaration") {
      const object = objectOf(statement.declaration as Expression);
      for (const property of object?.properties ?? []) {
        const name = keyName(property);
        const value =
          property.type === "Property" ? objectOf(property.value as Expression) : undefined;
        if (name && value && (HOOKS as readonly string[]).includes(name)) found.set(name, value);
      }
    }
  }
  return found;
}

/** Each migrator and validation written inline in the module, as an expression of its own text. */
export function hookSources(js: string, file: string): HookSources {
  const out: Record<string, string> = {};
  for (const [hook, object] of hookObjects(js, file)) {
    for (const property of object.properties) {
      const name = keyName(property);
      if (name === undefined || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
      out[`${hook}.${name}`] = `({ ${js.slice(property.start, property.end)} }).${name}`;
    }
  }
  return out;
}
