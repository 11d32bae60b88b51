/**
 * A field moved up to a superclass in another file (review advY5 H7): saving
 * `entity.ts` with `hp` first is refused — `Player` in `player.ts` still
 * declares it (duplicate-field) — and nothing retried it once `player.ts`
 * was saved without it: the superclass stayed unapplied, its objects
 * without the field, until `entity.ts` was saved again. A module refused
 * that way is now reloaded again after another module's reload applies.
 * (The value the subclass's objects held is not carried over: the two
 * saves are two updates, and the second starts the field from its
 * initialiser.)
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

const ENTITY = `export class Entity {
  x = 0;
  describe() { return "x=" + this.x; }
}
`;
const PLAYER = `import { Entity } from "./entity.js";
export class Player extends Entity {
  hp = 10;
  hit() { return --this.hp; }
}
`;
const MAIN = `import { createInterface } from "node:readline";
import { Player } from "./player.js";
const p = new Player(); p.hit(); p.x = 5;
Object.assign(globalThis, { p });
${ANSWER_STDIN}
console.log("ready");
`;

test("a superclass refused because a subclass in another file still declared its new field applies once that file gives it up", async () => {
  dir = tempProject("field-moved-up", {
    "entity.ts": ENTITY,
    "player.ts": PLAYER,
    "main.ts": MAIN,
  });
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  let from = program.stderr.all.length;
  editFile(join(dir, "entity.ts"), (t) => t.replace("x = 0;", "x = 0;\n  hp = 10;"));
  await program.stderr.waitFor(/duplicate-field\] Player\.hp/, { from });
  from = program.stderr.all.length;
  editFile(join(dir, "player.ts"), (t) => t.replace("  hp = 10;\n", ""));
  await program.stderr.waitFor(/player\.ts: updated Player \(-hp\)/, { from });
  await program.stderr.waitFor(/entity\.ts: updated Entity \(\+hp\) .*\| fixed$/, {
    from,
    timeoutMs: 10_000,
    what: "entity.ts applied without being saved again",
  });
  expect(await ask(program, "[Object.keys(p), p.hit(), p.describe()]")).toEqual([
    ["x", "hp"],
    9,
    "x=5",
  ]);
}, 60_000);
