/**
 * What a command prints when something fails that is not a refusal of its
 * own: a patch module in the wrong module format is named with what to
 * change, and any other error escaping a command is a coded line
 * (MM_INTERNAL, exit 1), not Node's stack.
 */
import { afterEach, expect, test, vi } from "vitest";
import { runCommand } from "../../src/cli/commands/command.js";
import { moduleLoadError } from "../../src/cli/commands/moduleLoadError.js";

afterEach(() => {
  vi.restoreAllMocks();
});

test("a patch module read as CommonJS is MM_PATCH_MODULE with the hint to make it an ES module", () => {
  // Node's words for `import` in a .js file of a CommonJS package (README's `pack v2.patch.js`).
  const cjs = new SyntaxError("Cannot use import statement outside a module");
  cjs.stack = `/srv/app/v2.patch.js:1\nimport { patch } from "metamorph";\n^^^^^^\n\nSyntaxError: Cannot use import statement outside a module\n    at wrapSafe (node:internal/modules/cjs/loader:1378:20)`;
  const refused = moduleLoadError("v2.patch.js", cjs);
  expect(refused.code).toBe("MM_PATCH_MODULE");
  expect(refused.message).toBe(
    'v2.patch.js failed to load: SyntaxError: Cannot use import statement outside a module (at /srv/app/v2.patch.js:1); a patch module is an ES module: name it .mjs (.mts for TypeScript), or set "type": "module" in its package.json',
  );
  // tsx loading a .ts module of a CommonJS package through require.
  const cycle = Object.assign(new Error("Cannot require() ES Module in a cycle."), {
    code: "ERR_REQUIRE_CYCLE_MODULE",
  });
  expect(moduleLoadError("v2.patch.ts", cycle).message).toContain(
    "[ERR_REQUIRE_CYCLE_MODULE]: Cannot require() ES Module in a cycle.",
  );
  expect(moduleLoadError("v2.patch.ts", cycle).message).toContain("name it .mjs");
});

test("an unexpected error escaping a command is one coded line and exit 1, not a stack", async () => {
  const written: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const spec = { name: "inspect", usage: "usage\n", options: {}, positionals: [] };
  const code = await runCommand(spec, [], async () => {
    throw new RangeError("Invalid string length");
  });
  expect(code).toBe(1);
  expect(written.join("")).toBe(
    "metamorph inspect: error MM_INTERNAL: RangeError: Invalid string length (unexpected: please report it; METAMORPH_DEBUG=1 prints the stack)\n",
  );
});
