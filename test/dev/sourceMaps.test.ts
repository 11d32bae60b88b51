/**
 * Stack positions in rewritten modules name the user's line and column
 * (issue 15, item 7): the loader's edits (a header line, `class X` →
 * `let X = class`) carry a source map, composed with tsx's for TypeScript.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ANSWER_STDIN, ask, CLI, editFile, removeDir, run } from "./support.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "metamorph-maps-"));
  const files: Record<string, string> = {
    "package.json": '{ "type": "module" }\n',
    "helper.mjs": "export function helper() { return 1; }\n",
    // Classes on the lines the loader rewrites; the throw is inside one.
    "throws.mjs": `import { helper } from "./helper.mjs";
export class Boom {
  go() {
    throw new Error("boom " + helper());
  }
}
new Boom().go();
`,
    "throws.ts": `interface Shape {
  area(): number;
}

export class Boom implements Shape {
  private readonly size: number = 2;
  area(): number {
    throw new Error("boom " + this.size);
  }
}
new Boom().area();
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
});

afterAll(() => {
  if (dir) removeDir(dir);
});

async function stackOf(entry: string): Promise<string> {
  const program = run([...CLI, "dev", "--no-restart", entry], dir);
  await new Promise((resolve) => program.child.once("exit", resolve));
  return program.stderr.all.join("\n");
}

describe("source maps of rewritten modules", () => {
  test("JavaScript: the throw and the call at their own line and column", async () => {
    const stack = await stackOf("throws.mjs");
    expect(stack).toMatch(/at Boom\.go \(\S*throws\.mjs:4:11\)/);
    expect(stack).toMatch(/\S*throws\.mjs:7:12\)/);
  }, 30_000);

  test("TypeScript: positions in the .ts file, through tsx's map", async () => {
    const stack = await stackOf("throws.ts");
    expect(stack).toMatch(/at Boom\.area \(\S*throws\.ts:8:11\)/);
    expect(stack).toMatch(/\S*throws\.ts:11:12\)/);
  }, 30_000);
});

const BOOM = `export class Boom {
  size = 2;
  area(): number {
    return this.size;
  }
}
`;

const SAVED_BOOM = `// Two lines more above the class,
// so that the reloaded method moves.
export class Boom {
  size = 2;
  area(): number {
    const twice = this.size * 2;
    throw new Error("boom " + twice);
  }
}
`;

test("a method saved while the program runs: its stack positions are the saved file's line and column", async () => {
  const reloading = mkdtempSync(join(tmpdir(), "metamorph-maps-reload-"));
  writeFileSync(join(reloading, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(reloading, "boom.ts"), BOOM);
  writeFileSync(
    join(reloading, "main.ts"),
    `import { createInterface } from "node:readline";
import { Boom } from "./boom.js";
Object.assign(globalThis, { boom: new Boom() });
${ANSWER_STDIN}
console.log("ready");
`,
  );
  const running = run([...CLI, "dev", "--no-restart", "main.ts"], reloading, {}, { stdin: true });
  try {
    await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(running, "boom.area()")).toBe(2);
    const from = running.stderr.all.length;
    editFile(join(reloading, "boom.ts"), () => SAVED_BOOM);
    await running.stderr.waitFor(/updated Boom/, { from, timeoutMs: 20_000 });
    const frame = await ask(
      running,
      '(() => { try { boom.area(); return "no throw"; } catch (e) { return e.stack.split("\\n")[1].trim(); } })()',
    );
    expect(frame).toMatch(/^at Boom\.area \(\S*boom\.ts:7:11\)$/);
  } finally {
    await running.stop();
    removeDir(reloading);
  }
}, 60_000);
