/**
 * Writing a derived patch (./derive.ts) as a patch module a person reads,
 * edits and then signs with `metamorph pack`: a header naming the two
 * releases and the date, one section per class saying what changed and
 * giving its new implementation, one per changed top-level function (the
 * `functions` export), `TODO:` where a person must decide, what no bundle
 * carries, and the patch itself (`export default patch(…)…build()`, what
 * src/cli/commands/patchModule.ts loads). The implementations are the
 * releases' JavaScript in both languages; they differ in the helper's type
 * and in how a TypeScript migrations module's hooks are reached (a
 * TypeScript module imports them, a JavaScript one carries a copy).
 */
import { dirname, relative, sep } from "node:path";
import { classFacts } from "./classFacts.js";
import type { ClassChange, MigrationsModule, PatchDerivation } from "./derivation.js";
import type { FunctionChange } from "./functions.js";

export interface RenderOptions {
  /** The two release directories, as the header names them. */
  readonly oldDir: string;
  readonly newDir: string;
  readonly date: Date;
  /** The patch's name (in reports and in the bundle's manifest by default). */
  readonly name: string;
  /** Where the module imports `patch` from ("metamorph"). */
  readonly importFrom: string;
  /** The module's own path, absolute: imports of migrations modules are relative to it. */
  readonly outFile: string;
  readonly language: "typescript" | "javascript";
}

/**
 * Each implementation is passed through this identity so that it stays an
 * anonymous class expression: tsx (which compiles a TypeScript patch module
 * when it is packed) gives a class bound to a name a `static { __name(…) }`
 * block, which would not compile in the service.
 */
function helper(language: RenderOptions["language"]): string[] {
  return [
    "// Keeps each class anonymous, as the bundle carries it: tsx would give a class bound to a",
    "// name a naming helper that the service does not have.",
    language === "typescript"
      ? "const implementation = <C extends Function>(cls: C): C => cls;"
      : "const implementation = (cls) => cls;",
    "",
  ];
}

const RULE = `// ${"-".repeat(75)}`;
const WIDTH = 100;

/** `// text`, wrapped at WIDTH, continuation lines indented under the first word. */
function comment(text: string, indent = ""): string[] {
  const lines: string[] = [];
  let line = `// ${indent}`;
  const continuation = `// ${" ".repeat(indent.length + (text.startsWith("TODO:") ? 6 : 2))}`;
  // Any line break in quoted text would end the comment: the module would not parse.
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > WIDTH && line.trim() !== "//") {
      lines.push(line.trimEnd());
      line = continuation;
    }
    line += line.endsWith(" ") ? word : ` ${word}`;
  }
  lines.push(line.trimEnd());
  return lines;
}

const identifier = (text: string) => text.replace(/[^A-Za-z0-9_$]/g, "_").replace(/^(\d)/, "_$1");

type Hook = "migrate" | "validate";

/** The migrator and validation of its migrations module a class uses. */
const usedHooks = (c: ClassChange): Hook[] => [
  ...(c.migrator ? (["migrate"] as const) : []),
  ...(c.validation ? (["validate"] as const) : []),
];

/** A hook's JavaScript text, for a JavaScript module whose migrations module is TypeScript (it cannot import it). */
function copiedSource(c: ClassChange, hook: Hook, language: RenderOptions["language"]) {
  return language === "javascript" ? c.migrations?.sources?.[`${hook}.${c.name}`] : undefined;
}

/** The names the module binds: implementations, functions, imported migrations modules, copied hooks. */
interface Names {
  readonly classes: Map<ClassChange, string>;
  readonly functions: Map<FunctionChange, string>;
  readonly bindings: Map<MigrationsModule, string>;
  /** `${hook}.${class}` → [const name, source]. */
  readonly copies: Map<string, readonly [string, string]>;
}

