/**
 * Where `metamorph pack -o` writes (adversarial review advZ21): a typo
 * `-o D/release.key` replaced the private key with the bundle, exit 0, and a
 * link at -o was written through. Now -o may name a new file or a bundle (to
 * pack again to the same path); the private key given to --key (by any name)
 * or any file holding a private key (MM_INVALID_KEY), a symbolic link or
 * another kind of file (MM_FILE_ACCESS) is refused and left as it was.
 * In-process (main()), stdout and stderr captured.
 */
import { link, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { readBundle } from "../../src/release/index.js";
import { writeKeyFiles } from "../../src/release/keyFiles.js";
import { privateDir } from "../release/support.js";
import { FIXTURES } from "./releaseSupport.js";

let dir: string;
let remove: () => Promise<void>;
let key: string;
let pub: string;
let otherKey: string;

beforeAll(async () => {
  ({ dir, remove } = await privateDir());
  ({ privateKeyPath: key, publicKeyPath: pub } = await writeKeyFiles(join(dir, "keys")));
  otherKey = (await writeKeyFiles(join(dir, "old"))).privateKeyPath;
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

const pack = (out: string, to = "2.0.0") =>
  metamorph([
    "pack",
    join(FIXTURES, "refork-v2.patch.mjs"),
    "--key",
    key,
    "--from",
    "1.0.0",
    "--to",
    to,
    "-o",
    out,
    "--json",
  ]);

/** What is at -o before pack runs, and what pack must answer. */
const places: readonly {
  readonly what: string;
  readonly make: (at: string) => Promise<string>;
  readonly code: string;
  readonly says: RegExp;
}[] = [
  {
    what: "the --key file itself (the typo)",
    make: async () => key,
    code: "MM_INVALID_KEY",
    says: /is the private key given to --key: the bundle would replace it; nothing was written/,
  },
  {
    what: "a hard link to the --key file",
    make: async (at) => {
      await link(key, at);
      return at;
    },
    code: "MM_INVALID_KEY",
    says: /is the private key given to --key/,
  },
  {
    what: "another private key",
    make: async () => otherKey,
    code: "MM_INVALID_KEY",
    says: /holds a private key: the bundle would replace it/,
  },
  {
    what: "a symbolic link to a key",
    make: async (at) => {
      await symlink(otherKey, at);
      return at;
    },
    code: "MM_FILE_ACCESS",
    says: /is a symbolic link: pack does not write through one/,
  },
  {
    what: "a symbolic link to nothing yet",
    make: async (at) => {
      await symlink(join(dir, "nowhere", "file"), at);
      return at;
    },
    code: "MM_FILE_ACCESS",
    says: /is a symbolic link/,
  },
  {
    what: "the public key",
    make: async () => pub,
    code: "MM_FILE_ACCESS",
    says: /exists and is not a bundle: pack replaces only a bundle/,
  },
  {
    what: "some other file",
    make: async (at) => {
      await writeFile(at, "notes\n");
      return at;
    },
    code: "MM_FILE_ACCESS",
    says: /exists and is not a bundle/,
  },
  {
    what: "a directory",
    make: async (at) => {
      await mkdir(at);
      return at;
    },
    code: "MM_FILE_ACCESS",
    says: /exists and is not a regular file/,
  },
];

describe.skipIf(process.platform === "win32")(
  "pack -o refuses to replace what is not a bundle",
  () => {
    test.each(places.map((p, i) => [p.what, i] as const))(
      "-o %s: refused, left as it was",
      async (_what, i) => {
        const place = places[i]!;
        const out = await place.make(join(dir, `out-${i}`));
        const before = await readFile(out).catch(() => undefined);
        const keyBefore = await readFile(key, "utf8");
        const result = await pack(out);
        expect(result.code).toBe(1);
        const answer = JSON.parse(result.stdout) as { code: string; message: string };
        expect(answer.code).toBe(place.code);
        expect(answer.message).toMatch(place.says);
        expect(await readFile(out).catch(() => undefined)).toEqual(before);
        expect(await readFile(key, "utf8")).toBe(keyBefore);
      },
    );
  },
);

test("-o a new file is written; packing again to it replaces the bundle", async () => {
  const out = join(dir, "v2.bundle.json");
  const first = await pack(out);
  expect(first.code, first.stdout).toBe(0);
  expect(readBundle(await readFile(out)).payload.manifest.toVersion).toBe("2.0.0");
  const again = await pack(out, "3.0.0");
  expect(again.code, again.stdout).toBe(0);
  expect(readBundle(await readFile(out)).payload.manifest.toVersion).toBe("3.0.0");
});
