/**
 * The control socket a server made, removed — and only that one — when it
 * closes or when the process ends without closing it. A socket file left
 * behind litters the runtime directory and sends the next `metamorph apply
 * --to <pid>` to a dead path. The file is known by its device and inode,
 * taken when it is put in place: a path another process listens on now
 * (someone removed ours and started another service there) is never
 * removed.
 *
 * Node removes a listening socket's path when the server closes, whatever
 * is there by then; so the server listens on a name of its own beside the
 * path (`.<name>.<pid>.bind`), which is hard-linked to the path and
 * removed: Node's removal at close finds nothing, and this file removes the
 * path if it is still ours. The link also never replaces a file that
 * appeared at the path meanwhile (EEXIST: refused as in use).
 *
 * Ending: the process's "exit" event (process.exit, the loop running out, a
 * program that handles SIGINT/SIGTERM and exits). A SIGINT, SIGTERM or
 * SIGHUP the program does not handle would kill the process without that
 * event; for those the sockets are removed and the signal raised again
 * with its default action, so the process still dies of it. When the
 * program handles the signal itself, it is left to it: the program may go
 * on running, and its socket with it.
 */
import { lstatSync, unlinkSync } from "node:fs";
import { chmod, link, lstat, rm, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { socketInUse, fitsSocketPath } from "./socketPlace.js";

interface Owned {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const owned = new Set<Owned>();

const isOurs = (o: Owned, st: { isSocket(): boolean; dev: number; ino: number }) =>
  st.isSocket() && st.dev === o.dev && st.ino === o.ino;

function removeAllSync(): void {
  for (const o of owned) {
    try {
      if (isOurs(o, lstatSync(o.path))) unlinkSync(o.path);
    } catch {
      // Gone already, or its directory with it: nothing left to remove.
    }
  }
  owned.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeAllSync();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", removeAllSync);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off("exit", removeAllSync);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

export interface SocketOwner {
  /** Removes the socket if it is still the one this server made (call once the server closed). */
  remove(): Promise<void>;
}

/**
 * Where the server listens before its socket is put at `path` (see above);
 * `path` itself when that name would be too long for a socket (then Node
 * removes the path at close, as before).
 */
export async function bindPath(path: string): Promise<string> {
  const bound = join(dirname(path), `.${basename(path)}.${process.pid}.bind`);
  if (!fitsSocketPath(bound)) return path;
  // Ours by its name (this pid, in the private directory): left by a process that had it.
  await rm(bound, { force: true });
  return bound;
}

/**
 * Makes the socket the server listens on at `bound` owner-only and puts it
 * at `path`, this process's own from now on (removed at close or exit).
 */
export async function placeSocket(bound: string, path: string): Promise<SocketOwner> {
  await chmod(bound, 0o600);
  if (bound !== path) {
    try {
      await link(bound, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw socketInUse(path);
      throw error;
    } finally {
      await rm(bound, { force: true });
    }
  }
  const { dev, ino } = await lstat(path);
  const entry: Owned = { path, dev, ino };
  if (owned.size === 0) install();
  owned.add(entry);
  return {
    async remove() {
      if (!owned.delete(entry)) return;
      if (owned.size === 0) uninstall();
      try {
        if (isOurs(entry, await lstat(path))) await unlink(path);
      } catch {
        // Gone already: nothing to remove.
      }
    },
  };
}
