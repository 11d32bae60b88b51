// docs/refusals.md is held to the code: every refusal code the sources define
// is documented, every documented code and validation rule has a test (a
// catalogue case, or the test file its row names), retired codes are raised
// nowhere, and every issue-12 item still failing is listed as a known gap.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SYSTEM_RULES } from "../../src/validation/systemRules.js";
import { allCases } from "./tables.js";

const root = join(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs/refusals.md"), "utf8");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(root, dir, f));
}
const srcFiles = sources("src").map((f) => readFileSync(f, "utf8"));

/** The code each `readonly code = "MM_…"` of the sources declares, with its class. */
const declared = new Map<string, string>();
for (const text of srcFiles) {
  for (const m of text.matchAll(
    /class (\w+) extends \w+(?:<[^>]*>)? \{\s*readonly code = "(MM_[A-Z_]+)"/g,
  )) {
    declared.set(m[2]!, m[1]!);
  }
}

/** Table rows of the document, by their first cell. */
const rows = doc.split("\n").filter((l) => l.startsWith("| `"));
const rowOf = (first: string) => rows.filter((r) => r.startsWith(`| \`${first}\``));
const retired = doc.slice(doc.indexOf("## Retired codes"), doc.indexOf("## Not refused yet"));

/**
 * Every code the sources can print: declared by an error class, written as a
 * literal (the command line's own, the control channel's), or a warning's.
 * Only declared classes were checked, and codes printed by the CLI or given
 * as warnings were on no page.
 */
const everyCode = new Set(
  srcFiles.flatMap((text) => [...text.matchAll(/\bMM_[A-Z]+(?:_[A-Z]+)*\b/g)].map((m) => m[0])),
);
const warningsSource = readFileSync(join(root, "src/migration/warning.ts"), "utf8");
const warningCodes = new Set(
  [
    ...(/readonly code:((?:\s*\|\s*"MM_[A-Z_]+")+)/.exec(warningsSource)?.[1] ?? "").matchAll(
      /"(MM_[A-Z_]+)"/g,
    ),
  ].map((m) => m[1]!),
);
const warningsPart = doc.slice(doc.indexOf("## Warnings"), doc.indexOf("## Retired codes"));
const errorsPart = doc.slice(0, doc.indexOf("## Warnings"));

const caseCodes = new Set(allCases.flatMap((c) => (c.refuse?.code ? [c.refuse.code] : [])));
const caseRules = new Set(allCases.flatMap((c) => (c.refuse?.rule ? [c.refuse.rule] : [])));

/** Whether a row names a test file that mentions `what`. */
function testedElsewhere(row: string, what: string): boolean {
  const m = row.match(/tested in `(test\/[^`]+)`/);
  return m !== null && readFileSync(join(root, m[1]!), "utf8").includes(what);
}

describe("docs/refusals.md", () => {
  test("documents every refusal code the sources declare", () => {
    expect(declared.size).toBeGreaterThan(20);
    const missing = [...declared.keys()].filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  test("documents every code the sources can print: errors with the errors, warnings with the warnings", () => {
    expect(warningCodes.size).toBeGreaterThanOrEqual(6);
    const documented = (part: string, code: string) =>
      part.split("\n").some((line) => line.startsWith(`| \`${code}\``));
    const misplaced = [...everyCode].filter((code) => {
      if (retired.includes(`\`${code}\``)) return false;
      return warningCodes.has(code)
        ? !documented(warningsPart, code)
        : !documented(errorsPart, code);
    });
    expect(misplaced).toEqual([]);
    const warningsInErrors = [...warningCodes].filter((code) => documented(errorsPart, code));
    expect(warningsInErrors).toEqual([]);
  });

  test("ErrorCode (the type of MetamorphError.code) is exactly the codes the error classes carry", () => {
    const errorsSource = readFileSync(join(root, "src/errors.ts"), "utf8");
    const union = /export type ErrorCode =((?:\s*\|\s*"MM_[A-Z_]+")+);/.exec(errorsSource)?.[1];
    const typed = [...(union ?? "").matchAll(/"(MM_[A-Z_]+)"/g)].map((m) => m[1]!).sort();
    // A class may take its code from a constant (`readonly code = FILE_ACCESS`).
    const assigned = srcFiles.flatMap((text) =>
      [...text.matchAll(/\b[A-Z_]+ = "(MM_[A-Z_]+)"/g)].map((m) => m[1]!),
    );
    const carried = [...declared.keys(), ...assigned.filter((c) => !warningCodes.has(c))];
    expect(typed.length).toBeGreaterThan(50);
    // tsc holds every class's code to the type; this holds the type to the classes.
    expect(typed.filter((code) => !carried.includes(code))).toEqual([]);
  });

  test("every error class the page names can be imported, unless its row says it is the command line's", async () => {
    const entries: Record<string, unknown>[] = await Promise.all([
      import("../../src/index.js"),
      import("../../src/mop/index.js"),
      import("../../src/lifecycle/index.js"),
      import("../../src/release/index.js"),
      import("../../src/testing/index.js"),
      import("../../src/dev/index.js"),
    ]);
    const exported = new Set(entries.flatMap((names) => Object.keys(names)));
    // The dev tools' reasons (section 12) are said in their output, never thrown to a program.
    const thrown = doc.slice(0, doc.indexOf("## 12. Live development"));
    const missing = [...declared]
      .filter(([code]) => thrown.includes(`| \`${code}\``))
      .filter(
        ([code, cls]) =>
          !rowOf(code).some((r) => r.includes(`\`${cls}\` (the command line's; not exported)`)),
      )
      .map(([, cls]) => cls)
      .filter((cls) => !exported.has(cls));
    expect(missing).toEqual([]);
  }, 30_000);

  test("names each code with the class that carries it", () => {
    const wrong = [...declared].filter(
      ([code, cls]) => !rowOf(code).some((r) => r.includes(`\`${cls}\``)),
    );
    expect(wrong).toEqual([]);
  });

  test("every documented code has a test", () => {
    const documented = new Set([...doc.matchAll(/`(MM_[A-Z_]+)`/g)].map((m) => m[1]!));
    const untested = [...documented].filter((code) => {
      if (retired.includes(`\`${code}\``)) return false;
      if (caseCodes.has(code)) return false;
      return !rowOf(code).some((r) => testedElsewhere(r, code));
    });
    expect(untested).toEqual([]);
  });

  test("retired codes are raised nowhere", () => {
    for (const m of retired.matchAll(/\| `MM_[A-Z_]+` \| `(\w+)`/g)) {
      expect(srcFiles.some((t) => t.includes(`new ${m[1]}(`))).toBe(false);
    }
  });

  test("every system validation rule is documented and tested", () => {
    for (const rule of Object.values(SYSTEM_RULES)) {
      const row = rowOf(rule);
      expect(row, rule).toHaveLength(1);
      expect(caseRules.has(rule) || testedElsewhere(row[0]!, rule), rule).toBe(true);
    }
  });

  test("every issue-12 item still failing in the catalogue is listed as a known gap", () => {
    const gaps = doc.slice(doc.indexOf("## Not refused yet"));
    const items = new Set(allCases.flatMap((c) => (c.known && c.item ? [c.item] : [])));
    const unlisted = [...items].filter((i) => !gaps.includes(`- Item ${i}:`));
    expect(unlisted).toEqual([]);
  });
});
