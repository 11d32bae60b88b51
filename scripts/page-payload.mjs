// What the Vite plugin's page runtime weighs, and what each of our modules
// contributes to it: `npx tsx scripts/page-payload.mjs` (tsx, because it
// bundles src/ as the dev server does). The runtime is a few modules: the
// entry and its common code, which a page loads, the update engine, which
// its first edit of a class loads, and the lifecycle's forced quiescence,
// which only an edit that waits for calls in flight loads. Per module of ours, its rendered code
// minified alone (the sum exceeds a chunk's size a little: minifying a chunk at
// once shares names across modules).
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { minifySync } from "vite";
import { bundlePageRuntime } from "../src/dev/viteClient.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const chunks = await bundlePageRuntime();
const kB = (n) => `${(n / 1000).toFixed(1)} kB`.padStart(9);
const total = (list) => list.reduce((sum, c) => sum + c.code.length, 0);
const WAITING = "quiescentUpdate";
const when = (chunk) =>
  !chunk.isDynamicEntry
    ? "at load"
    : chunk.fileName === `${WAITING}.js`
      ? "when an edit waits for calls in flight"
      : "on the first edit";
const atLoad = chunks.filter((c) => when(c) === "at load");
const firstEdit = chunks.filter((c) => when(c) === "on the first edit");
console.log(
  `page runtime: ${kB(total(chunks))} minified in all; ${kB(total(atLoad))} when a page loads, ${kB(total(firstEdit))} more on its first edit, ${kB(total(chunks) - total(atLoad) - total(firstEdit))} when an edit waits for calls in flight`,
);
for (const chunk of chunks) {
  const rows = Object.entries(chunk.modules).map(([id, module]) => {
    const bytes = module.code ? minifySync("module.js", module.code).code.length : 0;
    const name = id.startsWith("\0")
      ? `(stand-in) ${id.slice(id.lastIndexOf(":") + 1).replace(root, "")}`
      : relative(root, id).replace(/^.*node_modules\//, "node_modules/");
    return { name, bytes };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  const parts = new Map();
  for (const { name, bytes } of rows) {
    const part = name.startsWith("(") ? "(stand-ins)" : name.split("/").slice(0, 2).join("/");
    parts.set(part, (parts.get(part) ?? 0) + bytes);
  }
  console.log(`\n${chunk.fileName}: ${kB(chunk.code.length)} (${when(chunk)})\n\nby part:`);
  for (const [part, bytes] of [...parts].sort((a, b) => b[1] - a[1])) {
    console.log(`${kB(bytes)}  ${part}`);
  }
  console.log("\nby module:");
  for (const { name, bytes } of rows) if (bytes > 0) console.log(`${kB(bytes)}  ${name}`);
}
