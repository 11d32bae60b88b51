/**
 * A field moved up to a superclass in another file (review advY5 H7):
 * saving `entity.ts` with `hp` while `Player` in `player.ts` still declares
 * it was refused (duplicate-field), then retried once `player.ts` gave it
 * up — and the two updates reset every Player's `hp` to its initialiser.
 * A field a subclass declares again over its superclass's is one property,
 * the superclass's (readClassDefinition.ts ownFields); judged against the
 * patch's new superclass rather than the running one, the save of
 * `entity.ts` applies at once and the objects keep their value
 * (building/redeclaredOwnFields.ts). Saving `player.ts` without it then
 * changes no layout.
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

test("a field moved up to a superclass in another file applies at the first save, and the objects keep its value", async () => {
  dir = tempProject("field-moved-up", {
    "entity.ts": ENTITY,
    "player.ts": PLAYER,
    "main.ts": MAIN,
  });
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  let from = program.stderr.all.length;
  editFile(join(dir, "entity.ts"), (t) => t.replace("x = 0;", "x = 0;\n  hp = 10;"));
  await program.stderr.waitFor(/entity\.ts: updated Entity \(\+hp\)/, { from });
  expect(program.stderr.all.slice(from).join("\n")).not.toMatch(/duplicate-field/);
  expect(await ask(program, "[Object.keys(p), p.hp, p.describe()]")).toEqual([
    ["x", "hp"],
    9,
    "x=5",
  ]);
  from = program.stderr.all.length;
  editFile(join(dir, "player.ts"), (t) => t.replace("  hp = 10;\n", ""));
  await program.stderr.waitFor(/player\.ts: /, { from });
  expect(await ask(program, "[Object.keys(p), p.hit(), p.describe()]")).toEqual([
    ["x", "hp"],
    8,
    "x=5",
  ]);
}, 60_000);
