import { describe, expect, test } from "vitest";
import type { ValidationWorld } from "../../src/index.js";
import {
  type InstanceValidationFailure,
  runInstanceValidations,
  runNamespaceValidations,
} from "../../src/validation/index.js";

const accounts = [{ balance: 10 }, { balance: -5 }, { balance: 0 }, { balance: -1 }];
const world: ValidationWorld = {
  lookup: (name) => (name === "limit" ? 100 : undefined),
  instancesOf: (className) => {
    if (className === "Account") return accounts;
    if (className === "Broken") throw new Error("no such class");
    return [];
  },
};

describe("runNamespaceValidations", () => {
  test("true passes; false fails with a default message naming the validation", () => {
    const failures = runNamespaceValidations(
      [
        { name: "has limit", check: (w) => w.lookup("limit") === 100 },
        { name: "has owner", check: (w) => w.lookup("owner") !== undefined },
      ],
      world,
    );
    expect(failures).toEqual([{ rule: "has owner", message: 'validation "has owner" failed' }]);
  });

  test("a string is the failure's message", () => {
    const failures = runNamespaceValidations(
      [{ name: "limit", check: () => "limit must be below 50" }],
      world,
    );
    expect(failures).toEqual([{ rule: "limit", message: "limit must be below 50" }]);
  });

  test("a throwing check becomes a failure with the thrown message, and later checks still run", () => {
    const failures = runNamespaceValidations(
      [
        {
          name: "explodes",
          check: () => {
            throw new RangeError("out of range");
          },
        },
        {
          name: "throws a string",
          check: () => {
            throw "plain string";
          },
        },
        { name: "after", check: () => false },
      ],
      world,
    );
    expect(failures.map((f) => f.rule)).toEqual(["explodes", "throws a string", "after"]);
    expect(failures[0]!.message).toContain("RangeError: out of range");
    expect(failures[1]!.message).toContain("plain string");
  });

  test("forgetting to return, or returning a promise, fails instead of passing silently", () => {
    const failures = runNamespaceValidations(
      [
        { name: "no return", check: (() => undefined) as unknown as () => boolean },
        { name: "async", check: (async () => true) as unknown as () => boolean },
      ],
      world,
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]!.message).toMatch(/returned undefined/);
    expect(failures[1]!.message).toMatch(/promise/);
  });
});

describe("runInstanceValidations", () => {
  test("each failing instance is named by object and index; passing ones are not", () => {
    const { failures, instancesChecked } = runInstanceValidations(
      [
        {
          name: "non-negative",
          className: "Account",
          check: (a) => (a["balance"] as number) >= 0,
        },
      ],
      world,
    );
    expect(instancesChecked).toBe(4);
    const found = failures as InstanceValidationFailure[];
    expect(found.map((f) => [f.index, f.object])).toEqual([
      [1, accounts[1]],
      [3, accounts[3]],
    ]);
    expect(found[0]).toMatchObject({ rule: "non-negative", className: "Account" });
    expect(found[0]!.message).toContain("#1");
  });

  test("string results and throws become per-instance messages", () => {
    const { failures } = runInstanceValidations(
      [
        {
          name: "message",
          className: "Account",
          check: (a) => ((a["balance"] as number) < 0 ? `balance ${String(a["balance"])}` : true),
        },
        {
          name: "throws",
          className: "Account",
          check: (a) => {
            if (a["balance"] === 0) throw new Error("zero");
            return true;
          },
        },
      ],
      world,
    );
    expect(failures.map((f) => f.message)).toEqual([
      "Account instance #1: balance -5",
      "Account instance #3: balance -1",
      expect.stringContaining("instance #2 threw Error: zero"),
    ]);
    expect(failures[2]!.object).toBe(accounts[2]);
  });

  test("instances are counted once across validations; an unlistable class is a failure", () => {
    const { failures, instancesChecked } = runInstanceValidations(
      [
        { name: "a", className: "Account", check: () => true },
        { name: "b", className: "Account", check: () => true },
        { name: "c", className: "Broken", check: () => true },
        { name: "d", className: "Empty", check: () => false },
      ],
      world,
    );
    expect(instancesChecked).toBe(4);
    expect(failures).toEqual([expect.objectContaining({ rule: "c", className: "Broken" })]);
    expect(failures[0]!.message).toContain("no such class");
  });
});
