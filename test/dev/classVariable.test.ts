/**
 * A class held by a module-level variable — how TypeScript's
 * experimentalDecorators compile a decorated class (`let Service = class
 * Service {…}; Service = __decorate(…)`) — is not managed, so an edit of it
 * applies only by restarting. It was told as "the initialiser of
 * module-level Service changed", and under --no-restart the edit was
 * silently not applied (review advY5 s11). The note now names the class
 * and why.
 */
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

test("an edit of a class held by a module-level variable says that class is not managed and needs a restart", async () => {
  dir = tempProject("class-variable", {
    "svc.js": `export let Service = class Service {\n  hello() { return "h1"; }\n};\n`,
    "main.js": `import { createInterface } from "node:readline";\nimport { Service } from "./svc.js";\nconst s = new Service();\nObject.assign(globalThis, { s });\n${ANSWER_STDIN}\nconsole.log("ready");\n`,
  });
  program = run([...CLI, "dev", "--no-restart", "main.js"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  const from = program.stderr.all.length;
  editFile(join(dir, "svc.js"), (t) => t.replace('"h1"', '"h2"'));
  expect(await program.stderr.waitFor(/svc\.js: note:/, { from })).toBe(
    "[metamorph] svc.js: note: line 1: class Service is held by a module-level variable (`let Service = class …`, as TypeScript's experimentalDecorators compile a decorated class), which metamorph does not manage: its edit applies only by restarting",
  );
  expect(await ask(program, "s.hello()")).toBe("h1");
}, 60_000);
