/**
 * Without XDG_RUNTIME_DIR, another local user can make `<tmp>/metamorph-<uid>`
 * first. The directory is refused, but the service is not taken down: its
 * socket goes in `~/.metamorph/run`, which only its user can make, with a
 * warning naming both; `--to <pid>` finds it there.
 */
import { chmod, chown, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { Namespace } from "../../src/index.js";
import { connect, controlPath, generateKeys, listen } from "../../src/release/index.js";
import { privateDir } from "./support.js";

const saved = {
  TMPDIR: process.env.TMPDIR,
  HOME: process.env.HOME,
  XDG: process.env.XDG_RUNTIME_DIR,
};
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const [key, value] of [
    ["TMPDIR", saved.TMPDIR],
    ["HOME", saved.HOME],
    ["XDG_RUNTIME_DIR", saved.XDG],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

test.skipIf(process.platform === "win32")(
  "a pre-empted <tmp>/metamorph-<uid>: the socket goes in ~/.metamorph/run, said in a warning; --to <pid> reaches it",
  async () => {
    const { dir, remove } = await privateDir();
    cleanups.push(remove);
    const tmp = join(dir, "tmp");
    const home = join(dir, "home");
    await mkdir(tmp, { recursive: true });
    await mkdir(home, { recursive: true });
    process.env.TMPDIR = tmp;
    process.env.HOME = home;
    delete process.env.XDG_RUNTIME_DIR;
    // Another user's directory: owned by another uid where the test may chown, open to all otherwise.
    const taken = join(tmp, `metamorph-${process.getuid!()}`);
    await mkdir(taken, { mode: 0o777 });
    await chmod(taken, 0o777);
    if (process.getuid!() === 0) await chown(taken, 4321, 4321);
    const warnings: string[] = [];
    vi.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => {
      warnings.push(String(w));
    });
    const keys = generateKeys();
    const server = await listen({ trust: [keys.publicKey], namespace: new Namespace("shop") });
    cleanups.push(() => server.close());
    expect(server.path).toBe(join(home, ".metamorph", "run", `${process.pid}.sock`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`the socket directory ${taken}`);
    expect(warnings[0]).toContain(
      `the control socket goes in ${join(home, ".metamorph", "run")} instead`,
    );
    const status = await connect(controlPath(String(process.pid))).status();
    expect(status).toMatchObject({ type: "result", ok: true, version: "0" });
  },
);
