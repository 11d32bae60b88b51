/**
 * Whose a key's place is. A directory that a user other than this
 * process's owns can have its files replaced by that user at will,
 * whatever its mode bits say: one keygen writes into lets them swap the
 * public key before it is shipped. Root is the one other owner accepted:
 * it can do all of that anyway. Where there are no uids (Windows) nothing
 * here applies.
 */
import { stat } from "node:fs/promises";
import { InvalidKeyError } from "./errors.js";

/** This process's user (the effective one: it is what the kernel checks), or undefined without uids. */
function processUid(): number | undefined {
  return process.geteuid?.() ?? process.getuid?.();
}

/** Owned by someone else than this process's user and root. */
export function foreignOwner(uid: number): boolean {
  const me = processUid();
  return me !== undefined && uid !== me && uid !== 0;
}

const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * Refuses the directory keygen is to write into when another user owns it
 * or anyone may write it: either could replace the public key written there
 * before the operator ships it as the services' trust key. Checked before
 * anything is written.
 */
export async function refuseSharedKeyDir(dir: string): Promise<void> {
  const { uid, mode } = await stat(dir);
  if (foreignOwner(uid)) {
    throw new InvalidKeyError(
      `the key directory ${dir} belongs to another user (uid ${uid}): they could replace the public key written there before it is shipped; nothing was written — give -o a directory of your own, or a new one (keygen creates it 0700)`,
      { dir, owner: uid },
    );
  }
  if (process.platform !== "win32" && (mode & 0o002) !== 0) {
    throw new InvalidKeyError(
      `the key directory ${dir} is writable by others (mode ${octal(mode)}): anyone could replace the public key written there before it is shipped; nothing was written — chmod o-w ${dir}, or give -o a new directory (keygen creates it 0700)`,
      { dir, mode: octal(mode) },
    );
  }
}
