/**
 * The refactorings of diffRefactorings.test.ts end to end (review advZ13):
 * metamorph diff → pack → apply to the old release running under
 * `metamorph run`. A class renamed, fields pulled up, and a superclass the
 * release inserts reach the service with every object's state.
 * Unix sockets in a private temporary directory; every wait is bounded.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, REPO, removeDir, run, type Running } from "../dev/support.js";
import { ORM_V1, ORM_V2, SHAPES_V1, SHAPES_V2, SHAPES_V3 } from "./fixtures/refactorings.js";
import { type Workspace, workspace } from "./releaseSupport.js";

const SHAPES_MAIN = `import { createInterface } from "node:readline";
import * as shapes from "./shapes.js";

const c = Object.assign(new shapes.Circle(), { color: "green", r: 2 });
const r = Object.assign(new shapes.Rect(), { w: 2, h: 3, color: "pink" });
const s = Object.assign(new shapes.Square(), { w: 2, h: 2 });
const canvas = new shapes.Canvas().add(c).add(r).add(s);
process.stdout.write("started\\n");
createInterface({ input: process.stdin })
  .on("line", () => {
    const state = {
      describe: [c, r, s].map((o) => o.describe()),
      colors: [c, r, s].map((o) => o.color),
      circles: canvas.circles().length,
      kind: [c.kind === c.constructor, new c.kind().describe()],
    };
    process.stdout.write(\`state \${JSON.stringify(state)}\\n\`);
  })
  .on("close", () => process.exit(0));
`;

const ORM_MAIN = `import { createInterface } from "node:readline";
import * as models from "./models.js";

const u = new models.User("ann", "a@x");
const a = new models.Admin("bob", "b@x");
const p = new models.Post("hello", u);
process.stdout.write("started\\n");
createInterface({ input: process.stdin })
  .on("line", () => {
    const state = {
      greet: [u.greet(), a.greet()],
      keys: [u, a, p].map((o) => Object.keys(o)),
      byline: p.byline(),
      label: typeof u.label === "function" ? u.label() : null,
    };
    process.stdout.write(\`state \${JSON.stringify(state)}\\n\`);
  })
  .on("close", () => process.exit(0));
`;

const MIGRATIONS = `export const renames = { User: { mail: "email" } };
export const migrate = { Post(old, post) { post.authorId = old.author.id; } };
`;

let space: Workspace;
const metamorph = (args: readonly string[]) => space.metamorph(args);
const services: Running[] = [];

function writeTree(dir: string, files: Record<string, string>): void {
  mkdirSync(join(space.dir, dir), { recursive: true });
  const all = { "package.json": '{ "type": "module" }\n', ...files };
  for (const [file, text] of Object.entries(all)) writeFileSync(join(space.dir, dir, file), text);
}

async function serve(entry: string, socket: string): Promise<Running> {
  const service = run(
    [...CLI, "run", "--trust", "keys/release.pub", "--control", socket, "--release", "1", entry],
    space.dir,
    { XDG_RUNTIME_DIR: space.runtimeDir },
    { stdin: true },
  );
  services.push(service);
  await service.stdout.waitFor(/^started/, { timeoutMs: 20_000 });
  return service;
}

async function show(service: Running): Promise<Record<string, unknown>> {
  const from = service.stdout.all.length;
  service.send("show");
  const line = await service.stdout.waitFor(/^state /, { from, timeoutMs: 10_000 });
  return JSON.parse(line.slice("state ".length)) as Record<string, unknown>;
}

const diff = (from: string, to: string, out: string) =>
  metamorph(["diff", from, to, "-o", out, "--import", join(REPO, "src/patch/builder.ts")]);

const pack = (module: string, versions: readonly [string, string], out: string) =>
  metamorph([
    "pack",
    module,
    "--key",
    "keys/release.key",
    "--from",
    versions[0],
    "--to",
    versions[1],
    "-o",
    out,
  ]);

/** Derives, packs and applies `from` → `to` to a fresh service of `from`: its state before and after. */
async function applied(from: string, to: string, entry: string) {
  const derived = await diff(from, to, `${to}.patch.mjs`);
  expect([derived.code, derived.stderr]).toEqual([0, ""]);
  const packed = await pack(`${to}.patch.mjs`, ["1", "2"], `${to}.bundle.json`);
  expect([packed.code, packed.stderr]).toEqual([0, ""]);
  const socket = join(space.dir, `${to}.sock`);
  const service = await serve(`${from}/${entry}`, socket);
  const before = await show(service);
  const result = await metamorph(["apply", `${to}.bundle.json`, "--to", socket]);
  const text = readFileSync(join(space.dir, `${to}.patch.mjs`), "utf8");
  return { text, result, before, after: await show(service), service, socket };
}

