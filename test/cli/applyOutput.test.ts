/**
 * What `metamorph apply` says that the review found wrong (advY4 item 7): a
 * lazy update's "0 objects migrated" while objects were migrating (the
 * count so far is given), `--timeout 0` accepted (a usage error now, exit
 * 2), and exit code 3 missing from its help.
 */
import { expect, test } from "vitest";
import { APPLY_USAGE, committed } from "../../src/cli/commands/apply.js";
import { removeDir } from "../dev/support.js";
import { workspace } from "./releaseSupport.js";

test("a lazy update's answer gives the objects migrated so far, with those of the commit", () => {
  const base = { fromVersion: "1", toVersion: "2", version: "2", pending: 5, pauseMs: 0.1 };
  expect(committed({ ...base, migrated: 0, migratedSoFar: 3 })).toContain(
    "3 objects migrated so far (0 in the commit)",
  );
  expect(committed({ ...base, migrated: 1, migratedSoFar: 1 })).toContain("; 1 object migrated,");
});

test("apply's help lists exit 3", () => {
  expect(APPLY_USAGE).toMatch(/3\s+when the request reached the service but no answer came/);
});

test("--timeout 0 is a usage error (exit 2), one line naming the flag", async () => {
  const space = workspace("mm-cli-apply-out-");
  try {
    const r = await space.metamorph(["apply", "x.bundle", "--to", "1", "--timeout", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option --timeout needs a whole number of ms from 1");
  } finally {
    removeDir(space.dir);
  }
}, 60_000);
