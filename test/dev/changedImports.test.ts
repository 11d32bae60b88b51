/**
 * An import the saved version takes from another module or another export
 * under a name the running version imports (review advZ20 6: a file renamed
 * and its importer fixed said "no class or function changed", kept the
 * deleted file's code, and later saves of the new file were ignored): the
 * program restarts saying why, and the new file is loaded and watched.
 */
import { renameSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { changedImports } from "../../src/dev/changedImports.js";
import { parseModule, topLevel } from "../../src/dev/compile.js";
import type { ModuleRecord } from "../../src/dev/moduleGraph.js";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  type Running,
  run,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;
stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const REPO = `export class UserRepo {
  users: string[] = [];
  describe(): string { return "repo with " + this.users.length; }
}
export class OtherRepo {
  describe(): string { return "other"; }
}
`;

const USERS = `import { UserRepo } from "./repo.js";
export const repo = new UserRepo();
export function describe(): string { return repo.describe(); }
`;

const MAIN = `import { createInterface } from "node:readline";
import { describe } from "./users.js";
Object.assign(globalThis, { describe });
${ANSWER_STDIN}
console.log("ready");
`;

describe("metamorph dev: an import taken from elsewhere", () => {
  test("a file renamed and its importer fixed restarts the program, which then follows the new file", async () => {
    dir = tempProject("changed-import", { "repo.ts": REPO, "users.ts": USERS, "main.ts": MAIN });
    program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, "describe()")).toBe("repo with 0");
    renameSync(join(dir, "repo.ts"), join(dir, "repository.ts"));
    const from = program.stdout.all.length;
    const lines = await saveAndWait(
      program,
      join(dir, "users.ts"),
      (s) => s.replace('"./repo.js"', '"./repository.js"'),
      /restarting/,
    );
    expect(lines.join("\n")).toContain(
      "restarting: users.ts: line 1: the import of UserRepo changed (./repo.js → ./repository.js)",
    );
    await program.stdout.waitFor(/^ready$/, { from, timeoutMs: 30_000, what: "the restart" });
    await saveAndWait(
      program,
      join(dir, "repository.ts"),
      (s) => s.replace('"repo with "', '"repository with "'),
      /updated UserRepo \(~describe\(\)\)/,
    );
    expect(await ask(program, "describe()")).toBe("repository with 0");
  }, 90_000);

  test("with --no-restart, another module and another export of the same module are each said", async () => {
    ({ dir, program } = await startDev("changed-import-note", {
      "repo.ts": REPO,
      "repo2.ts": REPO,
      "users.ts": USERS,
      "main.ts": MAIN,
    }));
    let lines = await saveAndWait(
      program,
      join(dir, "users.ts"),
      (s) => s.replace('"./repo.js"', '"./repo2.js"'),
      /the import of UserRepo changed/,
    );
    expect(lines.join("\n")).toMatch(
      /note: line 1: the import of UserRepo changed \(\.\/repo\.js → \.\/repo2\.js\); .*restart to load the new one/,
    );
    lines = await saveAndWait(
      program,
      join(dir, "users.ts"),
      (s) =>
        s.replace(
          'import { UserRepo } from "./repo2.js"',
          'import { OtherRepo as UserRepo } from "./repo.js"',
        ),
      /the import of UserRepo changed/,
    );
    expect(lines.join("\n")).toContain(
      "the import of UserRepo changed (UserRepo of ./repo2.js → OtherRepo of ./repo.js)",
    );
    // Nothing else changed: the running version stays.
    expect(await ask(program, "describe()")).toBe("repo with 0");
  }, 60_000);
});

/** A record of a module at `/p/src/m.js` (changedImports reads its URL only). */
const record = { url: pathToFileURL("/p/src/m.js").href } as ModuleRecord;
const top = (js: string) => topLevel(parseModule(js, "/p/src/m.js"));

const specifierArb = fc
  .tuple(
    fc.constantFrom("./", "../src/", "./lib/", "../", "node:", ""),
    fc.constantFrom("a", "b", "fs"),
    fc.constantFrom("", ".js", ".ts", ".mjs"),
  )
  .map(([dir, name, ext]) => `${dir}${name}${dir === "node:" || dir === "" ? "" : ext}`);

/** The file a relative specifier of /p/src/m.js names, without extension; a package or builtin as itself. */
function moduleOf(specifier: string): string {
  if (!specifier.startsWith(".")) return specifier.replace(/^node:/, "");
  return new URL(specifier, "file:///p/src/m.js").pathname.replace(/\.[^./]+$/, "");
}

test("property: a binding is reported exactly when its export or its module changed; seed 20261207", () => {
  fc.assert(
    fc.property(
      specifierArb,
      specifierArb,
      fc.constantFrom("X", "Y", "default"),
      fc.constantFrom("X", "Y", "default"),
      (from, to, was, now) => {
        const clause = (imported: string) =>
          imported === "default" ? "local" : `{ ${imported} as local }`;
        const changed = changedImports(
          record,
          top(`import ${clause(was)} from "${from}";`),
          top(`import ${clause(now)} from "${to}";`),
        );
        const expected = was !== now || moduleOf(from) !== moduleOf(to);
        expect(changed.map((c) => c.local)).toEqual(expected ? ["local"] : []);
      },
    ),
    { seed: 20261207, numRuns: 300 },
  );
});

test("an import the running version does not have is not a changed one", () => {
  expect(
    changedImports(
      record,
      top('import { a } from "./a.js";'),
      top('import { a, b } from "./b.js";'),
    ),
  ).toEqual([{ local: "a", line: 1, was: "./a.js", now: "./b.js" }]);
});
