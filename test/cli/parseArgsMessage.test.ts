/**
 * Usage errors from `parseArgs`, said in one line that names the option
 * (Node's text for an unknown option explains `--` and leaves a quote open).
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseArgsMessage } from "../../src/cli/parseArgsMessage.js";

const OPTIONS = { to: { type: "string", short: "t" }, json: { type: "boolean" } } as const;

function messageFor(args: string[], allowPositionals = true): string {
  try {
    parseArgs({ args, options: OPTIONS, strict: true, allowPositionals });
  } catch (error) {
    return parseArgsMessage(error);
  }
  throw new Error(`parseArgs accepted ${JSON.stringify(args)}`);
}

const optionName = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,15}$/)
  .filter((name) => !["to", "json"].includes(name));

describe("parseArgsMessage", () => {
  test("an unknown long option is named as typed, on one line, with no quote", () => {
    fc.assert(
      fc.property(optionName, (name) => {
        expect(messageFor([`--${name}`])).toBe(`unknown option --${name}`);
      }),
      { seed: 20240611, numRuns: 200 },
    );
  });

  test("an unknown short option, a missing value, a value given to a flag, an extra argument", () => {
    expect(messageFor(["-z"])).toBe("unknown option -z");
    expect(messageFor(["--to"])).toBe("option --to needs a value");
    expect(messageFor(["-t"])).toBe("option --to needs a value");
    expect(messageFor(["--json=yes"])).toBe("option --json takes no value");
    expect(messageFor(["extra"], false)).toBe('unexpected argument "extra"');
    // Followed by another option, Node said "argument is ambiguous" over three lines.
    const dashed = "option --to needs a value (one starting with a dash is written --to=-value)";
    expect(messageFor(["--to", "--json"])).toBe(dashed);
    expect(messageFor(["-t", "--json"])).toBe(dashed);
  });

  test("anything else keeps its own message", () => {
    expect(parseArgsMessage(new Error("something else"))).toBe("something else");
  });
});
