/**
 * What the page says of a refusal, in the words of what a dev user does.
 * The engine's refusals speak of a patch (`give the patch a migrator for T
 * … or pass { sameScope: true }`), the planner's of restarting the program:
 * on the page, one writes a `migrate` entry in the module's migrations
 * module, or reloads the page.
 */

const MIGRATOR =
  /give the patch a migrator for (\w+) that sets it \(migrate\("\w+", \(old, target\) => \{ target\.([\w$]+) (\?\?=|=) … \}\)\)(?: and carries what they held instead)?, or pass \{ sameScope: true \} if the new class(?:es)? (?:was|were) evaluated in the running version's module scope/g;

/** `text` for the page; `path` is the edited module's (its migrations module is named after it). */
export function pageWording(text: string, path: string): string {
  const migrations = `${path
    .split("/")
    .pop()!
    .replace(/\.[^.]+$/, "")}.migrations.ts`;
  return text
    .replace(
      MIGRATOR,
      (_, cls: string, field: string) =>
        `give them one: write in ${migrations}: export const migrate = { ${cls}(old, obj) { obj.${field} = … } }, or reload the page`,
    )
    .replace(/\b([Rr])estart(?: the program)?\b/g, (_, r: string) =>
      r === "R" ? "Reload the page" : "reload the page",
    );
}