beforeAll(async () => {
  space = workspace("mm-cli-diff-refactor-");
  writeTree("s1", { "shapes.js": SHAPES_V1, "main.js": SHAPES_MAIN });
  writeTree("s2", { "shapes.js": SHAPES_V2, "main.js": SHAPES_MAIN.replaceAll("Circle", "Round") });
  writeTree("s3", { "shapes.js": SHAPES_V3, "main.js": SHAPES_MAIN });
  writeTree("m1", { "models.js": ORM_V1, "main.js": ORM_MAIN });
  writeTree("m2", { "models.js": ORM_V2, "models.migrations.js": MIGRATIONS, "main.js": ORM_MAIN });
  const keys = await metamorph(["keygen", "-o", "keys"]);
  expect(keys.code).toBe(0);
});

afterAll(async () => {
  for (const service of services) {
    service.child.stdin?.end();
    await service.stop();
  }
  if (space) removeDir(space.dir);
});

const BEFORE = {
  describe: ["Circle area=12", "Rect area=6", "Square area=4"],
  colors: ["green", "pink", "blue"],
  circles: 1,
  kind: [true, "Circle area=3"],
};

describe("a class renamed and fields pulled up, applied", () => {
  test("Circle → Round: renamed live, every object keeps its state", async () => {
    const { text, result, before, after } = await applied("s1", "s2", "main.js");
    expect(text).toContain('  .renameClass("Circle", "Round")\n');
    expect(text).toContain(" * Nothing here needs a decision (no TODO).");
    expect(before).toEqual(BEFORE);
    expect(result.code).toBe(0);
    expect(after).toEqual({
      describe: ["Round area=12 in green", "Rect area=6 in pink", "Square area=4 in blue"],
      colors: ["green", "pink", "blue"],
      circles: 1,
      kind: [true, "Round area=3 in black"],
    });
  }, 120_000);

  test("color pulled up into Shape: no TODO, and no colour is lost", async () => {
    const { text, result, after } = await applied("s1", "s3", "main.js");
    expect(text).not.toContain("TODO:");
    expect(result.code).toBe(0);
    expect(after).toEqual({
      describe: ["Circle area=12 in green", "Rect area=6 in pink", "Square area=4 in blue"],
      colors: ["green", "pink", "blue"],
      circles: 1,
      kind: [true, "Circle area=3 in black"],
    });
  }, 120_000);
});

describe("a superclass inserted, applied", () => {
  // The service compiles a bundle's implementations in order, a class the
  // patch adds bound for those after it: one bundle applies (it was refused,
  // "Person is not defined", and needed two).
  test("one bundle adds Person and moves User under it; every object keeps its state", async () => {
    const { text, result, before, after } = await applied("m1", "m2", "main.js");
    expect(text).not.toContain("which the running service does not have");
    expect(text).toContain(
      '  .addClass({ name: "Person", superclass: "Model" })\n  .replaceImplementation("Person", Person)\n',
    );
    expect([result.code, result.stderr.includes("WARNING")]).toEqual([0, false]);
    expect(after).not.toEqual(before);
    expect(after).toEqual({
      greet: ["hello ann <a@x>", "admin(1) hello bob <b@x>"],
      keys: [
        ["id", "name", "mail"],
        ["id", "name", "mail", "level"],
        ["id", "title", "authorId"],
      ],
      byline: "hello by #1",
      label: "person ann",
    });
  }, 120_000);
});

describe("classRenames in a migrations module, read by metamorph diff", () => {
  const edited = SHAPES_V2.replace(
    "area() { return 3 * this.r",
    "perimeter() { return 0; }\n  area() { return 3 * this.r",
  );

  test("a hint renames a class diff would not recognise; --json says so", async () => {
    writeTree("h2", {
      "shapes.js": edited,
      "shapes.migrations.js": 'export const classRenames = { Round: "Circle" };\n',
    });
    const derived = await metamorph([
      ...["diff", "s1", "h2", "-o", "h2.patch.mjs", "--json"],
      ...["--import", join(REPO, "src/patch/builder.ts")],
    ]);
    expect(derived.code).toBe(0);
    const result = JSON.parse(derived.stdout) as { classes: unknown[] };
    expect(result.classes).toContainEqual({
      name: "Round",
      reason: "changed",
      renamedFrom: "Circle",
    });
    const text = readFileSync(join(space.dir, "h2.patch.mjs"), "utf8");
    expect(text).toContain('  .renameClass("Circle", "Round")\n');
    expect(text).toContain("(classRenames of shapes.migrations.js)");
  });

  test("a hint that is not a map of names is refused (MM_DIFF_SOURCE), nothing written", async () => {
    writeTree("h3", {
      "shapes.js": edited,
      "shapes.migrations.js": "export default { classRenames: { Round: 1 } };\n",
    });
    const derived = await diff("s1", "h3", "h3.patch.mjs");
    expect(derived.code).toBe(1);
    expect(derived.stderr).toContain("MM_DIFF_SOURCE");
    expect(derived.stderr).toContain(
      '"classRenames" must map each new class name to its old name, e.g. { Round: "Circle" }',
    );
    expect(() => readFileSync(join(space.dir, "h3.patch.mjs"))).toThrow();
  });
});
