/**
 * Code the page runtime bundles but its updates can never run, replaced in
 * the page bundle alone (see ./viteClient.ts) by a body that throws, naming
 * what and why, so that the bundler drops everything only that code used.
 *
 * The page applies only the patches it builds itself (./plan.ts through
 * ./vitePageRuntime.ts): each carries `replaceImplementation`,
 * `changeSuperclass`, `migrator` and `validateInstances` operations, built
 * in-process (never read from JSON, never composed, never summarised). So
 * the builder's other methods, the building steps of the other operation
 * kinds and their checks, and the patch's JSON/composition methods are dead
 * code there. A listed name that is not found fails the bundling, so this
 * list cannot silently go stale when a module changes; a listed body that
 * is reached anyway refuses the update (nothing changed, the page says
 * which), and the dev page tests would show it.
 */
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type Node, parse } from "acorn";
import type { Plugin } from "vite";
import type { Operation } from "../patch/operations.js";

/** The operations the page's patches carry (what ./plan.ts builds; test/dev/vitePagePruning.test.ts holds it to that). */
export const PAGE_OPERATIONS: readonly Operation["op"][] = [
  "replaceImplementation",
  "changeSuperclass",
  "migrator",
  "validateInstances",
];

const PATCH_OPERATIONS = "the page's patches carry only the operations its own plan builds";
const PATCH_DATA = "the page's patches are built in-process, never read, written or composed";

/**
 * By module (path below src/ or dist/, without extension): top-level
 * functions (`name`, declared or bound to a `const`), class methods and
 * object-literal members (`Owner.member`).
 */
export const PAGE_PRUNED: Readonly<
  Record<string, { readonly names: readonly string[]; readonly why: string }>
> = {
  "patch/builder": {
    why: PATCH_OPERATIONS,
    names: [
      "PatchBuilder.addClass",
      "PatchBuilder.removeClass",
      "PatchBuilder.renameClass",
      "PatchBuilder.insertSuperclass",
      "PatchBuilder.addField",
      "PatchBuilder.removeField",
      "PatchBuilder.renameField",
      "PatchBuilder.reorderFields",
      "PatchBuilder.pullUpField",
      "PatchBuilder.pushDownField",
      "PatchBuilder.splitClass",
      "PatchBuilder.addStaticField",
      "PatchBuilder.removeStaticField",
      "PatchBuilder.renameStaticField",
      "PatchBuilder.reinitialiseStaticField",
      "PatchBuilder.addMethod",
      "PatchBuilder.replaceMethod",
      "PatchBuilder.removeMethod",
      "PatchBuilder.validate",
      "PatchBuilder.afterCommit",
      "PatchBuilder.afterRollback",
      "PatchBuilder.policy",
      "PatchBuilder.addMethods",
      "PatchBuilder.replaceMethods",
      "PatchBuilder.addStaticMethods",
      "PatchBuilder.#defaultSource",
      "PatchBuilder.#staticWithValue",
      "PatchBuilder.#methods",
    ],
  },
  "patch/checks/operation": {
    why: PATCH_OPERATIONS,
    names: [
      "staticWithDefault",
      "renameStaticField",
      "renameClass",
      "addField",
      "renameField",
      "reorderFields",
      "insertSuperclass",
      "splitClass",
      "hook",
      "CHECKS.removeStaticField",
      "CHECKS.addClass",
      "CHECKS.removeField",
      "CHECKS.pullUpField",
      "CHECKS.pushDownField",
      "CHECKS.addMethod",
      "CHECKS.replaceMethod",
      "CHECKS.removeMethod",
    ],
  },
  "patch/patch": {
    why: PATCH_DATA,
    names: [
      "Patch.andThen",
      "Patch.compose",
      "Patch.summary",
      "Patch.toJSON",
      "Patch.fromJSON",
      "Patch.hydrate",
    ],
  },
  // Only when a patch removes a class.
  "migration/phases/validate": { why: PATCH_OPERATIONS, names: ["removedClassReferences"] },
  "migration/removedClassReads": { why: PATCH_OPERATIONS, names: ["removedClassReads"] },
  "namespace/namespace": {
    why: "the page's namespace holds the program's classes, registered as their modules run",
    names: ["Namespace.defineClass", "Namespace.define", "allInstances"],
  },
  "migration/building/classOperations": {
    why: PATCH_OPERATIONS,
    names: ["addClass", "removeClass", "renameClass", "insertSuperclass"],
  },
  "migration/building/fieldOperations": {
    why: PATCH_OPERATIONS,
    names: [
      "addField",
      "removeField",
      "renameField",
      "reorderFields",
      "pullUpField",
      "pushDownField",
      "splitClass",
    ],
  },
  "migration/building/staticFieldOperations": {
    why: PATCH_OPERATIONS,
    names: ["addStaticField", "removeStaticField", "renameStaticField", "reinitialiseStaticField"],
  },
  "migration/building/memberOperations": {
    why: PATCH_OPERATIONS,
    names: ["addOrReplaceMethod", "removeMethod", "validateNamespace", "hook", "policy"],
  },
};

