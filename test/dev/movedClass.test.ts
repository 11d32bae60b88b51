/**
 * A class moved into a file of its own (review advZ26 M4): `class Item`
 * leaves cart.ts for a new item.ts, which cart.ts now imports. The save
 * of cart.ts restarted the program ("class Item was removed": all state
 * lost), and with --no-restart left it half updated (new objects from the
 * old class; edits of item.ts never reached the live ones). A class that
 * leaves a file for a module the file now imports has moved: the live
 * objects keep identity and state, take the moved class's code, and follow
 * the new file's later edits (./src/dev/movedClasses.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { changedImports } from "../../src/dev/changedImports.js";
import { parseModule, topLevel } from "../../src/dev/compile.js";
import type { ModuleRecord } from "../../src/dev/moduleGraph.js";
import { moveCandidates } from "../../src/dev/moveCandidates.js";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  saveAndWait,
  stopAndRemoveAfter,
  tempProject,
  writeAtomically,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;
stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const ITEM = `export class Item {
  name = "";
  qty = 1;
  label(): string { return this.name + " x" + this.qty; }
}
`;
const ITEM_JS = ITEM.replace("(): string", "()");
const CART_REST = `export class Cart {
  items: Item[] = [];
  add(name: string): Item { const i = new Item(); i.name = name; this.items.push(i); return i; }
}
`;
const CART = ITEM + CART_REST;
const CART_MOVED = `import { Item } from "./item.js";\n${CART_REST}`;
const MAIN = `import { createInterface } from "node:readline";
import { Cart, Item } from "./cart.js";
const cart = new Cart();
const first = cart.add("apple");
first.qty = 3;
function probe(): unknown { return undefined; }
Object.assign(globalThis, { cart, first, Item, probe });
${ANSWER_STDIN}
console.log("ready");
`;

async function start(name: string, files: Record<string, string>, restart = true) {
  dir = tempProject(name, files);
  const flags = restart ? [] : ["--no-restart"];
  program = run([...CLI, "dev", ...flags, "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  return { dir, program };
}

/**
 * Saves main.ts with an import of Item from item.ts (where the program
 * imports it, a retried import's URL included), and makes it
 * globalThis.fromItem.
 */
async function importFromItem(p: Running, d: string): Promise<void> {
  await saveAndWait(
    p,
    join(d, "main.ts"),
    (t) =>
      `import { Item as FromItem } from "./item.js";\n${t.replace("return undefined;", "return FromItem;")}`,
    /main\.ts: updated function probe/,
  );
  await ask(p, "(globalThis.fromItem = probe(), 0)");
}

/** The live objects kept their identity and state, and both bindings build the one managed class. */
async function expectMoved(p: Running, d: string, label: string): Promise<void> {
  expect(await ask(p, "[cart.items[0] === first, first.qty, first.label()]")).toEqual([
    true,
    3,
    label,
  ]);
  await importFromItem(p, d);
  expect(
    await ask(
      p,
      "[fromItem === Item, new fromItem() instanceof Item, cart.add('pear') instanceof fromItem, first instanceof fromItem]",
    ),
  ).toEqual([true, true, true, true]);
}

