/**
 * The page's own versions of library modules whose full form the page never
 * needs (see ./vitePageStandIns.ts). Each keeps the exports the page's code
 * imports, doing what the real module does for every input the page can give
 * it; what only other paths reach throws, naming why.
 *
 * Why each is enough on the page: every patch there is built in-process by
 * the builder (../dev/plan.ts through `patch()`), which checks each operation
 * as it is added, so
 * - JSON: the page never reads or writes a patch's JSON form, and `new Patch`
 *   needs only a copy of what the builder already checked (the real reader
 *   checks it a second time);
 * - trust: only JSON reading marks operations untrusted, so nothing on the
 *   page is, and the check before applying always passes;
 * - summaries: `patch.summary()` is never called there; operations are named
 *   only in the messages of refusals the page cannot reach (untrusted, not
 *   hydrated), where the operation's kind stands in for its description;
 * - class origins: they come from Node's inspector, which a page lacks, so
 *   the real module answers "unknown" for every class but a native one.
 */

/** A module's stand-in text, given how to import one of our modules by its path below src/. */
export type PageModule = (ours: (path: string) => string) => string;

/** An export that throws when called, saying why the page does without it. */
export function throwing(name: string, why: string): string {
  return `export function ${name}() { throw new Error(${JSON.stringify(`metamorph: ${name} is not available in the page (${why})`)}); }`;
}

const json: PageModule = () =>
  [
    `export const PATCH_FORMAT = "metamorph.patch/1";`,
    // What the real reader returns for checked operations: plain copies without undefined optional keys.
    "function copy(value) {",
    "  if (Array.isArray(value)) return value.map(copy);",
    `  if (value === null || typeof value !== "object") return value;`,
    "  const out = {};",
    "  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = copy(v);",
    "  return out;",
    "}",
    "export function readOperations(value) { return copy(value); }",
    throwing("readPatchJson", "the page never reads a patch's JSON form"),
    throwing("writePatchJson", "the page never writes a patch's JSON form"),
  ].join("\n");

const trust: PageModule = () =>
  [
    `export const IN_PROCESS = Object.freeze({ level: "in-process" });`,
    `export const UNTRUSTED = Object.freeze({ level: "untrusted" });`,
    "export function carriesUntrusted() { return undefined; }",
    "export function requireTrustedOperations() {}",
    ...["trustFrom", "markUntrusted", "codeOf"].map((n) =>
      throwing(n, "the page reads no patch from JSON, so none is untrusted"),
    ),
  ].join("\n");

const summary: PageModule = () =>
  [
    "export function describeOperation(op) { return op.op; }",
    ...["displayName", "displaySource", "displayMember"].map((n) =>
      throwing(n, "patch summaries are not part of the page runtime"),
    ),
  ].join("\n");

const classOrigin: PageModule = (ours) =>
  [
    `import { isNativeClass } from ${JSON.stringify(ours("mop/classHandle"))};`,
    'const native = Object.freeze({ kind: "native" });',
    'const unknown = Object.freeze({ kind: "unknown" });',
    "export function classOrigin(cls) { return isNativeClass(cls) ? native : unknown; }",
  ].join("\n");

/** Our modules the page gets in their page form, by their path below src/ (or dist/) without extension. */
export const PAGE_MODULES: Readonly<Record<string, PageModule>> = {
  "patch/json": json,
  "patch/trust": trust,
  "patch/summary": summary,
  "mop/classOrigin": classOrigin,
};
