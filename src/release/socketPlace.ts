/**
 * Where a control socket lives, and making that place safe: a runtime
 * directory only the owner can enter (created 0700), a socket file 0600,
 * and never a socket someone else is serving or a file that is not a socket.
 */
import { mkdir, lstat, stat, unlink } from "node:fs/promises";
import { createConnection } from "node:net";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { ControlSocketError } from "./errors.js";

/** `$XDG_RUNTIME_DIR/metamorph`, or `<tmpdir>/metamorph-<uid>` where there is none. */
export function defaultRuntimeDir(): string {
  return runtimeDirs()[0]!;
}

/**
 * Where a default socket may live, in order. Without a runtime directory,
 * `<tmpdir>/metamorph-<uid>` can be made first by another user (the
 * temporary directory is everyone's): refused, it is no reason to run
 * without a control socket, so `~/.metamorph/run` — which only the user
 * (and root) can create — comes next. Server and client take the same
 * first acceptable one.
 */
function runtimeDirs(): string[] {
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (xdg) return [join(xdg, "metamorph")];
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  const home = homedir();
  return [
    join(tmpdir(), `metamorph-${uid}`),
    ...(isAbsolute(home) && home !== "/" ? [join(home, ".metamorph", "run")] : []),
  ];
}

/** The socket a process listens on by default (`metamorph apply --to <pid>` finds it here). */
export function defaultSocketPath(pid: number = process.pid): string {
  return join(defaultRuntimeDir(), `${pid}.sock`);
}

/**
 * The socket a `--to` argument names: a process id (digits) means that
 * process's default socket, anything else is a path.
 */
export function controlPath(to: string): string {
  return /^\d+$/.test(to) ? defaultSocketPath(Number(to)) : to;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, "0");
}

/**
 * The longest socket path the platform takes (`sun_path` less its final
 * NUL). Node hands a longer one on, and the kernel cut it short: the server
 * listened somewhere else than the private directory checked, and a client
 * reached whatever answered there.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === "linux" ? 107 : 103;

export const fitsSocketPath = (path: string): boolean =>
  Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;

function refuseLongPath(path: string): void {
  if (fitsSocketPath(path)) return;
  const bytes = Buffer.byteLength(path);
  throw new ControlSocketError(
    `the socket path ${path} is ${bytes} bytes long, more than the ${MAX_SOCKET_PATH_BYTES} a Unix socket path may have here; use a shorter one (a shorter runtime directory)`,
    { path, bytes, max: MAX_SOCKET_PATH_BYTES },
  );
}

/** Refuses a directory that another user owns or can enter. */
async function refuseSharedDir(dir: string, whose: string, anyOwner = false): Promise<void> {
  const st = await stat(dir);
  if (!anyOwner && typeof process.getuid === "function" && st.uid !== process.getuid()) {
    throw new ControlSocketError(
      `the socket directory ${dir} belongs to another user (uid ${st.uid}); use a directory of your own (and deliver as the service's user)`,
      { dir, uid: st.uid },
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ControlSocketError(
      `the socket directory ${dir} is open to other users (mode ${octal(st.mode)}); use one only ${whose} can enter (chmod 700)`,
      { dir, mode: octal(st.mode) },
    );
  }
}

/** Creates the directory 0700 if missing, and refuses one that another user owns or can enter. */
async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await refuseSharedDir(dir, "you");
}

/**
 * The default socket a server listens on: in the first runtime directory
 * it can make private. A refused one (another user made it first) is
 * passed over with a warning that names it — the service still gets a
 * control socket, in the next place (runtimeDirs).
 */
export async function defaultListenPath(pid: number = process.pid): Promise<string> {
  const dirs = runtimeDirs();
  for (const [i, dir] of dirs.entries()) {
    try {
      await ensurePrivateDir(dir);
      return join(dir, `${pid}.sock`);
    } catch (error) {
      if (!(error instanceof ControlSocketError) || i === dirs.length - 1) throw error;
      process.emitWarning(`${error.message}; the control socket goes in ${dirs[i + 1]} instead`, {
        code: error.code,
      });
    }
  }
  throw new ControlSocketError("no runtime directory for the control socket", {});
}

/**
 * The socket a client reaches for a default path: the first runtime
 * directory that exists and is private to this user (the one the server
 * took, see defaultListenPath); any other path as it is.
 */
async function servicePathOf(path: string): Promise<string> {
  const dirs = runtimeDirs();
  const at = dirs.indexOf(dirname(path));
  if (at < 0) return path;
  let refused: ControlSocketError | undefined;
  for (const dir of dirs.slice(at)) {
    try {
      await refuseSharedDir(dir, "the service's user");
      return join(dir, basename(path));
    } catch (error) {
      if (!(error instanceof ControlSocketError)) continue; // not there: the server did not take it
      refused ??= error;
    }
  }
  if (refused) throw refused;
  return path;
}

/**
 * Before a client sends anything to `path`: the path fits, and its
 * directory is private to this user, as a server's always is (listen
 * refuses any other). Otherwise another user who made the directory first
 * (`<tmp>/metamorph-<uid>`, where there is no runtime directory) could
 * answer in the service's place and keep the bundle. Returns the path to
 * connect to (a default one may be in the next runtime directory).
 */
export async function checkServicePath(requested: string): Promise<string> {
  const path = await servicePathOf(requested);
  refuseLongPath(path);
  // Root may deliver to a service of another user (sudo metamorph apply
  // --to /run/…/metamorph/<pid>.sock) — whose private directory that user
  // owns — but not through root's own default directory, which another
  // user could have made first.
  const dir = dirname(path);
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  try {
    await refuseSharedDir(dir, "the service's user", root && dir !== defaultRuntimeDir());
  } catch (error) {
    if (error instanceof ControlSocketError) throw error;
    // No such directory: connecting says so.
  }
  return path;
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A live socket at the path a service was to listen on: it is someone else's, left alone. */
export function socketInUse(path: string): ControlSocketError {
  return new ControlSocketError(
    `another process already listens on ${path} (the same service started twice, or another one given the same path); its socket was left alone — stop that process, or give this one another socket path (metamorph run --control <path>)`,
    { path, inUse: true },
  );
}

/**
 * Makes `path` ready for a server to listen on: its directory private, and
 * a stale socket from a process that died removed.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  refuseLongPath(path);
  await ensurePrivateDir(dirname(path));
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new ControlSocketError(`${path} exists and is not a socket; it was left alone`, { path });
  }
  if (await answers(path)) throw socketInUse(path);
  await unlink(path);
}
