// Prints the catalogue's counts per phase and in total, and the issue-12 items
// still failing (known cases):
// `node --allow-natives-syntax --import tsx test/catalogue/counts.ts`. The same
// totals are printed by the catalogue test when it runs.
import { tallyOf } from "./support.js";
import { allCases, tables } from "./tables.js";

const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(
  `${pad("phase", 12)}${pad("cases", 7)}${pad("refused", 9)}${pad("accepted", 10)}known failing`,
);
for (const [phase, cases] of tables) {
  const t = tallyOf(cases);
  console.log(
    `${pad(phase, 12)}${pad(cases.length, 7)}${pad(t.refused, 9)}${pad(t.accepted, 10)}${t.known}`,
  );
}
const total = tallyOf(allCases);
console.log(
  `${pad("total", 12)}${pad(allCases.length, 7)}${pad(total.refused, 9)}${pad(total.accepted, 10)}${total.known}`,
);
console.log("\nknown failing (test.fails):");
for (const c of allCases) if (c.known) console.log(`  - ${c.name}: ${c.known}`);
