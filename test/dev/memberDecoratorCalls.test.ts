/**
 * Reading the member decorator calls of experimentalDecorators from the
 * JavaScript tsc and esbuild (tsx's compiler) make of a class
 * (src/dev/memberDecorators.ts): which class, member and kind each call
 * decorates, and what a save changed of them.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { parseModule } from "../../src/dev/compile.js";
import { decoratorChanges, memberDecorations } from "../../src/dev/memberDecorators.js";

// esbuild as tsx runs it (a dependency of tsx's, not of this package's).
const esbuild = createRequire(import.meta.resolve("tsx"))("esbuild") as {
  transformSync(code: string, options: object): { code: string };
};

const compilers = {
  tsc: (source: string) =>
    ts.transpileModule(source, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators: true,
      },
    }).outputText,
  esbuild: (source: string) =>
    esbuild.transformSync(source, {
      loader: "ts",
      format: "esm",
      keepNames: true,
      target: "node20",
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    }).code,
};

interface Member {
  readonly name: string;
  readonly kind: "method" | "field" | "getter";
  readonly isStatic: boolean;
  readonly decorated: boolean;
}

const memberArb = fc.record({
  kind: fc.constantFrom("method" as const, "field" as const, "getter" as const),
  isStatic: fc.boolean(),
  decorated: fc.boolean(),
});

const membersArb = fc
  .array(memberArb, { maxLength: 6 })
  .map((ms): Member[] => ms.map((m, i) => ({ ...m, name: `m${i}` })));

function classSource(members: readonly Member[]): string {
  const body = members.map((m) => {
    const head = `${m.decorated ? "@d " : ""}${m.isStatic ? "static " : ""}`;
    if (m.kind === "field") return `  ${head}${m.name} = 1;`;
    if (m.kind === "getter") return `  ${head}get ${m.name}() { return 1; }`;
    return `  ${head}${m.name}() { return 1; }`;
  });
  return `declare const d: any;\nexport class C {\n${body.join("\n")}\n}\n`;
}

describe.each(Object.entries(compilers))("member decorator calls compiled by %s", (_, compile) => {
  test("property: every decorated member is found, with its class, kind and static-ness; seed 20261207", () => {
    fc.assert(
      fc.property(membersArb, (members) => {
        const js = compile(classSource(members));
        const found = memberDecorations(parseModule(js, "/c.js"));
        const expected = members
          .filter((m) => m.decorated)
          .map((m) => ({
            className: "C",
            member: `${m.isStatic ? "static " : ""}${m.name}`,
            key: m.name,
            isStatic: m.isStatic,
            kind: m.kind === "field" ? "field" : "method",
          }));
        const seen = found.map(({ className, member, key, isStatic, kind }) => ({
          className,
          member,
          key,
          isStatic,
          kind,
        }));
        expect(new Set(seen.map((s) => JSON.stringify(s)))).toEqual(
          new Set(expected.map((e) => JSON.stringify(e))),
        );
        expect(found.every((f) => js.slice(0, f.end).endsWith(f.text))).toBe(true);
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });

  test("a changed, an added and a removed decorator are told apart from unchanged ones", () => {
    const before = memberDecorations(
      parseModule(
        compile(
          "declare const d: any, e: any;\nexport class C {\n  @d a() {}\n  @d b() {}\n  @d c = 1;\n  f() {}\n}\n",
        ),
        "/c.js",
      ),
    );
    const after = memberDecorations(
      parseModule(
        compile(
          "declare const d: any, e: any;\nexport class C {\n  @d a() {}\n  @e b() {}\n  c = 1;\n  @d f() {}\n}\n",
        ),
        "/c.js",
      ),
    );
    const changes = decoratorChanges(before, after, "C").map(({ member, kind }) => [member, kind]);
    expect(changes.sort()).toEqual([
      ["b", "method"],
      ["c", "field"],
      ["f", "method"],
    ]);
    expect(decoratorChanges(before, after, "Other")).toEqual([]);
  });
});

test("a call that decorates no class member (a class decorator, another function) is not one", () => {
  const js = `var __decorate = () => {};
let D = class D {};
D = __decorate([sealed], D);
register([d], C.prototype, "m", null);
__decorate([d], C.prototype, "m", null);
`;
  expect(memberDecorations(parseModule(js, "/d.js")).map((d) => d.member)).toEqual(["m"]);
});
