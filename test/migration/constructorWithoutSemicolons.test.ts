/**
 * MM_NO_INITIAL_VALUE for a constructor written without semicolons
 * (standard style, as pg's Client is). pg 8.7 -> 8.13 adds
 * `this._ended = false` on its own line: the warning claimed the
 * constructor "may change" it, quoting three statements run together
 * (`this._ended = false this._connecting = false }`), though the
 * migrated objects got exactly what a fresh one has. Statements were
 * split on `;` or a blank line; they are the parser's now.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_NO_INITIAL_VALUE" && w.field === "_ended");

type Client = { _ended?: unknown };

function upgrade(lines: readonly string[], separator: string) {
  const release = (next: boolean) =>
    new Function(
      `"use strict"\nreturn class Client {\n  constructor(config = {}) {\n    this.config = config${separator}\n    ${(
        next ? lines : lines.filter((l) => !l.includes("_ended"))
      ).join(`${separator}\n    `)}${separator}\n  }\n  end() { this._ending = true }\n}`,
    )() as new (
      config?: object,
    ) => Client;
  const ns = new Namespace("constructor-asi");
  const C = ns.registerClass(release(false), { name: "Client" });
  const client = new C();
  const result = updateSync(
    ns,
    patch("8.13").replaceImplementation("Client", release(true)).build(),
  );
  return { client, warnings: said(result.warnings) };
}

test("pg's Client: a new field set once among statements without semicolons is not said", () => {
  const { client, warnings } = upgrade(
    ["this._ending = false", "this._ended = false", "this._connecting = false"],
    "",
  );
  expect(warnings).toEqual([]);
  expect(client._ended).toBe(false);
});

/**
 * Over the statements around `this._ended = false`, with semicolons or
 * without, and a later write of the field or none: said exactly where the
 * constructor writes it again, quoting that write alone.
 */
test("said exactly where the constructor writes the field again, quoting that write alone", () => {
  const others = ["this._ending = false", "this.count = 0", "this.queue = []", "this.n = (1 + 2)"];
  /** A later write of the field, and what the warning quotes of it. */
  const later = {
    none: undefined,
    conditional: ["if (config.ended) this._ended = config.ended", "this._ended = config.ended"],
    guarded: ["config.onEnd && (this._ended = config.onEnd())", "this._ended = config.onEnd()"],
  } as const;
  fc.assert(
    fc.property(
      fc.subarray(others),
      fc.subarray(others),
      fc.constantFrom("", ";"),
      fc.constantFrom(...(Object.keys(later) as (keyof typeof later)[])),
      (before, after, separator, write) => {
        const again = later[write];
        const lines = [...before, "this._ended = false", ...after, ...(again ? [again[0]] : [])];
        const { client, warnings } = upgrade(lines, separator);
        expect(warnings.length).toBe(again === undefined ? 0 : 1);
        if (again !== undefined)
          expect(warnings[0]!.note).toContain(`the constructor then may change (\`${again[1]}\`)`);
        expect(client._ended).toBe(false);
      },
    ),
    { seed: 81301, numRuns: 24 },
  );
});