function allocateNames(
  { classes, functions }: PatchDerivation,
  language: RenderOptions["language"],
): Names {
  const taken = new Set(["patch", "implementation", "functions"]);
  const unique = (stem: string) => {
    let name = identifier(stem);
    for (let i = 2; taken.has(name); i++) name = `${identifier(stem)}${i}`;
    taken.add(name);
    return name;
  };
  const names: Names = {
    classes: new Map(),
    functions: new Map(),
    bindings: new Map(),
    copies: new Map(),
  };
  for (const c of classes) names.classes.set(c, unique(c.name));
  for (const f of functions) names.functions.set(f, unique(`${f.name}Function`));
  for (const c of classes) {
    for (const hook of usedHooks(c)) {
      const source = copiedSource(c, hook, language);
      if (source !== undefined) {
        names.copies.set(`${hook}.${c.name}`, [unique(`${hook}${c.name}`), source]);
      } else if (c.migrations && !names.bindings.has(c.migrations)) {
        const base = c.migrations.file
          .split("/")
          .pop()!
          .replace(/\.migrations\.[^.]+$/, "");
        const camel = base.replace(/[-.](\w)/g, (_, l: string) => l.toUpperCase());
        names.bindings.set(c.migrations, unique(`${camel}Migrations`));
      }
    }
  }
  return names;
}

/**
 * Stand-ins for what the implementations extend that this module does not
 * define (the service's own classes, or imports): `class extends X` is
 * evaluated when this module loads, so X must exist here; what the service
 * resolves X to is its own matter (the class's TODO says).
 */
function standIns(classes: readonly ClassChange[], names: Names): string[] {
  const defined = new Set(
    classes.filter((c) => c.reason !== "renamed").map((c) => names.classes.get(c)!),
  );
  const out: string[] = [];
  for (const c of classes) {
    if (c.reason === "renamed") continue;
    const parent = c.definition.superclass;
    if (parent === null || !/^[A-Za-z_$][\w$]*$/.test(parent)) continue;
    if (defined.has(parent) || parent in globalThis || out.includes(parent)) continue;
    out.push(parent);
  }
  if (out.length === 0) return [];
  return [
    ...comment(
      `Stand-ins so that this module loads: the implementations below extend ${out.join(", ")}, which this module does not define. The service compiles them with its own classes of those names (a class it does not have is a TODO of the class that extends it).`,
    ),
    ...out.map((name) => `const ${name} = class {};`),
    "",
  ];
}

/** How the patch names one of a class's hooks: its copy, or the imported module's. */
function hookReference(c: ClassChange, hook: Hook, names: Names): string {
  const copy = names.copies.get(`${hook}.${c.name}`);
  if (copy) return copy[0];
  return `${names.bindings.get(c.migrations!)}.${hook}.${c.name}`;
}

