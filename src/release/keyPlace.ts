/**
 * Whose a key's place is. A key file, or a directory it hangs from, that a
 * user other than this process's owns can be rewritten or replaced by that
 * user at will, whatever its mode bits say: a trusted key so placed lets
 * them have their own bundles applied, and a directory keygen writes into
 * lets them swap the public key before it is shipped. Root is the one
 * other owner accepted: it can do all of that anyway. Where there are no
 * uids (Windows) nothing here applies.
 */
import { realpath, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
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

/** The directory and each one above it, up to the root. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let at = dir; dirname(at) !== at; at = dirname(at)) out.push(dirname(at));
  return out;
}

/**
 * The directories whose owner can replace the file `path` names: the one
 * the path names it in (a symbolic link lives there) and, after resolving
 * links, the real file's directory and every one above it (whoever owns
 * one can rename what is below it away and put their own in its place).
 */
async function directoriesOver(path: string): Promise<string[]> {
  const real = await realpath(path);
  return [...new Set([dirname(path), ...ancestors(dirname(real))])];
}

/**
 * Refuses (InvalidKeyError, as a trust file others may write is) a trusted
 * key file, given with what `stat` said of it, that another user owns, or
 * that sits under a directory another user owns.
 */
export async function refuseForeignTrust(
  path: string,
  file: { readonly uid: number },
): Promise<void> {
  if (processUid() === undefined) return;
  if (foreignOwner(file.uid)) {
    throw new InvalidKeyError(
      `${path} belongs to another user (uid ${file.uid}): whoever owns it can rewrite it at will and have their bundles trusted; give it to the service's user or root (chown), or trust a copy of your own`,
      { path, owner: file.uid },
    );
  }
  for (const dir of await directoriesOver(path)) {
    const { uid } = await stat(dir);
    if (!foreignOwner(uid)) continue;
    throw new InvalidKeyError(
      `${path} is under ${dir}, which belongs to another user (uid ${uid}): whoever owns it can replace ${basename(path)} with a key of their own and have their bundles trusted; keep the trusted key in directories the service's user or root owns`,
      { path, dir, owner: uid },
    );
  }
}

/**
 * The directories a warning about who may write them is for: the one the
 * path names and, when the path is a link to a file elsewhere, the real
 * file's (checking only the link's would miss a key in an open directory).
 * Each with the file name that lives in it.
 */
export async function keyDirectories(
  path: string,
): Promise<{ readonly dir: string; readonly file: string }[]> {
  const named = { dir: dirname(path), file: basename(path) };
  const real = await realpath(path);
  if ((await realpath(named.dir)) === dirname(real)) return [named];
  return [named, { dir: dirname(real), file: basename(real) }];
}

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
