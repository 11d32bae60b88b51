/**
 * `metamorph diff <old-source-dir> <new-source-dir> -o <patch-module>`:
 * derives the patch from one release to the next the way `metamorph dev`
 * derives a reload (../diff/derive.ts) and writes it as a patch module
 * (../diff/render.ts) for a person to review before `metamorph pack`.
 */
import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { SourceProblem } from "../../dev/compile.js";
import { type ClassChange, derivePatch, type PatchDerivation } from "../diff/derive.js";
import { renderPatchModule } from "../diff/render.js";
import { DiffSourceError, readMigrationsModules, readModules } from "../diff/sources.js";
import { CommandUsageError, EXIT_OK, runCommand } from "./command.js";
import { jsonLine } from "./jsonOutput.js";

export const DIFF_USAGE = `usage: metamorph diff <old-source-dir> <new-source-dir> -o <patch-module> [options]

Derives the patch from the release in <old-source-dir> to the one in
<new-source-dir>, as metamorph dev derives a reload: a new implementation
for each changed class (the classes metamorph run manages: top-level class
declarations), superclass changes, classes renamed (recognised, or named by
classRenames) and classes added that a running class now extends, rename
hints, migrators, resets and validations from the *.migrations.ts module
next to a source file, and the new source of each changed top-level
function (replaced in the same update, in its module named relative to the
release directory: run the service with metamorph run --root at the same
place). Writes it as a patch module
(TypeScript for .ts/.mts, JavaScript for .js/.mjs) that says per class what
changed, with a TODO wherever a person must decide (a field removed with no
migrator, an ambiguous rename, code the bundle cannot reach). Review it,
then sign it with metamorph pack. Migrations modules of the new release are
imported.

options:
  -o, --out <file>      where to write the patch module (required)
  --name <name>         the patch's name (default: "<old dir> → <new dir>")
  --import <specifier>  where the module imports patch from (default: metamorph)
  --json                print what was written, or the error, as one JSON object
  -h, --help            show this help
`;

const SPEC = {
  name: "diff",
  usage: DIFF_USAGE,
  options: {
    out: { type: "string", short: "o" },
    name: { type: "string" },
    import: { type: "string" },
  },
  positionals: ["<old-source-dir>", "<new-source-dir>"],
  required: ["out"],
} as const;

const LANGUAGES = {
  ".ts": "typescript",
  ".mts": "typescript",
  ".js": "javascript",
  ".mjs": "javascript",
} as const;

function languageOf(out: string): "typescript" | "javascript" {
  const extension = /\.[^./\\]+$/.exec(out)?.[0] ?? "";
  const language = LANGUAGES[extension as keyof typeof LANGUAGES];
  if (!language) {
    throw new CommandUsageError(
      `option --out needs a .ts, .mts, .js or .mjs file (the patch module's language), got "${out}"`,
    );
  }
  return language;
}

function directory(path: string, which: string): string {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CommandUsageError(`${which} ${path} is not a directory`);
  }
  return dir;
}

const REASONS: Record<ClassChange["reason"], string> = {
  changed: "new implementation",
  subclass: "migrates with its superclass",
  renamed: "implementation unchanged",
  added: "new class, added",
};

/** One line per class: what the patch does to it. */
function classLine(c: ClassChange): string {
  const renamed = c.renamedFrom ? `renamed from ${c.renamedFrom.name}, ` : "";
  const by = c.added
    ? ` (${c.added.extendedBy.join(", ")} now extend${c.added.extendedBy.length === 1 ? "s" : ""} it)`
    : "";
  return `  ${c.name}: ${renamed}${REASONS[c.reason]}${by}`;
}

/** What the patch holds, in a few lines for the terminal. */
function summary(derivation: PatchDerivation, out: string, todos: number): string {
  const lines = [`wrote ${out}`];
  for (const c of derivation.classes) lines.push(classLine(c));
  for (const f of derivation.functions)
    lines.push(`  function ${f.name} (${f.file}): new source, replaced with the classes`);
  lines.push(
    todos === 0
      ? "  nothing to decide"
      : `  ${todos} TODO${todos === 1 ? "" : "s"} to decide before metamorph pack`,
  );
  return `${lines.join("\n")}\n`;
}

export function diff(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ values, positionals, json }) => {
    const language = languageOf(values.out!);
    const oldDir = directory(positionals[0]!, "<old-source-dir>");
    const newDir = directory(positionals[1]!, "<new-source-dir>");
    let derivation: PatchDerivation;
    try {
      const [old, next] = [await readModules(oldDir), await readModules(newDir)];
      const migrations = await readMigrationsModules(newDir, next);
      derivation = derivePatch({ old, new: next, migrations });
    } catch (error) {
      if (!(error instanceof SourceProblem)) throw error;
      throw new DiffSourceError(`${error.file}:${error.line}:${error.column}: ${error.message}`, {
        file: error.file,
        line: error.line,
      });
    }
    const outFile = resolve(values.out!);
    const text = renderPatchModule(derivation, {
      oldDir,
      newDir,
      date: new Date(),
      name: values.name ?? `${basename(oldDir)} → ${basename(newDir)}`,
      importFrom: values.import ?? "metamorph",
      outFile,
      language,
    });
    await writeFile(outFile, text);
    const todos = text.split("\n").filter((line) => line.startsWith("// TODO:")).length;
    if (json) {
      jsonLine({
        type: "result",
        ok: true,
        command: "diff",
        out: values.out,
        classes: derivation.classes.map((c) => ({
          name: c.name,
          reason: c.reason,
          ...(c.renamedFrom ? { renamedFrom: c.renamedFrom.name } : {}),
        })),
        functions: derivation.functions.map((f) => ({ name: f.name, file: f.file })),
        todos,
      });
      return EXIT_OK;
    }
    process.stdout.write(summary(derivation, values.out!, todos));
    return EXIT_OK;
  });
}
