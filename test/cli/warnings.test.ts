/**
 * An update the engine commits with a warning (here MM_STALE_CLOSURE: a
 * timer's closure calls a method the release removes) is not reported as
 * clean: `metamorph apply` prints each warning on its own line, `--json`
 * carries them in a `warnings` array, and `status` keeps them with the
 * release. Unix sockets only; waits bounded.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { CLI, removeDir, run, type Running } from "../dev/support.js";
import { FIXTURES, type Workspace, workspace } from "./releaseSupport.js";

let space: Workspace;
let service: Running;
let socket: string;

beforeAll(async () => {
  space = workspace("mm-cli-warn-");
  expect((await space.metamorph(["keygen", "-o", "keys"])).code).toBe(0);
  const packed = await space.pack("ticker-untick.patch.ts", "keys/release.key", "untick.bundle");
  expect(packed.code, packed.stderr).toBe(0);
  socket = join(space.dir, "warn.sock");
  service = run(
    [
      ...CLI,
      "run",
      "--trust",
      join(space.dir, "keys/release.pub"),
      "--control",
      socket,
      "--release",
      "1.0.0",
      join(FIXTURES, "ticker/main.ts"),
    ],
    space.dir,
    {},
    { stdin: true },
  );
  await service.stdout.waitFor(/^started/, { timeoutMs: 20_000 });
}, 60_000);

afterAll(async () => {
  service?.child.stdin?.end();
  await service?.stop();
  if (space) removeDir(space.dir);
});

test("apply prints the warning, --json carries it, status keeps it", async () => {
  const applied = await space.metamorph(["apply", "untick.bundle", "--to", socket, "--json"]);
  expect(applied.code, applied.stderr).toBe(0);
  const final = JSON.parse(applied.stdout.trim().split("\n").at(-1)!) as {
    warnings?: { code: string; message: string }[];
  };
  expect(final.warnings?.map((w) => w.code)).toContain("MM_STALE_CLOSURE");
  const rolledBack = await space.metamorph(["rollback", "--to", socket]);
  expect(rolledBack.code, rolledBack.stderr).toBe(0);
  const human = await space.metamorph(["apply", "untick.bundle", "--to", socket]);
  expect(human.code, human.stderr).toBe(0);
  expect(human.stdout).toMatch(/^WARNING MM_STALE_CLOSURE: .*tick/m);
  expect(human.stdout).toMatch(/^1 warning: the update committed/m);
  const status = await space.metamorph(["status", "--to", socket]);
  expect(status.stdout).toMatch(/^ {4}warning MM_STALE_CLOSURE: /m);
  const json = await space.metamorph(["status", "--to", socket, "--json"]);
  const releases = (JSON.parse(json.stdout) as { releases: { warnings?: { code: string }[] }[] })
    .releases;
  expect(releases.at(-1)?.warnings?.[0]?.code).toBe("MM_STALE_CLOSURE");
});