describe("metamorph dev: a class moved into its own file", () => {
  test("new file first, then the importer: moved, with a method change; later edits of the new file apply", async () => {
    const { dir: d, program: p } = await start("moved-class", {
      "cart.ts": CART,
      "main.ts": MAIN,
    });
    writeFileSync(join(d, "item.ts"), ITEM.replace('" x"', '" × "'));
    // Imported by nothing yet: nothing to do (an edit of cart.ts after it is the sync point).
    const before = await saveAndWait(
      p,
      join(d, "cart.ts"),
      (t) => t.replace("this.items.push(i);", "this.items.push(i); "),
      /cart\.ts: (updated|no class)/,
    );
    expect(before.join("\n")).not.toMatch(/item\.ts|Item/);
    const from = p.stdout.all.length;
    const lines = await saveAndWait(
      p,
      join(d, "cart.ts"),
      () => CART_MOVED,
      /cart\.ts: (updated|error)|restarting/,
    );
    const text = lines.join("\n");
    expect(text).not.toMatch(/restarting|error|warning/);
    expect(text).toMatch(
      /cart\.ts: updated Item moved from cart\.ts to item\.ts \(~label\(\)\) \| \d+ instances? migrated/,
    );
    await expectMoved(p, d, "apple × 3");
    expect(p.stdout.all.slice(from)).not.toContain("ready");
    await saveAndWait(
      p,
      join(d, "item.ts"),
      (t) => t.replace('" × "', '" * "'),
      /item\.ts: updated Item \(~label\(\)\)/,
    );
    expect(await ask(p, "[first.label(), cart.items[1].label()]")).toEqual([
      "apple * 3",
      "pear * 1",
    ]);
    // cart.ts no longer holds Item: its next save changes Cart only.
    const again = await saveAndWait(
      p,
      join(d, "cart.ts"),
      (t) => t.replace("this.items.push(i);", "this.items.push(i); i.qty = 2;"),
      /cart\.ts: updated/,
    );
    expect(again.join("\n")).toMatch(/cart\.ts: updated Cart \(~add\(\)\)/);
    expect(await ask(p, "[cart.add('fig').label(), first.label()]")).toEqual([
      "fig * 2",
      "apple * 3",
    ]);
  }, 90_000);

  test("importer first, then the new file: refused while item.ts is missing, moved once it is saved", async () => {
    const { dir: d, program: p } = await start("moved-class-importer-first", {
      "cart.ts": CART,
      "main.ts": MAIN,
    });
    const from = p.stdout.all.length;
    const refused = await saveAndWait(
      p,
      join(d, "cart.ts"),
      () => CART_MOVED,
      /cart\.ts: (updated|error|the running)|restarting/,
    );
    expect(refused.join("\n")).not.toMatch(/restarting/);
    expect(await ask(p, "[cart.add('kiwi').label(), first.label()]")).toEqual([
      "kiwi x1",
      "apple x3",
    ]);
    // Saved again, with a name item.ts exports besides the class, used by Cart.
    const refusedAgain = await saveAndWait(
      p,
      join(d, "cart.ts"),
      (t) =>
        t
          .replace("import { Item }", "import { Item, DEFAULT_QTY }")
          .replace("i.name = name;", "i.name = name; i.qty = DEFAULT_QTY;"),
      /cart\.ts: (updated|the running)|restarting/,
    );
    expect(refusedAgain.join("\n")).not.toMatch(/restarting|updated/);
    const errFrom = p.stderr.all.length;
    writeAtomically(join(d, "item.ts"), `${ITEM}export const DEFAULT_QTY = 5;\n`);
    await p.stderr.waitFor(
      /cart\.ts: updated Cart \(~add\(\)\); Item moved from cart\.ts to item\.ts \|/,
      { from: errFrom },
    );
    expect(p.stderr.all.slice(errFrom).join("\n")).not.toMatch(/warning|not managed/);
    await expectMoved(p, d, "apple x3");
    expect(await ask(p, "[cart.items.map((i) => i.label())]")).toEqual([
      ["apple x3", "kiwi x1", "pear x5"],
    ]);
    expect(p.stdout.all.slice(from)).not.toContain("ready");
  }, 90_000);

  test("with --no-restart: a new file with an error refuses the move and keeps the program; fixed, it moves", async () => {
    const { dir: d, program: p } = await start(
      "moved-class-error",
      { "cart.ts": CART, "main.ts": MAIN },
      false,
    );
    writeFileSync(join(d, "item.ts"), ITEM.replace("qty = 1;", "qty = 1;;; +"));
    const refused = await saveAndWait(
      p,
      join(d, "cart.ts"),
      () => CART_MOVED,
      /the running version is kept|updated/,
    );
    expect(refused.join("\n")).toMatch(/error/);
    expect(
      await ask(p, "[cart.add('kiwi').label(), first.label(), cart.items[1] instanceof Item]"),
    ).toEqual(["kiwi x1", "apple x3", true]);
    const errFrom = p.stderr.all.length;
    writeAtomically(join(d, "item.ts"), ITEM.replace('" x"', '" × "'));
    await p.stderr.waitFor(
      /cart\.ts: updated Item moved from cart\.ts to item\.ts \(~label\(\)\)/,
      {
        from: errFrom,
      },
    );
    await expectMoved(p, d, "apple × 3");
  }, 90_000);

  test("a move a save would refuse (private # members) leaves the program as it was", async () => {
    const { dir: d, program: p } = await start(
      "moved-class-refused",
      { "cart.ts": CART, "main.ts": MAIN },
      false,
    );
    writeFileSync(join(d, "item.ts"), ITEM.replace("qty = 1;", "qty = 1;\n  #secret = 1;"));
    const refused = await saveAndWait(
      p,
      join(d, "cart.ts"),
      () => CART_MOVED,
      /cart\.ts: (updated|note|the running)/,
    );
    expect(refused.join("\n")).toMatch(
      /item\.ts:1: error: MM_DEV_PRIVATE_MEMBERS class Item declares private # members/,
    );
    expect(refused.join("\n")).not.toMatch(/updated Item/);
    expect(
      await ask(p, "[cart.add('kiwi').label(), first.label(), Object.keys(cart.items[1])]"),
    ).toEqual(["kiwi x1", "apple x3", ["name", "qty"]]);
    const errFrom = p.stderr.all.length;
    writeAtomically(join(d, "item.ts"), ITEM);
    await p.stderr.waitFor(/cart\.ts: updated Item moved from cart\.ts to item\.ts/, {
      from: errFrom,
    });
    await expectMoved(p, d, "apple x3");
  }, 90_000);

  test("a move that warned is not undone for a migrations module saved after it (the move would read as a removal)", async () => {
    const { dir: d, program: p } = await start("moved-class-migrations", {
      "cart.ts": CART,
      "main.ts": MAIN,
    });
    writeFileSync(join(d, "item.ts"), ITEM.replaceAll("qty", "count"));
    const begin = p.stderr.all.length;
    editFile(join(d, "cart.ts"), () => CART_MOVED);
    await p.stderr.waitFor(/warning: Item: field qty disappeared while count appeared/, {
      from: begin,
    });
    expect(p.stderr.all.slice(begin).join("\n")).toMatch(
      /updated Item moved from cart\.ts to item\.ts \(\+count, -qty/,
    );
    const from = p.stderr.all.length;
    writeAtomically(
      join(d, "cart.migrations.ts"),
      'export const renames = { Item: { count: "qty" } };\n',
    );
    await p.stderr.waitFor(/cart\.migrations\.ts saved|restarting|undid/, { from });
    const text = p.stderr.all.slice(from).join("\n");
    expect(text).not.toMatch(/restarting|undid|class Item was removed/);
    expect(text).toMatch(/cart\.migrations\.ts saved; it applies to the next update of cart\.ts/);
    expect(await ask(p, "[cart.items[0] === first, first.label()]")).toEqual([true, "apple x1"]);
  }, 90_000);

  test("a JavaScript index that re-exports the class it held moves it too (tsx compiles a TypeScript one to an import)", async () => {
    const { dir: d, program: p } = await start("moved-class-reexport", {
      "models.js": `${ITEM_JS}export const VERSION = 1;\n`,
      "main.ts": `import { createInterface } from "node:readline";
import { Item } from "./models.js";
const first = new Item();
first.name = "apple";
Object.assign(globalThis, { first, Item });
${ANSWER_STDIN}
console.log("ready");
`,
    });
    writeFileSync(join(d, "item.js"), ITEM_JS.replace('" x"', '" × "'));
    const lines = await saveAndWait(
      p,
      join(d, "models.js"),
      (t) => t.replace(ITEM_JS, 'export { Item } from "./item.js";\n'),
      /models\.js: (updated|error)|restarting/,
    );
    expect(lines.join("\n")).not.toMatch(/restarting/);
    expect(lines.join("\n")).toMatch(
      /models\.js: updated Item moved from models\.js to item\.js \(~label\(\)\)/,
    );
    expect(await ask(p, "[first.label(), new Item() instanceof Item]")).toEqual([
      "apple × 1",
      true,
    ]);
    await saveAndWait(
      p,
      join(d, "item.js"),
      (t) => t.replace('" × "', '" * "'),
      /item\.js: updated Item \(~label\(\)\)/,
    );
    expect(await ask(p, "first.label()")).toBe("apple * 1");
  }, 90_000);

  test("a superclass moved, its subclass alive in another file, which then imports it from the new file", async () => {
    const SHAPE = `export class Shape {
  x = 0;
  describe(): string { return "at " + this.x; }
}
`;
    const { dir: d, program: p } = await start("moved-superclass", {
      "shapes.ts": `${SHAPE}export function origin(): Shape { return new Shape(); }\n`,
      "circle.ts": `import { Shape } from "./shapes.js";
export class Circle extends Shape {
  r = 1;
  area(): number { return 3 * this.r * this.r; }
}
`,
      "main.ts": `import { createInterface } from "node:readline";
import { Circle } from "./circle.js";
import { origin, Shape } from "./shapes.js";
const c = new Circle();
c.x = 4;
c.r = 2;
const o = origin();
Object.assign(globalThis, { c, o, Circle, Shape, origin });
${ANSWER_STDIN}
console.log("ready");
`,
    });
    writeFileSync(join(d, "shape.ts"), SHAPE.replace('"at "', '"@"'));
    const from = p.stdout.all.length;
    let lines = await saveAndWait(
      p,
      join(d, "shapes.ts"),
      (t) => `import { Shape } from "./shape.js";\n${t.replace(SHAPE, "")}`,
      /shapes\.ts: (updated|error)|restarting/,
    );
    expect(lines.join("\n")).toMatch(
      /shapes\.ts: updated Shape moved from shapes\.ts to shape\.ts \(~describe\(\)\)/,
    );
    expect(
      await ask(
        p,
        "[c.describe(), c.area(), o.describe(), c instanceof Shape, origin() instanceof Shape]",
      ),
    ).toEqual(["@4", 12, "@0", true, true]);
    lines = await saveAndWait(
      p,
      join(d, "circle.ts"),
      (t) => t.replace('"./shapes.js"', '"./shape.js"').replace("3 * this.r", "3.5 * this.r"),
      /circle\.ts: (updated|error|note)|restarting/,
    );
    expect(lines.join("\n")).not.toMatch(/restarting|import of Shape changed/);
    expect(lines.join("\n")).toMatch(/circle\.ts: updated Circle \(~area\(\)\)/);
    await saveAndWait(
      p,
      join(d, "shape.ts"),
      (t) => t.replace('"@"', '"at: "'),
      /shape\.ts: updated Shape \(~describe\(\)\)/,
    );
    expect(await ask(p, "[c.describe(), c.area(), o.describe()]")).toEqual(["at: 4", 14, "at: 0"]);
    expect(p.stdout.all.slice(from)).not.toContain("ready");
  }, 90_000);
});

describe("which removed classes may have moved", () => {
  const top = (js: string) => topLevel(parseModule(js, "/p/src/cart.js"));
  const record = {
    url: pathToFileURL("/p/src/cart.js").href,
    classes: new Map([["Item", class {}]]),
  } as unknown as ModuleRecord;

  test("property: a candidate exactly when the managed class is gone and imported under its name from a relative module; seed 20261207", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom("./item.js", "../lib/item.js", "item-package", "node:fs"),
        fc.constantFrom("Item", "Other"),
        fc.constantFrom("Item", "Other"),
        fc.constantFrom("Item", "Unmanaged"),
        (kept, specifier, imported, local, className) => {
          // Declared and imported under one name: not a module.
          fc.pre(!(kept && local === className));
          const previous = top(`class ${className} {}\nexport class Cart {}`);
          const clause = imported === local ? imported : `${imported} as ${local}`;
          const next = top(
            `import { ${clause} } from "${specifier}";\n${kept ? `class ${className} {}\n` : ""}export class Cart {}`,
          );
          const expected =
            !kept &&
            className === "Item" &&
            imported === "Item" &&
            local === "Item" &&
            specifier.startsWith(".");
          const found = moveCandidates(record, previous, next);
          expect(found).toEqual(expected ? [{ name: "Item", specifier, line: 1 }] : []);
        },
      ),
      { seed: 20261207, numRuns: 200 },
    );
  });

  test("a module that re-exports the class from a relative module moves it too; one line per class", () => {
    const previous = top("export class Item {}\nexport class Cart {}");
    const line = (js: string) => moveCandidates(record, previous, top(js));
    expect(line('export { Item } from "./item.js";\nexport class Cart {}')).toEqual([
      { name: "Item", specifier: "./item.js", line: 1 },
    ]);
    expect(line('export { Other, Item as Item } from "./item.js";')).toEqual([
      { name: "Item", specifier: "./item.js", line: 1 },
    ]);
    expect(
      line('import { Item } from "./item.js";\nexport { Item } from "./item.js";'),
    ).toHaveLength(1);
    expect(line('export { Thing as Item } from "./item.js";')).toEqual([]);
    expect(line('export { Item } from "item-package";')).toEqual([]);
  });

  test("an import re-pointed to the module its class moved to is not a changed import; another value is", () => {
    const previous = top('import { Shape } from "./shapes.js";');
    const next = top('import { Shape } from "./shape.js";');
    expect(changedImports(record, previous, next, () => true)).toEqual([]);
    expect(changedImports(record, previous, next, () => false)).toEqual([
      { local: "Shape", line: 1, was: "./shapes.js", now: "./shape.js" },
    ]);
  });
});
