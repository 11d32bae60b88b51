// What the Vite plugin's page runtime weighs, and what each of our modules
// contributes to it: `npx tsx scripts/page-payload.mjs` (tsx, because it
// bundles src/ as the dev server does). The total is the module the page gets;
// per module, its rendered code minified alone (the sum exceeds the total a
// little: minifying the whole bundle at once shares names across modules).
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { minifySync } from "vite";
import { bundlePageRuntime } from "../src/dev/viteClient.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const chunk = await bundlePageRuntime();
const rows = Object.entries(chunk.modules).map(([id, module]) => {
  const bytes = module.code ? minifySync("module.js", module.code).code.length : 0;
  const name = id.startsWith("\0")
    ? `(stand-in) ${id.slice(id.lastIndexOf(":") + 1).replace(root, "")}`
    : relative(root, id).replace(/^.*node_modules\//, "node_modules/");
  return { name, bytes };
});
rows.sort((a, b) => b.bytes - a.bytes);
const kB = (n) => `${(n / 1000).toFixed(1)} kB`.padStart(9);
const parts = new Map();
for (const { name, bytes } of rows) {
  const part = name.startsWith("(") ? "(stand-ins)" : name.split("/").slice(0, 2).join("/");
  parts.set(part, (parts.get(part) ?? 0) + bytes);
}
console.log(`page runtime: ${kB(chunk.code.length)} minified, one module\n\nby part:`);
for (const [part, bytes] of [...parts].sort((a, b) => b[1] - a[1])) {
  console.log(`${kB(bytes)}  ${part}`);
}
console.log("\nby module:");
for (const { name, bytes } of rows) if (bytes > 0) console.log(`${kB(bytes)}  ${name}`);
