/**
 * What users install: the package packed as `npm pack` makes it, installed
 * into fresh projects in the system's temporary directory, preferring the
 * npm cache that `npm ci` filled (the registry only for what it lacks).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end (bounded), never throwing: the test asserts on the result. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Run {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1", ...env },
  });
  return {
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: `${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`,
    ms: performance.now() - start,
  };
}

/** Builds and packs the package; returns the tarball's path. */
export function pack(): string {
  const destination = mkdtempSync(join(tmpdir(), "metamorph-pack-"));
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", destination], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const name = out.trim().split("\n").pop()!;
  return join(destination, name);
}

/** The exact version the repository's lock file installed, so that an offline install finds it in the cache. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(
    execFileSync("node", ["-p", "JSON.stringify(require('./package-lock.json'))"], {
      cwd: REPO,
      encoding: "utf8",
    }),
  ) as { packages: Record<string, { version?: string }> };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/**
 * A fresh project with `files` written into it and `dependencies` installed
 * offline (package specs: the tarball's path, or name@version from the lock).
 */
export function project(
  name: string,
  packageJson: Record<string, unknown>,
  files: Record<string, string>,
  dependencies: readonly string[],
): string {
  const dir = mkdtempSync(join(tmpdir(), `metamorph-consumer-${name}-`));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${name}`, version: "1.0.0", private: true, ...packageJson }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const install = run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...dependencies],
    dir,
  );
  if (install.status !== 0) {
    throw new Error(`npm install in ${dir} failed:\n${install.stdout}\n${install.stderr}`);
  }
  return dir;
}

/** Bytes on disk below `dir`, as `du --apparent-size` counts them. */
export function bytesBelow(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesBelow(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
