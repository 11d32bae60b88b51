/**
 * The codes the command line prints that no error class carries: an update
 * that ended without a typed error (by its status), a command not done, and
 * the control channel's answer for an error that is not a MetamorphError.
 * docs/refusals.md lists each (test/catalogue/refusalsDoc.test.ts).
 */
import { describe, expect, test } from "vitest";
import { failure } from "../../src/cli/commands/apply.js";
import { NOT_DONE } from "../../src/cli/commands/control.js";
import { wireError } from "../../src/release/protocol.js";

describe("codes printed without an error class", () => {
  test.each([
    ["rolled-back", "MM_UPDATE_ROLLED_BACK", "the health check failed after the commit"],
    ["failed", "MM_UPDATE_FAILED", "the setUp hook threw"],
    ["postponed", "MM_UPDATE_POSTPONED", "not quiescent within 5000 ms"],
    ["cancelled", "MM_UPDATE_CANCELLED", "the requirements said never"],
  ])("an update %s without a typed error: %s, with its reason once", (status, code, reason) => {
    expect(failure({ status, reason, version: "1.4.0" })).toEqual({
      code,
      message: `${status}, still running 1.4.0: ${reason}`,
    });
  });

  test("a typed error's code wins; its message is added only when the reason does not quote it", () => {
    const error = {
      code: "MM_VALIDATION_FAILED",
      message: "patch v2 failed validation\n  - [x] …",
    };
    expect(
      failure({
        status: "failed",
        reason: `refused, nothing changed: ${error.message}`,
        error,
        version: "1",
      }),
    ).toEqual({
      code: "MM_VALIDATION_FAILED",
      message: `failed, still running 1: refused, nothing changed: ${error.message}`,
    });
    expect(failure({ status: "failed", reason: "a hook threw", error, version: "1" }).message).toBe(
      `failed, still running 1: a hook threw\n${error.message}`,
    );
  });

  test("a status the command does not know is MM_REFUSED, the code of a command not done", () => {
    expect(NOT_DONE).toBe("MM_REFUSED");
    expect(failure({ status: "aborted", version: "1" }).code).toBe("MM_REFUSED");
  });

  test("an error that is not a MetamorphError crosses the control channel as MM_INTERNAL, with its name and message", () => {
    expect(wireError(new TypeError("x is not a function"))).toEqual({
      code: "MM_INTERNAL",
      name: "TypeError",
      message: "x is not a function",
    });
  });
});
