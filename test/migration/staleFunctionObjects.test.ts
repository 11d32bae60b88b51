/**
 * MM_STALE_FUNCTION_FIELD for functions held in a plain object of a field.
 * csv-parse 5.3 -> 5.5.6: Parser keeps `this.api = transform(opts)`, an
 * object of closures its module's transform() made, and calls
 * `this.api.parse(…)`; the upgraded parsers kept 5.3's parsing code (5.4's
 * `comment_no_infix` ignored) and the update said nothing, looking at the
 * functions held in the fields themselves only.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;
type Policy = (typeof POLICIES)[number];

const stale = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_STALE_FUNCTION_FIELD");

type Parser = { write(text: string): string; api: object };
type ParserClass = new (opts?: object) => Parser;
type Transform = (opts: object) => object;

/**
 * One release of a parser in csv-parse's pattern: `transform` makes the
 * object of closures (`nested`: under `handlers`, one level further in),
 * unless the program hands its own in (`opts.api`) or the release takes
 * `transform` from a dependency (`shared`). Both releases write the same
 * `on_skip` handler into it.
 */
function csv(tag: string, nested: boolean, shared?: Transform): ParserClass {
  const parse = `parse(text) { return "${tag}:" + text.split(",").length; }`;
  return new Function(
    "shared",
    `"use strict";
    const transform = shared ?? function transform(opts) {
      return { options: { ...opts }, state: { records: 0 }, ${nested ? `handlers: { ${parse} }` : parse} };
    };
    class Parser {
      constructor(opts = {}) {
        this.api = opts.api ?? transform(opts);
        this.api.options.on_skip = (err) => { this.skipped = err; };
        this.state = this.api.state;
      }
      write(text) { return ${nested ? "this.api.handlers" : "this.api"}.parse(text); }
    }
    return Parser;`,
  )(shared) as ParserClass;
}

/** A transform of a dependency both releases use (one installed copy). */
const dependency = (nested: boolean): Transform =>
  new Function(
    "nested",
    `"use strict";
    return function transform(opts) {
      const parse = (text) => "dep:" + text.length;
      return { options: { ...opts }, state: {}, ...(nested ? { handlers: { parse } } : { parse }) };
    };`,
  )(nested) as Transform;

function upgrade(
  policy: Policy,
  from: ParserClass,
  to: ParserClass,
  opts: object = {},
  migrate?: (old: object, target: { api?: object }) => void,
) {
  const ns = new Namespace(`stale-function-objects-${policy}`);
  const P = ns.registerClass(from, { name: "Parser" }) as unknown as ParserClass;
  const parser = new P(opts);
  let next = patch("5.5.6").replaceImplementation("Parser", to);
  if (migrate) next = next.migrate("Parser", migrate);
  const result = updateSync(ns, next.build(), { policy });
  return { parser, warnings: stale(result.warnings) };
}

describe.each(POLICIES)("csv-parse's pattern (%s)", (policy) => {
  test("`api` holds closures the running release's module made: named, with the functions", () => {
    const { parser, warnings } = upgrade(policy, csv("5.3", false), csv("5.5", false));
    expect(warnings.map((w) => [w.className, w.field])).toEqual([["Parser", "api"]]);
    expect(warnings[0]!.note).toBe(
      "field `api` holds an object of functions the running release's code made (`parse`), from its module; the new implementation comes from another module scope",
    );
    expect(warnings[0]!.message).toContain(
      "give Parser a migrator that rebuilds `api` as the new release makes it (`target.api = …`)",
    );
    // What it warns of.
    expect(parser.write("a,b")).toBe("5.3:2");
  });

  test("a migrator that sets `api` answers it", () => {
    const { parser, warnings } = upgrade(
      policy,
      csv("5.3", false),
      csv("5.5", false),
      {},
      (_, target) => {
        target.api = {
          options: {},
          state: {},
          parse: (text: string) => `5.5:${text.split(",").length}`,
        };
      },
    );
    expect(warnings).toEqual([]);
    expect(parser.write("a,b")).toBe("5.5:2");
  });
});

/**
 * Over who made the functions (the running release's module, a dependency
 * both releases share, the program), how deep in the object they are, and
 * the policy: said exactly where the running release's module made them,
 * naming their key paths; the `on_skip` handler both releases write in the
 * same words never.
 */
test("said exactly for functions the running release's module made", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("module", "dependency", "program"),
      fc.boolean(),
      fc.constantFrom(...POLICIES),
      (maker, nested, policy) => {
        const shared = maker === "dependency" ? dependency(nested) : undefined;
        const own = (text: string) => `program:${text}`;
        const opts =
          maker === "program"
            ? {
                api: {
                  options: {},
                  state: {},
                  ...(nested ? { handlers: { parse: own } } : { parse: own }),
                },
              }
            : {};
        const { parser, warnings } = upgrade(
          policy,
          csv("5.3", nested, shared),
          csv("5.5", nested, shared),
          opts,
        );
        expect(
          warnings.map((w) => [w.field, /\(([^)]*)\), from its module/.exec(w.note)?.[1]]),
        ).toEqual(maker === "module" ? [["api", nested ? "`handlers.parse`" : "`parse`"]] : []);
        expect(parser.write("a,b")).toBe(
          maker === "module" ? "5.3:2" : maker === "dependency" ? "dep:3" : "program:a,b",
        );
      },
    ),
    { seed: 55612, numRuns: 12 },
  );
});
