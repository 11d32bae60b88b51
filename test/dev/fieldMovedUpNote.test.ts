/**
 * A field moved up from a subclass into its superclass keeps its values
 * (one property, the superclass's), but the update line's note said
 * "Hero.xp: removed, with its values on 1 object; they are kept … and come
 * back if a later save declares xp in Hero again" (review advZ26): false,
 * and a later save declaring it in Hero again would have put back the
 * values of before the move. The note now says where it moved.
 */
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const MAIN = (imports: string) => `import { createInterface } from "node:readline";
${imports}
const h = new Hero();
h.xp = 7;
Object.assign(globalThis, { h });
${ANSWER_STDIN}
console.log("ready");
`;

test("one save of one file: the note says the field moved up and kept its value", async () => {
  ({ dir, program } = await startDev("moved-up-note", {
    "unit.ts": `export class Unit {\n  hp = 1;\n}\nexport class Hero extends Unit {\n  xp = 0;\n}\n`,
    "main.ts": MAIN(`import { Hero } from "./unit.js";`),
  }));
  const lines = await saveAndWait(
    program,
    join(dir, "unit.ts"),
    (t) => t.replace("hp = 1;", "hp = 1;\n  xp = 0;").replace(/ {\n {2}xp = 0;\n}/, " {}"),
    /unit\.ts: note: Hero\.xp/,
  );
  const said = lines.join("\n");
  expect(said).toContain("unit.ts: note: Hero.xp: moved up to Unit: 1 object keeps its value");
  expect(said).not.toMatch(/removed, with its values/);
  expect(await ask(program, "[Object.keys(h), h.xp]")).toEqual([["hp", "xp"], 7]);
  // Declared in Hero again: nothing of before the move is put back over the value written since.
  await ask(program, "h.xp = 9");
  const again = await saveAndWait(
    program,
    join(dir, "unit.ts"),
    (t) => t.replace("extends Unit {}", "extends Unit {\n  xp = 0;\n}"),
    /unit\.ts: updated Hero/,
  );
  expect(again.join("\n")).not.toMatch(/got back/);
  expect(await ask(program, "h.xp")).toBe(9);
}, 60_000);

const HERO = `import { Unit } from "./unit.js";\nexport class Hero extends Unit {\n  xp = 0;\n}\n`;

test("the subclass saved first, then the superclass: the values come back", async () => {
  ({ dir, program } = await startDev("moved-up-note-2", {
    "unit.ts": `export class Unit {\n  hp = 1;\n}\n`,
    "hero.ts": HERO,
    "main.ts": MAIN(`import { Hero } from "./hero.js";`),
  }));
  const removed = await saveAndWait(
    program,
    join(dir, "hero.ts"),
    (t) => t.replace(/ {\n {2}xp = 0;\n}/, " {}"),
    /hero\.ts: note: Hero\.xp/,
  );
  expect(removed.join("\n")).toContain("Hero.xp: removed, with its values on 1 object");
  const lines = await saveAndWait(
    program,
    join(dir, "unit.ts"),
    (t) => t.replace("hp = 1;", "hp = 1;\n  xp = 0;"),
    /unit\.ts: note: /,
  );
  expect(lines.join("\n")).toContain(
    "unit.ts: note: Hero.xp: declared again, in Unit: 1 object got back the value it had when a save removed it",
  );
  expect(await ask(program, "[Object.keys(h), h.xp]")).toEqual([["hp", "xp"], 7]);
}, 60_000);

test("the superclass saved first, then the subclass: no removal is claimed, the values stay", async () => {
  ({ dir, program } = await startDev("moved-up-note-3", {
    "unit.ts": `export class Unit {\n  hp = 1;\n}\n`,
    "hero.ts": HERO,
    "main.ts": MAIN(`import { Hero } from "./hero.js";`),
  }));
  await saveAndWait(
    program,
    join(dir, "unit.ts"),
    (t) => t.replace("hp = 1;", "hp = 1;\n  xp = 0;"),
    /unit\.ts: updated Unit \(\+xp\)/,
  );
  const lines = await saveAndWait(
    program,
    join(dir, "hero.ts"),
    (t) => t.replace(/ {\n {2}xp = 0;\n}/, " {}"),
    /hero\.ts: /,
  );
  expect(lines.join("\n")).not.toMatch(/removed/);
  expect(await ask(program, "[Object.keys(h), h.xp]")).toEqual([["hp", "xp"], 7]);
}, 60_000);
