/**
 * The Vite plugin's rewrite of an app module (JavaScript, after Vite's own
 * transforms): each class binding becomes a class handle managed by the page
 * runtime (./client.ts), the module accepts its own hot updates when it
 * exports nothing but classes, and each class is handed over with its parsed
 * source — computed here, on the dev server, so that the page never loads a
 * parser. The map returned is relative to the input; Vite chains it with the
 * maps of the earlier transforms.
 */
import type { ParsedClass } from "../mop/source/parsedClass.js";
import { parseClassSource } from "../mop/source/parse.js";
import {
  type ParsedModule,
  parseModule,
  SourceProblem,
  type TopLevel,
  topLevel,
} from "./compile.js";
import { classEdits } from "./instrument.js";
import { applyEdits } from "./sourceMap.js";

export const CLIENT_ID = "virtual:metamorph/client";
const CLIENT = "__metamorph$client";
const MODULE = "__metamorph$module";
const MIGRATIONS = "__metamorph$migrations";

export interface ViteInstrumented {
  readonly code: string;
  readonly map: object;
  readonly classes: readonly string[];
  readonly selfAccepting: boolean;
}

/** Whether Vite can apply a new version of the module by itself: it exports only managed classes. */
function exportsOnlyClasses(parsed: ParsedModule, top: TopLevel): boolean {
  const isClass = (name: string) => top.classes.has(name);
  return parsed.program.body.every((statement) => {
    switch (statement.type) {
      case "ExportNamedDeclaration":
        if (statement.declaration) return statement.declaration.type === "ClassDeclaration";
        return (
          !statement.source &&
          statement.specifiers.every((s) => s.local.type === "Identifier" && isClass(s.local.name))
        );
      case "ExportDefaultDeclaration": {
        const d = statement.declaration;
        if (d.type === "ClassDeclaration") return d.id !== null && d.id !== undefined;
        return d.type === "Identifier" && isClass(d.name);
      }
      case "ExportAllDeclaration":
        return false;
      default:
        return true;
    }
  });
}

/** The parsed source of a class, as the page would read it from `Function.prototype.toString`. */
function classSourceOf(expression: string): ParsedClass | undefined {
  try {
    return parseClassSource(expression);
  } catch {
    return undefined; // the page reports the class as unmanaged
  }
}

/**
 * Rewrites a module for the page runtime, or returns undefined when it
 * declares no class to manage (or does not parse: Vite reports that itself).
 */
export function instrumentForVite(
  code: string,
  id: string,
  migrationsSpecifier: string | undefined,
): ViteInstrumented | undefined {
  let parsed: ParsedModule;
  try {
    parsed = parseModule(code, id);
  } catch (error) {
    if (error instanceof SourceProblem) return undefined;
    throw error;
  }
  const top = topLevel(parsed);
  if (top.classes.size === 0) return undefined;
  const edits = classEdits(top, (name, binding) => {
    const source = classSourceOf(top.classes.get(name)!.expression);
    return `${MODULE}.manage(${JSON.stringify(name)}, ${binding}, ${JSON.stringify(source ?? null)})`;
  });
  const selfAccepting = exportsOnlyClasses(parsed, top);
  const header =
    `import * as ${CLIENT} from ${JSON.stringify(CLIENT_ID)};` +
    (migrationsSpecifier
      ? `import * as ${MIGRATIONS} from ${JSON.stringify(migrationsSpecifier)};`
      : "") +
    `const ${MODULE} = ${CLIENT}.module(import.meta.url);\n`;
  const footer = `\n${MODULE}.commit(${migrationsSpecifier ? MIGRATIONS : "undefined"});${
    selfAccepting ? "\nif (import.meta.hot) import.meta.hot.accept();" : ""
  }\n`;
  const end = parsed.js.length;
  edits.push({ start: 0, end: 0, text: header }, { start: end, end, text: footer });
  const out = applyEdits(parsed.js, edits, parsed.tokens, parsed.origin);
  return { code: out.code, map: out.map, classes: [...top.classes.keys()], selfAccepting };
}
