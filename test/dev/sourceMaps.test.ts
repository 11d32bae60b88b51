/**
 * Stack positions in rewritten modules name the user's line and column
 * (issue 15, item 7): the loader's edits (a header line, `class X` →
 * `let X = class`) carry a source map, composed with tsx's for TypeScript.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, removeDir, run } from "./support.js";

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
