/**
 * `--json` on every command: a usage error (MM_USAGE, exit 2), a file that
 * is not there (MM_FILE_ACCESS), a key file that is no key, no service at
 * the socket — each is one JSON object with `code` and `message` on stdout
 * and nothing on stderr, with the exit code and the code the same command
 * prints without `--json`, wherever `--json` goes among the command's own
 * arguments. A command's result is JSON too (pack, keygen, inspect).
 * In-process (main()), stdout and stderr captured.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { generateKeys } from "../../src/release/index.js";
import { FIXTURES } from "./releaseSupport.js";
import { privateDir } from "../release/support.js";

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await privateDir());
  writeFileSync(join(dir, "bad.key"), "not a key\n");
  writeFileSync(join(dir, "bad.pub"), "not a key either\n");
  writeFileSync(join(dir, "good.pub"), generateKeys().publicKey);
  writeFileSync(join(dir, "b.json"), "{}\n");
});
afterAll(() => remove?.());

/** Runs `metamorph …args` in this process: its exit code and what it wrote. */
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
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Failing command lines; `upTo` is the last place `--json` may go (run: before the entry). */
const cases = (): { args: string[]; upTo?: number }[] => {
  const p = (name: string) => join(dir, name);
  const sock = p("nobody.sock");
  const packArgs = ["--from", "1", "--to", "2", "-o", p("out.json")];
  return [
    { args: ["status"] },
    { args: ["apply", "--to", sock] },
    { args: ["apply", p("b.json"), "--to", sock, "--timeout", "0"] },
    { args: ["rollback", "--to", sock, "--bogus"] },
    { args: ["permanent", "extra", "--to", sock] },
    { args: ["keygen"] },
    { args: ["inspect"] },
    { args: ["diff", dir] },
    { args: ["pack", join(FIXTURES, "refork-v2.patch.mjs"), "--key", p("out.json")] },
    { args: ["run"], upTo: 1 },
    { args: ["nosuch"] },
    { args: [] },
    // A file that is not there.
    { args: ["apply", p("missing.json"), "--to", sock] },
    { args: ["inspect", p("missing.json")] },
    { args: ["pack", p("missing.mjs"), "--key", p("missing.key"), ...packArgs] },
    { args: ["run", "--trust", p("good.pub"), p("missing.mjs")], upTo: 3 },
    // A key file that is no key.
    { args: ["pack", join(FIXTURES, "refork-v2.patch.mjs"), "--key", p("bad.key"), ...packArgs] },
    { args: ["run", "--trust", p("bad.pub"), join(FIXTURES, "refork/main.mjs")], upTo: 3 },
    // A file that is no bundle.
    { args: ["inspect", p("b.json")] },
    // No service at the socket.
    { args: ["status", "--to", sock] },
    { args: ["rollback", "--to", sock] },
    { args: ["permanent", "--to", sock] },
    { args: ["apply", p("b.json"), "--to", sock] },
    { args: ["apply", "--commit", "some-id", "--to", sock] },
  ];
};

/** Options that take the next argument as their value: --json never goes between the two. */
const TAKES_VALUE = new Set(["--to", "--key", "--from", "-o", "--timeout", "--trust", "--commit"]);

/** The places --json may go: after the command, never inside an option and its value. */
function places({ args, upTo }: { args: string[]; upTo?: number }): number[] {
  const last = upTo ?? args.length;
  const all = Array.from({ length: last + 1 }, (_, i) => i);
  return all.filter((i) => i >= Math.min(1, args.length) && !TAKES_VALUE.has(args[i - 1]!));
}

const withJson = (args: readonly string[], at: number) => [
  ...args.slice(0, at),
  "--json",
  ...args.slice(at),
];

describe("--json: every error is one JSON object, with the exit code and code of the text", () => {
  test("wherever --json goes among the command's own arguments", async () => {
    const all = cases();
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat(all.length - 1)
          .chain((i) => fc.tuple(fc.constant(i), fc.constantFrom(...places(all[i]!)))),
        async ([i, at]) => {
          const { args } = all[i]!;
          const text = await metamorph(args);
          const json = await metamorph(withJson(args, at));
          expect(text.code, text.stderr).not.toBe(0);
          expect(json.code, `${args.join(" ")}: ${json.stdout}`).toBe(text.code);
          expect(json.stderr).toBe("");
          const lines = json.stdout.split("\n").filter(Boolean);
          expect(lines).toHaveLength(1);
          const error = JSON.parse(lines[0]!) as Record<string, unknown>;
          expect(error).toMatchObject({ type: "error", code: expect.any(String) });
          expect(typeof error.message === "string" && error.message.length > 0).toBe(true);
          if (text.code === 2) expect(error.code).toBe("MM_USAGE");
          else expect(text.stderr).toContain(`error ${String(error.code)}: `);
        },
      ),
      { seed: 20_240_117, numRuns: 60 },
    );
  }, 120_000);

  test("each case, --json as late as it may go: the codes", async () => {
    const codes = [];
    for (const c of cases()) {
      const { stdout } = await metamorph(withJson(c.args, places(c).at(-1)!));
      codes.push((JSON.parse(stdout) as { code: string }).code);
    }
    expect(codes).toEqual([
      ...Array(12).fill("MM_USAGE"),
      "MM_FILE_ACCESS",
      "MM_FILE_ACCESS",
      "MM_FILE_ACCESS",
      "MM_RUN_START",
      "MM_INVALID_KEY",
      "MM_INVALID_KEY",
      "MM_BUNDLE_MALFORMED",
      ...Array(5).fill("MM_CONTROL_SOCKET"),
    ]);
  }, 60_000);
});

describe("--json: a command's result is JSON too", () => {
  test("keygen, pack and inspect each print one result object", async () => {
    const keygen = await metamorph(["keygen", "-o", join(dir, "keys"), "--json"]);
    expect(keygen.code, keygen.stdout).toBe(0);
    const keys = JSON.parse(keygen.stdout) as Record<string, string>;
    expect(keys).toMatchObject({
      type: "result",
      ok: true,
      command: "keygen",
      privateKey: join(dir, "keys/release.key"),
      publicKey: join(dir, "keys/release.pub"),
    });
    const out = join(dir, "v2.bundle.json");
    const packed = await metamorph([
      "pack",
      join(FIXTURES, "refork-v2.patch.mjs"),
      "--key",
      keys.privateKey!,
      "--from",
      "1.0.0",
      "--to",
      "2.0.0",
      "-o",
      out,
      "--json",
    ]);
    expect(packed.code, packed.stdout).toBe(0);
    const bundle = JSON.parse(packed.stdout) as Record<string, unknown>;
    expect(bundle).toMatchObject({
      type: "result",
      command: "pack",
      name: "refork v2",
      fromVersion: "1.0.0",
      toVersion: "2.0.0",
      patches: 1,
      out,
      keyId: keys.keyId,
    });
    const inspected = await metamorph(["inspect", out, "--json"]);
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({
      type: "result",
      command: "inspect",
      id: bundle.bundleId,
      manifest: { name: "refork v2", fromVersion: "1.0.0", toVersion: "2.0.0" },
      signature: { keyId: keys.keyId },
      patches: [{ name: "refork v2", operations: 1 }],
    });
  }, 60_000);
});
