/**
 * A static whose initialiser an edit did not change keeps its running value,
 * and its initialiser no longer runs again at the reload (review advY5 H6):
 * the saved class was evaluated whole, its value dropped, but its side
 * effects stayed — `static ticker = setInterval(…)` started one more timer
 * per save (48 → 100 → 150 ticks a second). A changed initialiser runs, and
 * the static takes its new value.
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

const GAME = `export class Game {
  static ticker = start("ticker");
  static all: Game[] = [];
  label() {
    return "v1";
  }
}
function start(what: string) {
  const g = globalThis as { started?: string[] };
  (g.started ??= []).push(what);
  return g.started.length;
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Game } from "./game.js";
Game.all.push(new Game());
Object.assign(globalThis, { Game });
${ANSWER_STDIN}
console.log("ready");
`;

test("an unchanged static initialiser does not run again at a reload; a changed one does", async () => {
  dir = tempProject("kept-statics", { "game.ts": GAME, "main.ts": MAIN });
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  const state = "[started, Game.ticker, Game.all.length, Game.all[0].label()]";
  expect(await ask(program, state)).toEqual([["ticker"], 1, 1, "v1"]);
  for (const label of ["v2", "v3"]) {
    const from = program.stderr.all.length;
    editFile(join(dir, "game.ts"), (t) => t.replace(/"v\d"/, `"${label}"`));
    await program.stderr.waitFor(/game\.ts: updated Game \(~label\(\)\)/, { from });
  }
  expect(await ask(program, state)).toEqual([["ticker"], 1, 1, "v3"]);
  const from = program.stderr.all.length;
  editFile(join(dir, "game.ts"), (t) => t.replace('start("ticker")', 'start("ticker 2")'));
  await program.stderr.waitFor(/game\.ts: updated Game \(~static ticker\)/, { from });
  expect(await ask(program, state)).toEqual([["ticker", "ticker 2"], 2, 1, "v3"]);
}, 60_000);
