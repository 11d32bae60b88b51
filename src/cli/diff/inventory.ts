/**
 * What `metamorph diff` reads of one release: for each module's JavaScript,
 * the classes `metamorph run` / `metamorph dev` manage (every top-level class
 * declaration, as src/dev/instrument.ts rewrites them), read as class
 * definitions from their source alone (nothing is evaluated), the classes
 * it binds otherwise (compiled to ES5 functions or class expressions), and
 * its top-level functions, variables and other statements.
 */
import type { ClassDefinition } from "../../mop/classDefinition.js";
import type { AnyNode } from "acorn";
import { forEachChild } from "../../mop/source/parser.js";
import { dependsOnScope } from "../../mop/source/scope.js";
import { parseClassSource } from "../../mop/source/parse.js";
import { type CompiledClass, compiledClasses } from "./compiledClasses.js";
import {
  type ParsedModule,
  parseModule,
  SourceProblem,
  type SourceType,
  type TopClass,
  type TopLevel,
  topLevel,
} from "../../dev/compile.js";

/** One module of a release: its path inside the release's directory and its JavaScript. */
export interface ModuleSource {
  /** Relative to the release's directory, with "/" separators. */
  readonly file: string;
  readonly js: string;
  readonly sourceType?: SourceType;
}

export interface ManagedClass {
  readonly name: string;
  readonly file: string;
  /** The user's line (through the module's source map). */
  readonly line: number;
  /** `class extends B { … }`: what a new implementation is written as. */
  readonly expression: string;
  readonly definition: ClassDefinition;
  /** Module-level names the class's code refers to (which a bundle's code cannot reach). */
  readonly moduleNames: readonly string[];
  /** Functions and classes named inside the class's code (tsx's keepNames wraps them, see render.ts). */
  readonly namedInside: readonly string[];
}

export interface ModuleInventory {
  readonly file: string;
  readonly top: TopLevel;
  /** Its classes bound otherwise than by a declaration, which no patch carries (./compiledClasses.ts). */
  readonly compiled: ReadonlyMap<string, CompiledClass>;
}

export interface ReleaseInventory {
  readonly modules: ReadonlyMap<string, ModuleInventory>;
  /** By class name: `metamorph run` registers classes under their own names. */
  readonly classes: ReadonlyMap<string, ManagedClass>;
}

/** The module-level names `cls` refers to (its own name included: an implementation is anonymous). */
function moduleNamesOf(cls: TopClass, top: TopLevel): string[] {
  const parts = [cls.node.superClass, cls.node.body].filter((n) => n != null);
  return [...top.bindings].filter((name) =>
    parts.some((part) => dependsOnScope(part, new Set([name]), true)),
  );
}

const FUNCTION_LIKE = new Set([
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ClassExpression",
  "FunctionDeclaration",
  "ClassDeclaration",
]);

/** A name a function or class inside the class's code has or is given by where it stands. */
function nameOf(node: AnyNode, parent: AnyNode | undefined): string | undefined {
  if (!FUNCTION_LIKE.has(node.type)) return undefined;
  const own = (node as { id?: { name: string } | null }).id?.name;
  if (own) return own;
  if (parent?.type === "VariableDeclarator" && parent.id.type === "Identifier")
    return parent.id.name;
  if (parent?.type === "Property" && parent.key.type === "Identifier" && parent.value === node) {
    return parent.key.name;
  }
  if (parent?.type === "AssignmentExpression" && parent.left.type === "Identifier") {
    return parent.left.name;
  }
  return undefined;
}

function namedInside(cls: TopClass): string[] {
  const names: string[] = [];
  const walk = (node: AnyNode, parent: AnyNode | undefined) => {
    const name = nameOf(node, parent);
    if (name !== undefined && !names.includes(name)) names.push(name);
    forEachChild(node, (child) => walk(child, node));
  };
  walk(cls.node.body, undefined);
  return names;
}

function definitionOf(cls: TopClass): ClassDefinition {
  const parsed = parseClassSource(cls.expression);
  return {
    name: cls.name,
    superclass: parsed.superclass,
    fields: parsed.fields,
    methods: parsed.methods,
    staticFields: parsed.staticFields,
    hasPrivateMembers: parsed.hasPrivateMembers,
    version: 1,
    fieldOrigin: "source",
  };
}

/**
 * A module whose kind is not known from its name (`.js`, `.ts`) is read as an
 * ES module, else as CommonJS (a script), as Node would run it.
 */
function parse(js: string, file: string, sourceType: SourceType | undefined): ParsedModule {
  if (sourceType !== undefined) return parseModule(js, file, sourceType);
  try {
    return parseModule(js, file, "module");
  } catch (asModule) {
    if (!(asModule instanceof SourceProblem)) throw asModule;
    try {
      return parseModule(js, file, "script");
    } catch {
      throw asModule;
    }
  }
}

/** Reads a release's modules (a syntax error is a SourceProblem naming the file and line). */
export function readRelease(modules: readonly ModuleSource[]): ReleaseInventory {
  const inventories = new Map<string, ModuleInventory>();
  const classes = new Map<string, ManagedClass>();
  for (const { file, js, sourceType } of modules) {
    const parsed = parse(js, file, sourceType);
    const top = topLevel(parsed);
    inventories.set(file, { file, top, compiled: compiledClasses(parsed) });
    for (const cls of top.classes.values()) {
      classes.set(cls.name, {
        name: cls.name,
        file,
        line: cls.line,
        expression: cls.expression,
        definition: definitionOf(cls),
        moduleNames: moduleNamesOf(cls, top),
        namedInside: namedInside(cls),
      });
    }
  }
  return { modules: inventories, classes };
}
