/**
 * The page forms of library modules (src/dev/vitePageModules.ts) do what the
 * real modules do for everything the page gives them: patches built
 * in-process by the builder, the way the page's update planning builds them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { PAGE_MODULES } from "../../src/dev/vitePageModules.js";
import { patch } from "../../src/patch/builder.js";
import { readOperations } from "../../src/patch/json.js";
import type { Operation } from "../../src/patch/operations.js";
import { carriesUntrusted, requireTrustedOperations } from "../../src/patch/trust.js";

const SRC = join(import.meta.dirname, "../../src");

const forms = mkdtempSync(join(tmpdir(), "metamorph-page-forms-"));
afterAll(() => rmSync(forms, { recursive: true, force: true }));

/** A page form as a module of its own (what the page bundle gets in place of the real module). */
async function pageForm<T>(path: string): Promise<T> {
  const file = join(forms, `${path.replace("/", "-")}.mjs`);
  writeFileSync(
    file,
    PAGE_MODULES[path]!((p) => join(SRC, `${p}.ts`)),
  );
  return (await import(pathToFileURL(file).href)) as T;
}

const NAMES = ["Counter", "Todo", "Clock"] as const;

/** Patches as the page's planning builds them: new implementations, renames, superclasses, migrators, validations. */
const pagePatch = fc
  .array(
    fc.record({
      className: fc.constantFrom(...NAMES),
      renames: fc.option(fc.dictionary(fc.constantFrom("a", "b"), fc.constantFrom("x", "y"))),
      superclass: fc.option(fc.constantFrom<string | null>("Base", null)),
      migrate: fc.boolean(),
      validate: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((steps) => {
    let builder = patch("page #2");
    for (const s of steps) {
      if (s.superclass !== null) builder = builder.changeSuperclass(s.className, s.superclass);
      builder = builder.replaceImplementation(
        s.className,
        class {
          n = 1;
        },
        s.renames ? { renames: s.renames } : {},
      );
      if (s.migrate) {
        builder = builder.migrate(s.className, (_old, target) => {
          (target as { n: number }).n = 2;
        });
      }
      if (s.validate) {
        builder = builder.validateInstances(`v.${s.className}`, s.className, () => true);
      }
    }
    return builder.operations as readonly Operation[];
  });

test("patch JSON's page form reads the builder's operations as the real reader does", async () => {
  const page = await pageForm<{ readOperations: typeof readOperations }>("patch/json");
  fc.assert(
    fc.property(pagePatch, (operations) => {
      expect(page.readOperations(operations)).toEqual(readOperations(operations));
    }),
    { seed: 2026, numRuns: 100 },
  );
});

test("trust's page form finds nothing untrusted, as the real module does for in-process operations", async () => {
  const page = await pageForm<{
    carriesUntrusted: typeof carriesUntrusted;
    requireTrustedOperations: typeof requireTrustedOperations;
    IN_PROCESS: unknown;
  }>("patch/trust");
  fc.assert(
    fc.property(pagePatch, (operations) => {
      expect(page.carriesUntrusted(operations)).toBe(carriesUntrusted(operations));
      expect(carriesUntrusted(operations)).toBeUndefined();
      requireTrustedOperations(operations, "apply");
      page.requireTrustedOperations(operations, "apply");
    }),
    { seed: 2026, numRuns: 50 },
  );
  expect(page.IN_PROCESS).toEqual({ level: "in-process" });
});

test("class origins' page form: native classes are native, every other is unknown (no inspector in a page)", async () => {
  const page = await pageForm<{ classOrigin(cls: Function): { kind: string } }>("mop/classOrigin");
  expect(page.classOrigin(Map).kind).toBe("native");
  expect(page.classOrigin(class Local {}).kind).toBe("unknown");
});
