/**
 * Key files as `metamorph keygen` writes them: `<name>.key` (the private key,
 * 0600) and `<name>.pub` (the public key, 0644), PEM, each created afresh:
 * never over an existing file, never through a symbolic link.
 */
import { constants } from "node:fs";
import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidOptionError } from "../errors.js";
import { InvalidKeyError } from "./errors.js";
import { keyDirectories, refuseForeignTrust, refuseSharedKeyDir } from "./keyPlace.js";
import type { KeyPair } from "./keys.js";
import { generateKeys, privateKeyOf, publicKeyOf } from "./keys.js";

export interface KeyFiles extends KeyPair {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

/** A plain file name: `--name ../../x` wrote the keys outside the directory checked. */
export const isPlainFileName = (name: string): boolean =>
  typeof name === "string" && /^[^/\\\0]+$/.test(name) && name !== "." && name !== "..";

function requireFileName(name: string): void {
  if (isPlainFileName(name)) return;
  throw new InvalidOptionError(
    `the key files' name ${JSON.stringify(name)} is not a plain file name (no / or \\, not . or ..): the keys go in the directory given, under this name`,
    { option: "name", value: String(name) },
  );
}

// Exclusive (a file already there, or a link planted in its place, is an
// error rather than written through); no-follow where the platform has it.
const CREATE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

async function createKeyFile(path: string, text: string, mode: number): Promise<void> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, CREATE, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ELOOP") {
      throw new InvalidKeyError(
        `${path} exists; it was left alone (remove it first to make a new key, or give another --name)`,
        { path },
      );
    }
    throw error;
  }
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

/**
 * Generates a key pair into `dir` (created 0700 if missing). Refuses, before
 * writing anything, a name that is not a plain file name and a directory
 * another user owns or anyone may write; refuses to write over an existing
 * key file of either kind (a lost private key is worse than a refused
 * keygen, and a public key already there may be someone else's).
 */
export async function writeKeyFiles(dir: string, name = "release"): Promise<KeyFiles> {
  requireFileName(name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await refuseSharedKeyDir(dir);
  const keys = generateKeys();
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  await createKeyFile(privateKeyPath, keys.privateKey, 0o600);
  try {
    await createKeyFile(publicKeyPath, keys.publicKey, 0o644);
  } catch (error) {
    // Half a pair is no pair: the private key made a moment ago goes too.
    await rm(privateKeyPath, { force: true });
    throw error;
  }
  return { ...keys, privateKeyPath, publicKeyPath };
}

/** Mode bits are POSIX's; elsewhere they say nothing. */
const modeOf = async (path: string): Promise<number | undefined> =>
  process.platform === "win32" ? undefined : (await stat(path)).mode;

/**
 * Reads a PEM public key file, checked to be Ed25519 (for `listen({ trust })`
 * and `--trust`). Refused when group or others may write it, or when another
 * user than this process's (or root) owns it or a directory above it:
 * whoever can rewrite or replace the trust file can have their own bundles
 * applied. What is checked is the file opened, then read.
 */
export async function readPublicKeyFile(path: string): Promise<string> {
  const file = await open(path, "r");
  try {
    if (process.platform !== "win32") {
      const info = await file.stat();
      const { mode } = info;
      if ((mode & 0o022) !== 0) {
        throw new InvalidKeyError(
          `${path} is writable by ${who(mode, 0o020)} (mode ${octal(mode)}): whoever can write it can have their bundles trusted; chmod go-w ${path}`,
          { path, mode: octal(mode) },
        );
      }
      await refuseForeignTrust(path, info);
    }
    const pem = await file.readFile("utf8");
    publicKeyOf(pem);
    return pem;
  } finally {
    await file.close();
  }
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

/** Who may write a file of `mode` besides its owner (`group`: the group's write bit). */
const who = (mode: number, group: number) =>
  mode & group ? (mode & (group >> 3) ? "its group and others" : "its group") : "others";
const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * What a person should fix about where a key file lives, one warning each,
 * naming the path and the chmod to run: a private key others may read or
 * write (whoever writes it can put in a key they know, and the bundles you
 * sign are theirs to forge too), and a directory others may write — of a
 * private or a public key (for which the file itself, writable, is refused
 * by readPublicKeyFile): whoever writes the directory can replace the file
 * with their own; for a path that is a link, the real file's directory
 * too. Warned about, not refused: shared deploy hosts and secret mounts are
 * often so, and the operator decides.
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
  for (const { dir, file } of await keyDirectories(path)) {
    const { mode } = await stat(dir);
    if ((mode & 0o022) !== 0) {
      warnings.push(
        `the key directory ${dir} is writable by ${who(mode, 0o020)} (mode ${octal(mode)}): whoever can write it can replace ${file} with a key of their own; chmod go-w ${dir}`,
      );
    }
  }
  return warnings;
}

/** Reads a PEM private key file, checked to be Ed25519 (for `metamorph pack --key`). */
export async function readPrivateKeyFile(path: string): Promise<string> {
  const pem = await readFile(path, "utf8");
  privateKeyOf(pem);
  return pem;
}
