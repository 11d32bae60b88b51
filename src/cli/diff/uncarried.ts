/**
 * Changed classes that no patch carries: those a release binds otherwise
 * than by a class declaration (./compiledClasses.ts: tsc's ES5 functions,
 * esbuild --keep-names's class expressions), which `metamorph run` does not
 * manage. Not seen, two such releases gave "0 classes changed … Nothing here
 * needs a decision", an empty patch that pack would sign; each is now a TODO.
 */
import type { CompiledClass } from "./compiledClasses.js";
import type { ReleaseInventory } from "./inventory.js";

export interface UncarriedClass {
  readonly name: string;
  readonly todo: string;
}

const RESTART =
  "metamorph run manages top-level class declarations only, so the running service does not manage it and this patch does not change it. Restart the service to apply it, or build the program so that its classes stay class declarations (tsc with --target ES2015 or later; esbuild without --keep-names or --minify)";

function form(cls: CompiledClass): string {
  return cls.form === "ES5 function"
    ? `an ES5 constructor function (\`${cls.kind} ${cls.binding} = (function () { … }())\`), whose fields cannot be read from a class body`
    : `a class expression (\`${cls.kind} ${cls.binding} = class …\`)`;
}

/**
 * Per module of both releases: each such class whose code changed, or
 * that was a class declaration before; and one of a name the running
 * release does not have while a class of its own is gone — a minifier
 * renames the classes it does not keep the names of, so it may be that one
 * changed.
 */
export function uncarriedClasses(old: ReleaseInventory, next: ReleaseInventory): UncarriedClass[] {
  const out: UncarriedClass[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    const gone = [...before.compiled.keys()].filter(
      (n) => !module.compiled.has(n) && !module.top.classes.has(n),
    );
    for (const [name, cls] of module.compiled) {
      const was = before.compiled.get(name);
      const at = `${file}:${cls.line}: class ${name}`;
      if (was !== undefined && was.text !== cls.text) {
        out.push({
          name,
          todo: `${at} changed, and this release compiles it to ${form(cls)}: ${RESTART}`,
        });
      } else if (was === undefined && before.top.classes.has(name)) {
        out.push({
          name,
          todo: `${at} was a class declaration and this release compiles it to ${form(cls)}: ${RESTART}`,
        });
      } else if (was === undefined && gone.length > 0) {
        out.push({
          name,
          todo: `${at}, compiled to ${form(cls)}, is new, or is ${gone.join(" or ")} of the running release renamed by a minifier: ${RESTART}`,
        });
      }
    }
  }
  return out;
}