function importPath(options: RenderOptions, migrations: MigrationsModule): string {
  const target = `${options.newDir}${sep}${migrations.file.split("/").join(sep)}`;
  const path = relative(dirname(options.outFile), target).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

function header(derivation: PatchDerivation, options: RenderOptions, todos: number): string[] {
  const { classes, functions, uncarried = [] } = derivation;
  const changed = classes.filter((c) => c.reason === "changed").map((c) => c.name);
  const subclasses = classes.filter((c) => c.reason === "subclass").map((c) => c.name);
  const renamed = classes.flatMap((c) =>
    c.renamedFrom ? [`${c.renamedFrom.name} → ${c.name}`] : [],
  );
  const added = classes.filter((c) => c.reason === "added").map((c) => c.name);
  const counts = [
    `${changed.length} class${changed.length === 1 ? "" : "es"} changed${changed.length ? ` (${changed.join(", ")})` : ""}`,
    ...(renamed.length
      ? [
          `${renamed.length} class${renamed.length === 1 ? "" : "es"} renamed (${renamed.join(", ")})`,
        ]
      : []),
    ...(added.length
      ? [`${added.length} class${added.length === 1 ? "" : "es"} added (${added.join(", ")})`]
      : []),
    ...(subclasses.length
      ? [`${subclasses.length} subclass(es) migrated with them (${subclasses.join(", ")})`]
      : []),
    `${functions.length} top-level function${functions.length === 1 ? "" : "s"} changed${functions.length ? ` (${functions.map((f) => f.name).join(", ")})` : ""}`,
    ...(uncarried.length
      ? [
          `${uncarried.length} class${uncarried.length === 1 ? "" : "es"} changed that no patch carries (${uncarried.map((c) => c.name).join(", ")}: see the TODOs)`,
        ]
      : []),
  ];
  return [
    "/**",
    " * A metamorph patch module derived by `metamorph diff`. Review and edit it, then sign it:",
    " *   metamorph pack <this file> --key <private key> --from <old release> --to <new release> -o <bundle>",
    " *",
    ` *   old release: ${options.oldDir}`,
    ` *   new release: ${options.newDir}`,
    ` *   derived:     ${options.date.toISOString()}`,
    " *",
    ` * ${counts.join("; ")}.`,
    todos === 0
      ? " * Nothing here needs a decision (no TODO)."
      : ` * ${todos === 1 ? "1 TODO: a person must decide it" : `${todos} TODOs: a person must decide each`} before packing (search for "TODO:").`,
    " *",
    " * Each class section gives the class's new implementation, read from the new release as",
    " * JavaScript. The service compiles a bundle's code with the globals and the classes it",
    " * manages only (by their running names: a renamed class is written by its old name): an",
    " * implementation does not see the other imports and declarations of the module it came",
    " * from. A top-level function does: the service compiles it in the scope of its own module.",
    " */",
  ];
}

function classSection(c: ClassChange, names: Names): string[] {
  const implementationName = names.classes.get(c)!;
  const facts = classFacts(c);
  const implementation =
    c.reason === "renamed"
      ? []
      : [`const ${implementationName} = implementation(${c.implementation});`, ""];
  return [
    RULE,
    `// ${c.name} — ${c.file}:${c.line}`,
    ...facts.flatMap((f) => comment(f, "  ")),
    ...c.todos.flatMap((t) => comment(`TODO: ${t}`)),
    "",
    ...implementation,
    ...usedHooks(c).flatMap((hook) => {
      const copy = names.copies.get(`${hook}.${c.name}`);
      if (!copy) return [];
      return [
        ...comment(
          `${hook}.${c.name}, copied from ${c.migrations!.file} as JavaScript (a JavaScript module cannot import TypeScript): edit it there too`,
        ),
        `const ${copy[0]} = ${copy[1]};`,
        "",
      ];
    }),
  ];
}

/**
 * The changed top-level functions: each as a `const` (its text as the new
 * release has it: re-indenting could change a template literal), then the
 * `functions` export, by module and name, that pack signs into the bundle.
 */
function functionsSection(derivation: PatchDerivation, names: Names): string[] {
  const { functions } = derivation;
  if (functions.length === 0) return [];
  const lines = [
    RULE,
    ...comment(
      "Top-level functions. Each replaces the function of that name in its module of the running service (the module named by its path relative to the service's root: metamorph run --root), in the same update as the classes: committed with them, put back by a rollback. The service compiles it in that module's scope, so it sees the module's imports and variables. Callers that captured the old function (a callback registered already) keep calling the old one.",
    ),
    "",
  ];
  for (const f of functions) {
    lines.push(`// ${f.name} — ${f.file}:${f.line}`);
    lines.push(...f.todos.flatMap((t) => comment(`TODO: ${t}`)));
    lines.push(`const ${names.functions.get(f)} = ${f.source};`, "");
  }
  const byModule = new Map<string, FunctionChange[]>();
  for (const f of functions) byModule.set(f.file, [...(byModule.get(f.file) ?? []), f]);
  lines.push("export const functions = {");
  for (const [file, list] of byModule) {
    const entries = list.map((f) => `${f.name}: ${names.functions.get(f)}`).join(", ");
    lines.push(`  ${JSON.stringify(file)}: { ${entries} },`);
  }
  lines.push("};", "");
  return lines;
}

function notesSection(derivation: PatchDerivation, options: RenderOptions, names: Names): string[] {
  const lines: string[] = [];
  const typescriptMigrations = [...names.bindings.keys()].some((m) => /\.[mc]?ts$/.test(m.file));
  if (options.language === "javascript" && typescriptMigrations) {
    lines.push(
      ...comment(
        "TODO: this JavaScript module imports TypeScript migrations modules, which metamorph pack loads only for a TypeScript patch module: derive it again with -o <file>.ts",
      ),
    );
  }
  for (const { todo } of derivation.uncarried ?? []) lines.push(...comment(`TODO: ${todo}`));
  for (const todo of derivation.todos ?? []) lines.push(...comment(`TODO: ${todo}`));
  for (const note of derivation.notes) lines.push(...comment(note, "  "));
  if (lines.length === 0) return [];
  return [RULE, "// Not in this patch (a restart applies these):", ...lines, ""];
}

/** The steps that make a class's new version, after the renames. */
function classSteps(c: ClassChange, names: Names): string[] {
  const steps: string[] = [];
  const cls = JSON.stringify(c.name);
  if (c.reason === "renamed") return steps;
  if (c.added) {
    steps.push(`  .addClass({ name: ${cls}, superclass: ${JSON.stringify(c.added.superclass)} })`);
  }
  if (c.superclass) steps.push(`  .changeSuperclass(${cls}, ${JSON.stringify(c.superclass[1])})`);
  const renames = Object.entries(c.renames).map(([to, from]) => `${to}: ${JSON.stringify(from)}`);
  const options = [
    ...(renames.length ? [`renames: { ${renames.join(", ")} }`] : []),
    // Statics with an unchanged initialiser keep the service's running value.
    ...(c.keepStatics.length ? [`keepStatics: ${JSON.stringify(c.keepStatics)}`] : []),
  ];
  steps.push(
    `  .replaceImplementation(${cls}, ${names.classes.get(c)}${options.length ? `, { ${options.join(", ")} }` : ""})`,
  );
  if (c.resets.length > 0) {
    const sets = c.resets
      .map(([field, init]) => `object[${JSON.stringify(field)}] = ${init};`)
      .join(" ");
    steps.push(`  .migrate(${cls}, (_old, object) => { ${sets} })`);
  }
  if (c.migrator) steps.push(`  .migrate(${cls}, ${hookReference(c, "migrate", names)})`);
  if (c.validation) {
    const label = JSON.stringify(`${c.migrations!.file}: validate.${c.name}`);
    steps.push(`  .validateInstances(${label}, ${cls}, ${hookReference(c, "validate", names)})`);
  }
  return steps;
}

/** Renames first: every later step names the classes as the new release does. */
function patchChain(derivation: PatchDerivation, names: Names, name: string): string[] {
  const renames = derivation.classes.flatMap((c) =>
    c.renamedFrom
      ? [`  .renameClass(${JSON.stringify(c.renamedFrom.name)}, ${JSON.stringify(c.name)})`]
      : [],
  );
  const steps = derivation.classes.flatMap((c) => classSteps(c, names));
  return [`export default patch(${JSON.stringify(name)})`, ...renames, ...steps, "  .build();", ""];
}

/** The patch module's text. */
export function renderPatchModule(derivation: PatchDerivation, options: RenderOptions): string {
  const names = allocateNames(derivation, options.language);
  const body = [
    ...derivation.classes.flatMap((c) => classSection(c, names)),
    ...functionsSection(derivation, names),
    ...notesSection(derivation, options, names),
    ...patchChain(derivation, names, options.name),
  ];
  const todos = body.filter((line) => line.startsWith("// TODO:")).length;
  const imports = [
    `import { patch } from ${JSON.stringify(options.importFrom)};`,
    ...[...names.bindings].map(([m, binding]) =>
      m.isDefault
        ? `import ${binding} from ${JSON.stringify(importPath(options, m))};`
        : `import * as ${binding} from ${JSON.stringify(importPath(options, m))};`,
    ),
    "",
    ...(derivation.classes.length > 0 ? helper(options.language) : []),
    ...standIns(derivation.classes, names),
  ];
  return [...header(derivation, options, todos), ...imports, ...body].join("\n");
}
