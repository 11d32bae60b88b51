/**
 * The release commands end to end (issue 14, items 2 and 5): keygen → pack →
 * inspect, and apply / status / rollback / permanent against a small service
 * in a child process that opened its control socket with `listen`. Unix
 * sockets in a private temporary directory only; every wait is bounded.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { paint } from "../../src/cli/commands/paint.js";
import { CLI, removeDir, run, type Running } from "../dev/support.js";
import { FIXTURES, type Workspace, workspace } from "./releaseSupport.js";

let space: Workspace;
let dir: string;
const marker = () => space.marker;
const metamorph = (args: readonly string[]) => space.metamorph(args);
const pack = (module: string, key: string, out: string, extra: readonly string[] = []) =>
  space.pack(module, key, out, extra);

beforeAll(async () => {
  space = workspace("mm-cli-release-");
  dir = space.dir;
  const keys = await Promise.all([
    metamorph(["keygen", "-o", "keys"]),
    metamorph(["keygen", "-o", "other"]),
  ]);
  expect(keys.map((k) => k.code)).toEqual([0, 0]);
  const packed = await Promise.all([
    pack("v2.patch.ts", "keys/release.key", "v2.bundle.json", ["--timeout", "5000"]),
    pack("v2.patch.ts", "other/release.key", "v2-other.bundle.json"),
    pack("evil.patch.mjs", "other/release.key", "evil.bundle.json"),
    pack("refused.patch.ts", "keys/release.key", "refused.bundle.json"),
  ]);
  expect(packed.map((p) => p.code)).toEqual([0, 0, 0, 0]);
}, 60_000);

afterAll(() => {
  if (dir) removeDir(dir);
});

describe("keygen, pack, inspect", () => {
  test("the round trip: inspect shows what pack signed, with the key keygen made", async () => {
    const keyId = /key ([0-9a-f]{32})/.exec(
      (await metamorph(["keygen", "-o", "more"])).stdout,
    )?.[1];
    expect(keyId).toBeDefined();
    expect((await pack("v2.patch.ts", "more/release.key", "more.bundle.json")).code).toBe(0);
    const inspected = await metamorph(["inspect", "more.bundle.json"]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain("release:   1.0.0 → 2.0.0");
    expect(inspected.stdout).toContain(`signed by: key ${keyId} (not verified)`);
    expect(inspected.stdout).toContain("Counter: add field doubled = 0");
    expect(inspected.stdout).toContain("Counter: replace method label()");
    expect(readFileSync(join(dir, "more/release.key"), "utf8")).toMatch(/BEGIN PRIVATE KEY/);
  }, 60_000);

  test("pack reads a named `patches` array, and the options it was given", async () => {
    const packed = await pack("many.patch.mjs", "keys/release.key", "many.bundle.json", [
      "--policy",
      "lazy",
      "--force-quiescence",
      "--health-window",
      "2000",
    ]);
    expect(packed.code).toBe(0);
    const inspected = await metamorph(["inspect", "many.bundle.json"]);
    expect(inspected.stdout).toContain("patches (2):");
    expect(inspected.stdout).toContain(
      "options:   policy lazy, forced quiescence, health-check window 2000 ms",
    );
  }, 60_000);

  test("inspect compiles nothing: a bundle whose code writes a file leaves no file", async () => {
    const inspected = await metamorph(["inspect", "evil.bundle.json"]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain("writeFileSync");
    expect(existsSync(marker())).toBe(false);
  }, 30_000);

  test("refusals exit 1 with the typed code", async () => {
    const again = await metamorph(["keygen", "-o", "keys"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MM_INVALID_KEY");
    const none = await pack("nothing.patch.mjs", "keys/release.key", "x.json");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("MM_PATCH_MODULE");
    writeFileSync(join(dir, "garbage.json"), "{ not a bundle");
    const garbage = await metamorph(["inspect", "garbage.json"]);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain("MM_BUNDLE_MALFORMED");
    // A file that is not there: a typed code and the file's name, once.
    const missing = await metamorph(["apply", "nonexist.bundle", "--to", "1"]);
    expect(missing).toMatchObject({
      code: 1,
      stderr:
        "metamorph apply: error MM_FILE_ACCESS: nonexist.bundle: no such file or directory (ENOENT)\n",
    });
    // A directory: Node's error names no file; the refusal does.
    expect(await metamorph(["apply", ".", "--to", "1"])).toMatchObject({
      code: 1,
      stderr: "metamorph apply: error MM_FILE_ACCESS: .: is a directory (EISDIR)\n",
    });
  }, 60_000);
});

describe("failures print a coded line, never Node's stack", () => {
  test("a patch module that fails to load (syntax error, a throw at its top level) is MM_PATCH_MODULE naming it", async () => {
    writeFileSync(join(dir, "bad.patch.mjs"), "export default (\n");
    writeFileSync(join(dir, "throw.patch.mjs"), 'throw new Error("oops at load");\n');
    for (const [module, says] of [
      ["bad.patch.mjs", "bad.patch.mjs failed to load: SyntaxError"],
      ["throw.patch.mjs", "throw.patch.mjs failed to load: Error: oops at load (at file://"],
    ]) {
      const packed = await metamorph([
        "pack",
        module!,
        ...["--key", "keys/release.key", "--from", "1", "--to", "2", "-o", "x.json"],
      ]);
      expect(packed.code).toBe(1);
      expect(packed.stderr).toContain(`metamorph pack: error MM_PATCH_MODULE: ${says}`);
      expect(packed.stderr).not.toMatch(/^\s+at /m);
    }
  }, 60_000);

  test("a bundle file over the bound is refused before it is read; an empty one and a FIFO are named", async () => {
    const huge = join(dir, "huge.bundle");
    writeFileSync(huge, "");
    truncateSync(huge, 200 * 1024 * 1024);
    expect(await metamorph(["apply", "huge.bundle", "--to", "1"])).toMatchObject({
      code: 1,
      stderr: `metamorph apply: error MM_BUNDLE_OVERSIZE: huge.bundle: ${200 * 1024 * 1024} bytes, over the 4194304 bytes a bundle may have; it was not read\n`,
    });
    writeFileSync(join(dir, "empty.bundle"), "");
    expect(await metamorph(["apply", "empty.bundle", "--to", "1"])).toMatchObject({
      code: 1,
      stderr: "metamorph apply: error MM_BUNDLE_MALFORMED: empty.bundle: the file is empty\n",
    });
    if (process.platform !== "win32") {
      execFileSync("mkfifo", [join(dir, "fifo.bundle")]);
      expect(await metamorph(["inspect", "fifo.bundle"])).toMatchObject({
        code: 1,
        stderr: "metamorph inspect: error MM_FILE_ACCESS: fifo.bundle: not a regular file\n",
      });
    }
  }, 60_000);
});

describe("usage errors exit 2 and name what is wrong", () => {
  test.each([
    [["apply", "v2.bundle.json"], "option --to is required"],
    [
      ["apply", "v2.bundle.json", "--to", "1", "--bogus"],
      "metamorph apply: unknown option --bogus\n",
    ],
    [["status", "--to", "1", "--bogus"], "metamorph status: unknown option --bogus\n"],
    [["pack", "m.ts", "--bogus"], "metamorph pack: unknown option --bogus\n"],
    [
      ["apply", "v2.bundle.json", "--prepare", "--expires-in", "99999999", "--to", "1"],
      'metamorph apply: option --expires-in needs a whole number of ms from 1 to 3600000, got "99999999"\n',
    ],
    [["apply", "--to", "1"], "missing <bundle>"],
    [["status", "--to"], "metamorph status: option --to needs a value\n"],
    [["pack", "m.ts", "--key", "k", "--from", "1", "--to", "2"], "option --out is required"],
    [
      ["pack", "m.ts", "--key", "k", "--from", "1", "--to", "2", "-o", "x", "--timeout", "soon"],
      "option --timeout needs a whole number",
    ],
    [
      ["pack", "m.ts", "--key", "k", "--from", "1", "--to", "2", "-o", "x", "--policy", "now"],
      "option --policy needs one of eager, lazy, progressive",
    ],
    [["keygen"], "option --out is required"],
    [["inspect", "a", "b"], 'unexpected argument "b"'],
    // Node runs a longer timer after 1 ms.
    [
      [
        "pack",
        "m.ts",
        "--key",
        "k",
        "--from",
        "1",
        "--to",
        "2",
        "-o",
        "x",
        "--timeout",
        "2147483648",
      ],
      "option --timeout needs a whole number of ms from 0 to 2147483647",
    ],
    [["status", "--to", ""], "option --to needs a process id or a socket path"],
  ])(
    "metamorph %j",
    async (args, named) => {
      const result = await metamorph(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(named);
      expect(result.stderr).toContain(`usage: metamorph ${args[0]}`);
    },
    30_000,
  );

  test("--help of each command exits 0 with its usage; metamorph --help lists them", async () => {
    const commands = ["keygen", "pack", "inspect", "apply", "status", "rollback", "permanent"];
    const helps = await Promise.all(commands.map((command) => metamorph([command, "--help"])));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: metamorph ${commands[i]}`));
    });
    // Forced quiescence sees only the calls of classes tracked from start-up:
    // the option's help says where the service must pass its tracker.
    expect(helps[1]!.stdout).toMatch(/--force-quiescence[\s\S]*listen\(\{ tracker \}\)/);
    const main = await metamorph(["--help"]);
    expect(main.stdout).toContain("apply <file>");
    expect(main.stdout).toContain("dev <entry>");
  }, 60_000);
});

describe("apply, status, rollback, permanent against a running service", () => {
  let service: Running;
  let pid: string;
  let socket: string;

  /** The service's objects as it sees them. */
  async function state(): Promise<{ count: number; doubled?: number; label: string }[]> {
    const from = service.stdout.all.length;
    service.send("show");
    const line = await service.stdout.waitFor(/^state /, { from, what: "the service's state" });
    return JSON.parse(line.slice("state ".length));
  }

  async function runningVersion(): Promise<string> {
    const status = await metamorph(["status", "--to", pid, "--json"]);
    expect(status.code).toBe(0);
    return JSON.parse(status.stdout.trim()).version;
  }

  const ORIGINAL = [
    { count: 1, label: "v1:1" },
    { count: 2, label: "v1:2" },
    { count: 3, label: "v1:3" },
  ];

  beforeAll(async () => {
    // No socket argument: the service listens on <XDG_RUNTIME_DIR>/metamorph/<pid>.sock.
    service = run(
      [...CLI.slice(0, 2), join(FIXTURES, "service.ts"), join(dir, "keys/release.pub")],
      dir,
      { XDG_RUNTIME_DIR: space.runtimeDir },
      { stdin: true },
    );
    const ready = await service.stdout.waitFor(/^ready /, { timeoutMs: 20_000 });
    socket = ready.slice("ready ".length);
    pid = String(service.child.pid);
    expect(socket).toBe(join(space.runtimeDir, "metamorph", `${pid}.sock`));
  }, 30_000);

  afterAll(async () => {
    service?.child.stdin?.end();
    await service?.stop();
  });

  test("a bundle with one byte changed is refused (bad signature), nothing changed", async () => {
    const text = readFileSync(join(dir, "v2.bundle.json"), "utf8");
    const at = text.indexOf("v2:");
    expect(at).toBeGreaterThan(0);
    writeFileSync(join(dir, "tampered.json"), `${text.slice(0, at)}v9:${text.slice(at + 3)}`);
    const result = await metamorph(["apply", "tampered.json", "--to", pid]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("MM_BUNDLE_BAD_SIGNATURE");
    expect(await runningVersion()).toBe("1.0.0");
    expect(await state()).toEqual(ORIGINAL);
  }, 60_000);

  test("a bundle signed by a key the service does not trust is refused, and its code never ran", async () => {
    const wrong = await metamorph(["apply", "v2-other.bundle.json", "--to", pid]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("MM_BUNDLE_UNKNOWN_KEY");
    const evil = await metamorph(["apply", "evil.bundle.json", "--to", pid, "--json"]);
    expect(evil.code).toBe(1);
    expect(JSON.parse(evil.stdout.trim())).toMatchObject({
      type: "error",
      code: "MM_BUNDLE_UNKNOWN_KEY",
    });
    expect(existsSync(marker())).toBe(false);
    expect(await runningVersion()).toBe("1.0.0");
    expect(await state()).toEqual(ORIGINAL);
  }, 60_000);

  test("a refused update prints its validation report once, under the command typed (apply, also for --prepare)", async () => {
    const refused = await metamorph(["apply", "refused.bundle.json", "--to", pid]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("doubled must be odd")).toHaveLength(1 + 3);
    const last = refused.stderr.slice(refused.stderr.indexOf("metamorph apply: error"));
    expect(last).toMatch(
      /^metamorph apply: error MM_VALIDATION_FAILED: failed, still running 1\.0\.0: refused, nothing changed: patch refused failed validation\n {2}- \[doubled is odd\] Counter: Counter instance #\d: doubled must be odd\n/,
    );
    expect(last.split("doubled must be odd")).toHaveLength(1 + 3);
    expect(refused.stderr).toMatch(
      /^lifecycle failed at .* \(refused, nothing changed: patch refused failed validation …\)$/m,
    );
    const prepared = await metamorph(["apply", "refused.bundle.json", "--prepare", "--to", pid]);
    expect(prepared.code).toBe(1);
    expect(prepared.stderr).toMatch(/^metamorph apply: error MM_VALIDATION_FAILED: /m);
    expect(prepared.stderr).not.toMatch(/metamorph prepare/);
    expect(await runningVersion()).toBe("1.0.0");
    expect(await state()).toEqual(ORIGINAL);
  }, 60_000);

  test("apply --json streams progress lines and commits; the objects are migrated", async () => {
    const result = await metamorph(["apply", "v2.bundle.json", "--to", pid, "--json"]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const kinds = lines.filter((l) => l.type === "progress").map((l) => l.kind);
    expect(kinds[0]).toBe("verified");
    expect(kinds).toContain("phase");
    expect(kinds.at(-1)).toBe("committed");
    expect(lines.at(-1)).toMatchObject({
      type: "result",
      ok: true,
      status: "committed",
      version: "2.0.0",
      migrated: 3,
    });
    expect(await state()).toEqual([
      { count: 1, doubled: 2, label: "v2:1" },
      { count: 2, doubled: 4, label: "v2:2" },
      { count: 3, doubled: 6, label: "v2:3" },
    ]);
  }, 60_000);

  test("the same bundle again is a replay: refused, still on 2.0.0", async () => {
    const replay = await metamorph(["apply", "v2.bundle.json", "--to", socket]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain("MM_RELEASE_MISMATCH");
    expect(await runningVersion()).toBe("2.0.0");
  }, 60_000);

  test("status shows the history; rollback returns to 1.0.0, then has nothing to roll back", async () => {
    const status = await metamorph(["status", "--to", pid]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("namespace shop: running 2.0.0");
    expect(status.stdout).toMatch(/2\.0\.0\s+current/);
    expect(status.stdout).toMatch(/1\.0\.0\s+permanent\s+started with/);
    const back = await metamorph(["rollback", "--to", pid]);
    expect(back).toMatchObject({ code: 0, stdout: "rolled back: running 1.0.0\n" });
    expect(await state()).toEqual(ORIGINAL);
    const again = await metamorph(["rollback", "--to", pid]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MM_RELEASE_STATE");
  }, 60_000);

  test("apply for a person, then permanent: no way back", async () => {
    const result = await metamorph(["apply", "v2.bundle.json", "--to", socket]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^committed: 1\.0\.0 → 2\.0\.0, running 2\.0\.0; 3 objects migrated/,
    );
    expect(result.stderr).toMatch(/^verified {2}bundle [0-9a-f]{16}/m);
    expect(result.stderr).toMatch(/^phase {5}\w+: /m);
    expect(result.stderr).toMatch(/^committed 3 objects migrated/m);
    // Not a terminal: no colour.
    expect(result.stderr).not.toContain("\u001b[");
    const permanent = await metamorph(["permanent", "--to", pid]);
    expect(permanent).toMatchObject({ code: 0, stdout: "release 2.0.0 is permanent\n" });
    const twice = await metamorph(["permanent", "--to", pid]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("MM_RELEASE_STATE");
    const back = await metamorph(["rollback", "--to", pid, "--json"]);
    expect(back.code).toBe(1);
    expect(JSON.parse(back.stdout.trim())).toMatchObject({ code: "MM_RELEASE_STATE" });
    expect(await state()).toEqual([
      { count: 1, doubled: 2, label: "v2:1" },
      { count: 2, doubled: 4, label: "v2:2" },
      { count: 3, doubled: 6, label: "v2:3" },
    ]);
  }, 60_000);

  test("a service that takes the request and never answers: exit 3, the outcome unknown", async () => {
    const { createServer } = await import("node:net");
    const path = join(dir, "silent.sock");
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const result = await metamorph(["apply", "v2.bundle.json", "--to", path, "--timeout", "300"]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /error MM_CONTROL_TIMEOUT: no answer from .* within 300 ms; the service may still carry the request out \(metamorph status tells\)/,
      );
    } finally {
      server.close();
    }
  }, 30_000);

  test("no service at the socket: exit 1 with MM_CONTROL_SOCKET", async () => {
    const result = await metamorph(["status", "--to", join(dir, "nobody.sock")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("MM_CONTROL_SOCKET");
  }, 30_000);
});

test("paint colours only where colour is allowed", () => {
  expect(paint(false, "red", "error")).toBe("error");
  expect(paint(true, "red", "error")).toBe("\u001b[31merror\u001b[39m");
});
