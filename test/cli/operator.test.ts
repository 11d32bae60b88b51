/**
 * What an operator of a `metamorph run` service is told. An update the
 * engine commits with a warning (here MM_STALE_CLOSURE: a
 * timer's closure calls a method the release removes) is not reported as
 * clean: `metamorph apply` prints each warning on its own line, `--json`
 * carries them in a `warnings` array, and `status` keeps them with the
 * release. And the service keeps a record of its control events on stderr:
 * one line each (time, command, bundle hash, outcome code), refusals
 * included, never the bundle's code. Run with `--name`, the service refuses
 * a bundle packed for another (`pack --namespace`). Unix sockets only;
 * waits bounded.
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
  expect((await space.metamorph(["keygen", "-o", "other"])).code).toBe(0);
  const forged = await space.pack("ticker-untick.patch.ts", "other/release.key", "forged.bundle");
  expect(forged.code, forged.stderr).toBe(0);
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
      "--name",
      "ticker",
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

test("each control event is one line on the service's stderr, a refusal included, never the bundle's code", async () => {
  const refused = await space.metamorph(["apply", "forged.bundle", "--to", socket]);
  expect(refused.code).toBe(1);
  const line = await service.stderr.waitFor(
    /^metamorph control: .* apply .*MM_BUNDLE_UNKNOWN_KEY/,
    {
      timeoutMs: 10_000,
    },
  );
  expect(line).toMatch(
    /^metamorph control: \d{4}-\d\d-\d\dT[\d:.]+Z apply bundle sha256:[0-9a-f]{16} → MM_BUNDLE_UNKNOWN_KEY$/,
  );
  const rolledBack = await space.metamorph(["rollback", "--to", socket]);
  expect(rolledBack.code, rolledBack.stderr).toBe(0);
  await service.stderr.waitFor(/^metamorph control: .* rollback → ok running 1\.0\.0$/, {
    timeoutMs: 10_000,
  });
  expect(service.stderr.all.join("\n")).toMatch(
    /^metamorph control: .* apply bundle sha256:\S+ → ok running 2\.0\.0$/m,
  );
  expect(service.stderr.all.join("\n")).not.toContain("this.ticks++");
});

test("run --name: a bundle packed for another service is refused (MM_RELEASE_MISMATCH), one for this one applies", async () => {
  const other = await space.pack("ticker-untick.patch.ts", "keys/release.key", "other.bundle", [
    "--namespace",
    "billing",
  ]);
  expect(other.code, other.stderr).toBe(0);
  const refused = await space.metamorph(["apply", "other.bundle", "--to", socket]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("MM_RELEASE_MISMATCH");
  expect(refused.stderr).toContain("this process serves ticker");
  const own = await space.pack("ticker-untick.patch.ts", "keys/release.key", "own.bundle", [
    "--namespace",
    "ticker",
  ]);
  expect(own.code, own.stderr).toBe(0);
  const applied = await space.metamorph(["apply", "own.bundle", "--to", socket]);
  expect(applied.code, applied.stderr).toBe(0);
  const status = await space.metamorph(["status", "--to", socket]);
  expect(status.stdout).toMatch(/^namespace ticker: running 2\.0\.0$/m);
});
