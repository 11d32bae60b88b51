/**
 * The public surface is pinned: each entry point's report (names, kinds,
 * types) must equal the committed api/<entry>.api.md. Changing the surface is
 * deliberate: `npx vitest run test/api -u` rewrites the reports, and the diff
 * is reviewed with the change. A name exported from two entry points fails.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { apiReports } from "./apiReport.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const reports = apiReports(ROOT);

describe("public API", () => {
  for (const [specifier, report] of reports) {
    test(`${specifier} matches api/${specifier.replace(/\//g, "-")}.api.md`, async () => {
      await expect(report).toMatchFileSnapshot(`../../api/${specifier.replace(/\//g, "-")}.api.md`);
    });
  }

  test("no name is exported from two entry points", () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [specifier, report] of reports) {
      for (const match of report.matchAll(
        /^(?:class|interface|type|function|const|enum|other) (\w+)/gm,
      )) {
        const name = match[1]!;
        const first = seen.get(name);
        if (first) twice.push(`${name} (${first} and ${specifier})`);
        else seen.set(name, specifier);
      }
    }
    expect(twice).toEqual([]);
  });
});
