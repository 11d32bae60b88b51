/**
 * Where `metamorph pack -o` may write: a new file, or over a bundle (packing
 * again to the same path) — never the private key it signs with or any file
 * holding a private key, never through a symbolic link, never over any other
 * file. A typo (`-o release.key`) replaced the signing key with the bundle.
 * The bundle is written beside its place and renamed onto it, so that what
 * is at the path is replaced whole and a link put there meanwhile is
 * replaced, not followed.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { lstat, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { MetamorphError } from "../../errors.js";
import { BUNDLE_FORMAT } from "../../release/bundle.js";
import { InvalidKeyError } from "../../release/errors.js";
import { MAX_BUNDLE_BYTES } from "../../release/readBundle.js";

/** A place a command will not write its output to (MM_FILE_ACCESS, as a file it cannot write). */
export class OutputFileError extends MetamorphError {
  readonly code = "MM_FILE_ACCESS";
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Text pack wrote before: JSON whose format is a bundle's (it need not verify, nor be of this version). */
function isBundleText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { format?: unknown }).format === BUNDLE_FORMAT
    );
  } catch {
    return false;
  }
}

async function existing(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Refuses an `-o` pack must not write to; resolves when it may: nothing is
 * there, or a bundle is. The private key refused as such: MM_INVALID_KEY.
 */
export async function checkBundleOut(out: string, keyPath: string): Promise<void> {
  const info = await existing(out);
  if (info === undefined) return;
  const nothing = "nothing was written";
  if (info.isSymbolicLink()) {
    throw new OutputFileError(
      `-o ${out} is a symbolic link: pack does not write through one (it may lead to a key, or to anything); ${nothing} — give -o the bundle file's own path, or remove the link`,
      { path: out },
    );
  }
  const key = await stat(keyPath);
  if (info.dev === key.dev && info.ino === key.ino) {
    throw new InvalidKeyError(
      `-o ${out} is the private key given to --key: the bundle would replace it; ${nothing} — give -o the bundle file's path`,
      { path: out, key: keyPath },
    );
  }
  if (!info.isFile()) {
    throw new OutputFileError(`-o ${out} exists and is not a regular file; ${nothing}`, {
      path: out,
    });
  }
  // A bundle pack writes is never larger; a larger file is something else.
  const text = info.size <= MAX_BUNDLE_BYTES ? await readFile(out, "utf8") : "";
  if (PRIVATE_KEY_PEM.test(text)) {
    throw new InvalidKeyError(
      `-o ${out} holds a private key: the bundle would replace it; ${nothing} — give -o the bundle file's path`,
      { path: out },
    );
  }
  if (!isBundleText(text)) {
    throw new OutputFileError(
      `-o ${out} exists and is not a bundle: pack replaces only a bundle (packing again to the same path); ${nothing} — remove it first, or give -o another path`,
      { path: out },
    );
  }
}

// Exclusive, and no-follow where the platform has it: the temporary file is new, ours.
const CREATE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** Writes the bundle's text to `out` once checkBundleOut allows it (checked again here, just before). */
export async function writeBundleFile(out: string, text: string, keyPath: string): Promise<void> {
  await checkBundleOut(out, keyPath);
  const temp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const file = await open(temp, CREATE, 0o666);
    try {
      await file.writeFile(text);
    } finally {
      await file.close();
    }
    await rename(temp, out);
  } catch (error) {
    await rm(temp, { force: true });
    // The place the person named, not the temporary file beside it.
    const e = error as NodeJS.ErrnoException;
    if (e.path === temp) e.path = out;
    throw error;
  }
}
