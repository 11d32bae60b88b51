/**
 * Old versions do not accumulate without bound: `metamorph dev --memory`
 * prints the heap after a full collection with every update; 200 reloads of
 * a class (a field toggled, a method changed: every instance migrates each
 * time) must not grow it by more than a small, fixed amount per reload.
 */
import { afterAll, expect, test } from "vitest";
import { CLI, copyExample, editFile, type Running, run, stopAndRemoveAfter } from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

test("200 reloads: the heap stays bounded", async () => {
  dir = copyExample("dev-counter");
  program = run([...CLI, "dev", "--memory=20", "--debounce", "0", "server.ts"], dir, { PORT: "0" });
  await program.stdout.waitFor(/listening on/, { timeoutMs: 20_000, what: "the example to start" });
  const heaps: number[] = [];
  const reloads = 200;
  for (let i = 1; i <= reloads; i++) {
    const from = program.stderr.all.length;
    editFile(`${dir}/counter.ts`, (t) =>
      i % 2 === 1
        ? t
            .replace("  count = 0;", "  count = 0;\n  extra = 0;")
            .replace(
              /return `\$\{this\.name\}: \$\{this\.count\}[^`]*`/,
              `return \`\${this.name}: \${this.count} v${i}\``,
            )
        : t
            .replace("  extra = 0;\n", "")
            .replace(
              /return `\$\{this\.name\}: \$\{this\.count\}[^`]*`/,
              `return \`\${this.name}: \${this.count} v${i}\``,
            ),
    );
    const line = await program.stderr.waitFor(/updated Counter|error/, {
      from,
      what: `reload ${i}`,
    });
    if (!line.includes("updated")) throw new Error(`reload ${i} failed: ${line}`);
    const heap = /heap ([\d.]+) MB/.exec(line);
    if (i % 20 === 0 && !heap) throw new Error(`reload ${i} printed no heap size: ${line}`);
    if (heap) heaps.push(Number(heap[1]));
  }
  // heaps[k] is the heap after reload 20 (k + 1).
  const afterWarmUp = heaps[0]!;
  const last = heaps[heaps.length - 1]!;
  const perReload = (last - afterWarmUp) / (reloads - 20);
  if (process.env.METAMORPH_TEST_VERBOSE) {
    console.log(
      `heap after reloads 20, 40, …, ${reloads}: ${heaps.join(", ")} MB; ${(perReload * 1000).toFixed(1)} kB per reload`,
    );
  }
  const response = await fetch(
    `${/http:\/\/127\.0\.0\.1:\d+/.exec(program.stdout.all.join("\n"))![0]}/call/a/describe`,
  );
  expect(await response.json()).toBe(`a: 0 v${reloads}`);
  // Bounded: well under 50 kB retained per reload on average.
  expect(perReload).toBeLessThan(0.05);
}, 60_000);
