/**
 * The public surface as text: for each entry point of package.json's
 * `exports`, every exported name with its kind and type, and the members of
 * exported classes and interfaces. The reports are committed under api/; a
 * change to the surface is a reviewed diff there.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const FLAGS =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseFullyQualifiedType |
  ts.TypeFormatFlags.WriteArrowStyleSignature;

/** Entry-point subpath → its TypeScript source, read from package.json's `exports`. */
export function entryPoints(root: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, string | { types: string }>;
  };
  const out = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue;
    const source = target.types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts");
    out.set(subpath === "." ? "metamorph" : `metamorph/${subpath.slice(2)}`, join(root, source));
  }
  return out;
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return "class";
  if (f & ts.SymbolFlags.Function) return "function";
  if (f & ts.SymbolFlags.Interface) return "interface";
  if (f & ts.SymbolFlags.TypeAlias) return "type";
  if (f & ts.SymbolFlags.Enum) return "enum";
  if (f & ts.SymbolFlags.Variable) return "const";
  return "other";
}

const ownSource = (file: string) => !file.includes("/node_modules/");

function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  return (
    checker
      .getPropertiesOfType(type)
      .filter((p) => !p.getName().startsWith("#") && !p.getName().startsWith("__"))
      // Members inherited from the platform (Error's stack, Function's apply)
      // belong to the platform's types, not to this surface.
      .filter((p) => p.declarations?.some((d) => ownSource(d.getSourceFile().fileName)))
      .map((p) => {
        const optional = p.flags & ts.SymbolFlags.Optional ? "?" : "";
        const t = checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at, FLAGS);
        return `    ${p.getName()}${optional}: ${t}`;
      })
      .sort()
  );
}

function describe(checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string[] {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const at = target.declarations?.[0];
  if (!at) return [`${name}: (no declaration)`];
  const kind = kindOf(target);
  const lines: string[] = [];
  if (kind === "class") {
    const statics = checker.getTypeOfSymbolAtLocation(target, at);
    const signatures = statics
      .getConstructSignatures()
      .map((s) => checker.signatureToString(s, at, FLAGS));
    lines.push(`class ${name}`, ...signatures.map((s) => `  new ${s}`));
    lines.push(
      "  static:",
      ...members(checker, statics, at).filter((l) => !l.startsWith("    prototype:")),
    );
    lines.push("  instance:", ...members(checker, checker.getDeclaredTypeOfSymbol(target), at));
  } else if (kind === "interface") {
    lines.push(
      `interface ${name}`,
      ...members(checker, checker.getDeclaredTypeOfSymbol(target), at),
    );
  } else if (kind === "type" || kind === "enum") {
    const declared = checker.getDeclaredTypeOfSymbol(target);
    lines.push(
      `type ${name} = ${checker.typeToString(declared, at, FLAGS | ts.TypeFormatFlags.InTypeAlias)}`,
    );
  } else {
    lines.push(
      `${kind} ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(target, at), at, FLAGS)}`,
    );
  }
  return lines;
}

/** The report of every entry point, keyed by its import specifier. */
export function apiReports(root: string): Map<string, string> {
  const entries = entryPoints(root);
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  );
  if (!config) throw new Error("tsconfig.build.json could not be read");
  const program = ts.createProgram({ rootNames: [...entries.values()], options: config.options });
  const checker = program.getTypeChecker();
  const out = new Map<string, string>();
  for (const [specifier, file] of entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} is not a module`);
    const exports = checker
      .getExportsOfModule(moduleSymbol)
      .sort((a, b) => a.name.localeCompare(b.name));
    // Types the report names but no entry point exports print as import("path"): keep it relative.
    const body = exports
      .flatMap((s) => describe(checker, s.name, s))
      .map((line) => line.replaceAll(`import("${root.replace(/\/$/, "")}/`, 'import("./'));
    out.set(
      specifier,
      `# ${specifier} — ${exports.length} exports\n\n\`\`\`\n${body.join("\n")}\n\`\`\`\n`,
    );
  }
  return out;
}
