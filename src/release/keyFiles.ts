/**
 * Key files as `metamorph keygen` writes them: `<name>.key` (the private key,
 * 0600, never overwritten) and `<name>.pub` (the public key, 0644), PEM.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InvalidKeyError } from "./errors.js";
import type { KeyPair } from "./keys.js";
import { generateKeys, privateKeyOf, publicKeyOf } from "./keys.js";

export interface KeyFiles extends KeyPair {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

/** Generates a key pair into `dir` (created 0700 if missing). Refuses to overwrite an existing private key. */
export async function writeKeyFiles(dir: string, name = "release"): Promise<KeyFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = generateKeys();
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  try {
    // "wx": fails if the file exists; a lost private key is worse than a refused keygen.
    await writeFile(privateKeyPath, keys.privateKey, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new InvalidKeyError(
        `${privateKeyPath} exists; it was left alone (remove it first to make a new key)`,
        {
          path: privateKeyPath,
        },
      );
    }
    throw error;
  }
  await writeFile(publicKeyPath, keys.publicKey, { mode: 0o644 });
  return { ...keys, privateKeyPath, publicKeyPath };
}

/** Mode bits are POSIX's; elsewhere they say nothing. */
const modeOf = async (path: string): Promise<number | undefined> =>
  process.platform === "win32" ? undefined : (await stat(path)).mode;

/**
 * Reads a PEM public key file, checked to be Ed25519 (for `listen({ trust })`
 * and `--trust`). Refused when group or others may write it: whoever can
 * write the trust file can have their own bundles applied.
 */
export async function readPublicKeyFile(path: string): Promise<string> {
  const mode = await modeOf(path);
  if (mode !== undefined && (mode & 0o022) !== 0) {
    throw new InvalidKeyError(
      `${path} is writable by ${mode & 0o020 ? "its group" : "others"} (mode ${(mode & 0o777).toString(8)}): whoever can write it can have their bundles trusted; chmod go-w ${path}`,
      { path, mode: (mode & 0o777).toString(8) },
    );
  }
  const pem = await readFile(path, "utf8");
  publicKeyOf(pem);
  return pem;
}

/**
 * Why a private key file is exposed (readable by group or others), or
 * undefined. Warned about, not refused: secret mounts (Kubernetes') are
 * often 0644, and the key is exposed already by then.
 */
export async function privateKeyExposure(path: string): Promise<string | undefined> {
  const mode = await modeOf(path);
  if (mode === undefined || (mode & 0o044) === 0) return undefined;
  return `${path} is readable by ${mode & 0o040 ? "its group" : "others"} (mode ${(mode & 0o777).toString(8)}): whoever reads it can sign bundles your services trust; chmod 600 ${path}`;
}

const who = (mode: number, group: number) => (mode & group ? "its group" : "others");
const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * What a person should fix about where a key file lives, one warning each,
 * naming the path and the chmod to run: a private key others may read or
 * write (whoever writes it can put in a key they know, and the bundles you
 * sign are theirs to forge too), and a directory others may write — of a
 * private or a public key (for which the file itself, writable, is refused
 * by readPublicKeyFile): whoever writes the directory can replace the file
 * with their own. Warned about, not refused: shared deploy hosts and secret
 * mounts are often so, and the operator decides.
 */
export async function keyFileWarnings(path: string, kind: "private" | "public"): Promise<string[]> {
  if (process.platform === "win32") return [];
  const warnings: string[] = [];
  if (kind === "private") {
    const exposed = await privateKeyExposure(path);
    if (exposed !== undefined) warnings.push(exposed);
    const { mode } = await stat(path);
    if ((mode & 0o022) !== 0) {
      warnings.push(
        `${path} is writable by ${who(mode, 0o020)} (mode ${octal(mode)}): whoever can write it can put in a key they know, and forge the bundles you sign; chmod 600 ${path}`,
      );
    }
  }
  const dir = dirname(path);
  const { mode } = await stat(dir);
  if ((mode & 0o022) !== 0) {
    warnings.push(
      `the key directory ${dir} is writable by ${who(mode, 0o020)} (mode ${octal(mode)}): whoever can write it can replace ${basename(path)} with a key of their own; chmod go-w ${dir}`,
    );
  }
  return warnings;
}

/** Reads a PEM private key file, checked to be Ed25519 (for `metamorph pack --key`). */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const pem = await readFile(path, "utf8");
  privateKeyOf(pem);
  return pem;
}
