// The refusal catalogue (issue 12): every table of cases, one test per case.
// One file, so the worker loads the class-source parser and pays for the
// heap finder's first query once; docs/refusals.md says what each refusal
// means, and refusalsDoc.test.ts checks that every code there has a case here.
import { afterAll } from "vitest";
import { catalogue, tallyOf } from "./support.js";
import { allCases, tables } from "./tables.js";

for (const [phase, cases] of tables) catalogue(phase, cases);

afterAll(() => {
  const t = tallyOf(allCases);
  console.log(
    `catalogue total: ${allCases.length} cases — refused cleanly ${t.refused}, accepted correctly ${t.accepted}, known failing ${t.known}`,
  );
});
