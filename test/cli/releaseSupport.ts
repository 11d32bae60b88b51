/**
 * Helpers for the release commands' tests: `metamorph …` run to its end in a
 * private temporary directory (asynchronously, so a service in another child
 * answers meanwhile; bounded in time), and `pack` of a fixture patch module.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO } from "../dev/support.js";

export const FIXTURES = join(REPO, "test/cli/fixtures");

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Workspace {
  /** The directory (mkdtemp: 0700), the commands' working directory. */
  readonly dir: string;
  /** XDG_RUNTIME_DIR of the commands: `--to <pid>` looks for <runtimeDir>/metamorph/<pid>.sock. */
  readonly runtimeDir: string;
  /** The file the evil fixture's code writes if it is ever compiled. */
  readonly marker: string;
  metamorph(args: readonly string[]): Promise<Result>;
  /** `metamorph pack <fixture> --key <key> --from 1.0.0 --to 2.0.0 -o <out> …extra`. */
  pack(module: string, key: string, out: string, extra?: readonly string[]): Promise<Result>;
}

export function workspace(prefix: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const runtimeDir = join(dir, "run");
  const marker = join(dir, "compiled.marker");
  const metamorph = (args: readonly string[]): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...CLI, ...args], {
        cwd: dir,
        env: {
          ...process.env,
          NODE_OPTIONS: "",
          XDG_RUNTIME_DIR: runtimeDir,
          MM_TEST_MARKER: marker,
        },
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 30_000,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  const pack = (module: string, key: string, out: string, extra: readonly string[] = []) =>
    metamorph([
      "pack",
      join(FIXTURES, module),
      "--key",
      key,
      "--from",
      "1.0.0",
      "--to",
      "2.0.0",
      "-o",
      out,
      ...extra,
    ]);
  return { dir, runtimeDir, marker, metamorph, pack };
}
