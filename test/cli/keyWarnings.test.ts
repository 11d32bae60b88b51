/**
 * The commands say where a key lives unsafely (release/keyFiles.ts
 * keyFileWarnings): pack of a private key others may write, or in a
 * directory others may write; keygen into such a directory; run of a
 * trusted key in one — each a "warning:" line on stderr naming the path and
 * the chmod, and the command goes on (with --json too: stdout stays JSON).
 */
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { writeKeyFiles } from "../../src/release/keyFiles.js";
import { privateDir } from "../release/support.js";
import { CLI, run } from "../dev/support.js";
import { FIXTURES } from "./releaseSupport.js";

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await privateDir());
});
afterAll(() => remove?.());

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

describe.skipIf(process.platform === "win32")("warnings about where a key lives", () => {
  test("keygen into a directory its group may write, and pack with a key others may write: warned, done", async () => {
    const shared = join(dir, "shared");
    await mkdir(shared, { mode: 0o770 });
    await chmod(shared, 0o770);
    const keygen = await metamorph(["keygen", "-o", shared, "--json"]);
    expect(keygen.code).toBe(0);
    expect(JSON.parse(keygen.stdout)).toMatchObject({ type: "result", command: "keygen" });
    expect(keygen.stderr).toBe(
      `metamorph keygen: warning: the key directory ${shared} is writable by its group (mode 770): whoever can write it can replace release.key with a key of their own; chmod go-w ${shared}\n`,
    );
    const key = join(shared, "release.key");
    await chmod(key, 0o602);
    const out = join(dir, "v2.bundle.json");
    const packed = await metamorph([
      "pack",
      join(FIXTURES, "refork-v2.patch.mjs"),
      "--key",
      key,
      "--from",
      "1.0.0",
      "--to",
      "2.0.0",
      "-o",
      out,
    ]);
    expect(packed.code, packed.stderr).toBe(0);
    expect(packed.stderr.split("\n").filter(Boolean)).toEqual([
      `metamorph pack: warning: ${key} is writable by others (mode 602): whoever can write it can put in a key they know, and forge the bundles you sign; chmod 600 ${key}`,
      `metamorph pack: warning: the key directory ${shared} is writable by its group (mode 770): whoever can write it can replace release.key with a key of their own; chmod go-w ${shared}`,
    ]);
    expect(packed.stdout).toMatch(/^packed refork v2 /);
  });

  test("run with a trusted key in a directory others may write: warned, and the service starts", async () => {
    const open = join(dir, "open");
    await mkdir(open, { mode: 0o700 });
    const keys = await writeKeyFiles(open);
    await chmod(open, 0o757);
    const service = run(
      [
        ...CLI,
        "run",
        "--trust",
        keys.publicKeyPath,
        "--control",
        join(dir, "run.sock"),
        join(FIXTURES, "catchup/main.mjs"),
      ],
      dir,
      {},
      { stdin: true },
    );
    try {
      expect(await service.stderr.waitFor(/^metamorph run: warning: /, { timeoutMs: 30_000 })).toBe(
        `metamorph run: warning: the key directory ${open} is writable by others (mode 757): whoever can write it can replace release.pub with a key of their own; chmod go-w ${open}`,
      );
      await service.stderr.waitFor(/^metamorph run: control socket /, { timeoutMs: 30_000 });
    } finally {
      service.child.stdin?.end();
      await service.stop();
      await chmod(open, 0o700);
    }
  }, 60_000);
});