interface Located extends Node {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The name a key node spells (identifier, private name or string literal). */
function keyName(key: Located | undefined): string | undefined {
  if (!key) return undefined;
  if (key.type === "Identifier") return key.name as string;
  if (key.type === "PrivateIdentifier") return `#${key.name as string}`;
  if (key.type === "Literal" && typeof key.value === "string") return key.value;
  return undefined;
}

/** The module's thrower (a name no module of ours uses). */
const PRUNED = "__metamorphPruned";

const FUNCTION = new Set(["FunctionExpression", "ArrowFunctionExpression"]);

/** Every function body of the module a listed name can designate, by name. */
function functionBodies(program: Located): Map<string, Located> {
  const bodies = new Map<string, Located>();
  for (let statement of program.body as Located[]) {
    if (
      statement.type === "ExportNamedDeclaration" ||
      statement.type === "ExportDefaultDeclaration"
    ) {
      statement = statement.declaration as Located;
      if (!statement) continue;
    }
    if (statement.type === "FunctionDeclaration") {
      bodies.set(keyName(statement.id as Located)!, statement.body as Located);
    } else if (statement.type === "ClassDeclaration") {
      const owner = keyName(statement.id as Located);
      for (const member of (statement.body as Located).body as Located[]) {
        const name = keyName(member.key as Located);
        const value = member.value as Located | undefined;
        if (member.type === "MethodDefinition" && name && value) {
          bodies.set(`${owner}.${name}`, value.body as Located);
        }
      }
    } else if (statement.type === "VariableDeclaration") {
      for (const declarator of statement.declarations as Located[]) {
        const owner = keyName(declarator.id as Located);
        const init = declarator.init as Located | null;
        if (!owner || !init) continue;
        if (FUNCTION.has(init.type)) bodies.set(owner, init.body as Located);
        if (init.type !== "ObjectExpression") continue;
        for (const property of init.properties as Located[]) {
          const value = property.value as Located | undefined;
          const name = keyName(property.key as Located);
          if (name && value && FUNCTION.has(value.type))
            bodies.set(`${owner}.${name}`, value.body as Located);
        }
      }
    }
  }
  return bodies;
}

/**
 * `code` (one of our compiled modules) with the bodies of `names` replaced by
 * a throw; an error names each listed name the module does not have.
 */
export function pruneModule(
  code: string,
  module: string,
  names: readonly string[],
  why: string,
): string {
  const program = parse(code, {
    ecmaVersion: "latest",
    sourceType: "module",
  }) as unknown as Located;
  const bodies = functionBodies(program);
  const cuts = names.map((name) => {
    const body = bodies.get(name);
    if (!body) {
      throw new Error(
        `metamorph: the page bundle prunes ${name} of ${module}, which it does not define`,
      );
    }
    return { start: body.start, end: body.end, text: `{ ${PRUNED}(${JSON.stringify(name)}); }` };
  });
  cuts.sort((a, b) => b.start - a.start);
  let out = code;
  for (const cut of cuts) out = out.slice(0, cut.start) + cut.text + out.slice(cut.end);
  // One thrower per module: the bodies stay a call each, the message is written once.
  const message = JSON.stringify(` is not available in the page (${why})`);
  return `${out}\nfunction ${PRUNED}(name) { throw new Error("metamorph: " + name + ${message}); }\n`;
}

const sourceRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The bundler plugin that prunes (after the TypeScript is compiled: it reads JavaScript). */
export const pagePruning: Plugin = {
  name: "metamorph:page-pruning",
  enforce: "post",
  transform(code, id) {
    const module = relative(sourceRoot, id.split("?")[0]!).replace(/\.[^./]+$/, "");
    const pruned = PAGE_PRUNED[module];
    return pruned
      ? { code: pruneModule(code, module, pruned.names, pruned.why), map: null }
      : undefined;
  },
};
