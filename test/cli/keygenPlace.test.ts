/**
 * `metamorph keygen` writes only where it was told (adversarial review
 * advZ21): `--name ../../escaped` is a usage error (MM_USAGE, exit 2), and
 * an existing directory anyone may write, or a key file already there, is a
 * refusal (MM_INVALID_KEY, exit 1) — nothing written either way.
 * In-process (main()), stdout and stderr captured.
 */
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { privateDir } from "../release/support.js";

let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await privateDir());
});
afterEach(() => remove());

async function metamorph(args: readonly string[]) {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

test("--name that is not a plain file name is a usage error naming it; nothing is written", async () => {
  const keys = join(dir, "a", "keys");
  for (const name of ["../../escaped", "sub/release", ".."]) {
    const { code, stdout } = await metamorph(["keygen", "-o", keys, "--name", name, "--json"]);
    expect(code, name).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({
      type: "error",
      code: "MM_USAGE",
      message: expect.stringContaining(`option --name needs a plain file name`),
    });
    expect(JSON.parse(stdout).message).toContain(JSON.stringify(name));
  }
  expect(await readdir(dir)).toEqual([]);
});

test.skipIf(process.platform === "win32")(
  "a directory anyone may write, or a public key already there, is refused (exit 1); nothing is written",
  async () => {
    const keys = join(dir, "keys");
    await mkdir(keys);
    await chmod(keys, 0o777);
    const open = await metamorph(["keygen", "-o", keys]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(
      /^metamorph keygen: error MM_INVALID_KEY: the key directory .* is writable by others \(mode 777\)/,
    );
    expect(await readdir(keys)).toEqual([]);
    await chmod(keys, 0o700);
    await writeFile(join(keys, "release.pub"), "planted\n");
    const taken = await metamorph(["keygen", "-o", keys, "--json"]);
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stdout)).toMatchObject({ code: "MM_INVALID_KEY" });
    expect(await readdir(keys)).toEqual(["release.pub"]);
  },
);
