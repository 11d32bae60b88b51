/**
 * Issue 15, item 9: the time from spawning `metamorph dev` to the first
 * output of a hello-world `.ts`, beside `tsx`'s, interleaved. Printed, not
 * asserted (timings depend on the machine and its load); the figure that
 * counts is `npm run bench -- dev`. metamorph runs compiled (dist/, as a
 * user runs it) when dist/ is newer than every source file, else from source
 * (its own modules compiled by tsx on the fly: the ratio is then an upper
 * bound). What is asserted is that both print
 * the program's output, and that metamorph says nothing but its first line.
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, expect, test } from "vitest";
import { CLI, REPO, removeDir, run } from "./support.js";

let dir: string | undefined;

afterAll(() => {
  if (dir) removeDir(dir);
});

const require = createRequire(import.meta.url);
const TSX_CLI = join(dirname(require.resolve("tsx/package.json")), "dist/cli.mjs");

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** The compiled command when dist/ is up to date, else the command from source. */
function command(): { args: readonly string[]; how: string } {
  const bin = join(REPO, "dist/cli/bin.js");
  try {
    if (statSync(bin).mtimeMs >= newest(join(REPO, "src"))) return { args: [bin], how: "compiled" };
  } catch {
    // not built
  }
  return { args: CLI, how: "from source: dist/ is missing or older than src/" };
}

async function firstOutput(args: readonly string[], cwd: string): Promise<number> {
  const t0 = performance.now();
  const program = run(args, cwd);
  await program.stdout.waitFor(/^hello$/, {
    timeoutMs: 60_000,
    what: `hello from ${args.join(" ")}`,
  });
  const ms = performance.now() - t0;
  expect(
    program.stderr.all.filter((l) => l.startsWith("[metamorph]") && !/ dev: running /.test(l)),
  ).toEqual([]);
  await program.stop();
  return ms;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

test("time to first output of a hello-world, beside tsx (printed)", async () => {
  dir = mkdtempSync(join(tmpdir(), "metamorph-startup-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "main.ts"), 'console.log("hello");\n');
  const metamorph = command();
  const dev: number[] = [];
  const tsx: number[] = [];
  for (let round = 0; round < 3; round++) {
    tsx.push(await firstOutput([TSX_CLI, "main.ts"], dir));
    dev.push(await firstOutput([...metamorph.args, "dev", "main.ts"], dir));
  }
  console.log(
    `first output of a hello-world .ts: metamorph dev (${metamorph.how}) ${median(dev).toFixed(0)} ms, tsx ${median(tsx).toFixed(0)} ms (${(median(dev) / median(tsx)).toFixed(2)}×; median of 3)`,
  );
  expect(dev).toHaveLength(3);
}, 300_000);
