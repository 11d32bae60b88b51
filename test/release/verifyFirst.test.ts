/**
 * A forged bundle costs a service no parse of its sources (adversarial
 * review advZ21): a 3.8 MB bundle signed by no trusted key held the event
 * loop ~5 s before MM_BUNDLE_UNKNOWN_KEY, its method sources parsed twice
 * (readBundle, then verifyBundle's re-read) before the key id was looked
 * at. Now the key id and the signature are checked right after the JSON
 * is parsed, and the sources once, after. Proved by counting the calls of
 * the one JavaScript parser the checks use (no timing).
 */
import { sign } from "node:crypto";
import fc from "fast-check";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { patch } from "../../src/index.js";
import { signedBytes } from "../../src/release/bundle.js";
import { canonicalJsonPretty } from "../../src/release/canonicalJson.js";
import {
  BadSignatureError,
  generateKeys,
  packBundle,
  readBundle,
  UnknownKeyError,
  verifyBundle,
} from "../../src/release/index.js";
import { readVerifiedBundle } from "../../src/release/verify.js";

const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../src/mop/source/parser.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/mop/source/parser.js")>();
  return {
    ...real,
    parseJavaScript: (...args: Parameters<typeof real.parseJavaScript>) => {
      parses.count++;
      return real.parseJavaScript(...args);
    },
  };
});

const keys = generateKeys();
const other = generateKeys();

/** A release of `methods` methods, each `size` statements long: what a forger would send. */
function bigRelease(methods: number, size: number) {
  const body = "this.n = this.n + 1;".repeat(size);
  const members: Record<string, (this: { n: number }) => void> = {};
  for (let i = 0; i < methods; i++) {
    // Made from text, as a forger's would be: the method's source is the point.
    members[`m${i}`] = new Function(`return { m${i}() { ${body} } }`)()[`m${i}`];
  }
  return patch("big").addMethods("Counter", members).build();
}

const signedText = packBundle(
  bigRelease(20, 2000),
  { fromVersion: "1", toVersion: "2" },
  keys.privateKey,
);
const strangerText = packBundle(
  bigRelease(20, 2000),
  { fromVersion: "1", toVersion: "2" },
  other.privateKey,
);
/** Another key's signature under a trusted key's id. */
const forgedText = strangerText.replace(other.keyId, keys.keyId);

function counted<T>(run: () => T): { parses: number; outcome: T | unknown } {
  parses.count = 0;
  let outcome: T | unknown;
  try {
    outcome = run();
  } catch (error) {
    outcome = error;
  }
  return { parses: parses.count, outcome };
}

beforeEach(() => {
  parses.count = 0;
});

describe("a bundle no trusted key signed is refused before any source is parsed", () => {
  test("read and verified in one pass: unknown key, bad signature — no parse", () => {
    const unknown = counted(() => readVerifiedBundle(strangerText, [keys.publicKey]));
    expect(unknown.outcome).toBeInstanceOf(UnknownKeyError);
    expect(unknown.parses).toBe(0);
    const forged = counted(() => readVerifiedBundle(forgedText, [keys.publicKey]));
    expect(forged.outcome).toBeInstanceOf(BadSignatureError);
    expect(forged.parses).toBe(0);
  });

  test("verifyBundle of a bundle object: the same codes, no parse", () => {
    const unknown = counted(() => verifyBundle(JSON.parse(strangerText), [keys.publicKey]));
    expect(unknown.outcome).toMatchObject({ code: "MM_BUNDLE_UNKNOWN_KEY" });
    expect(unknown.parses).toBe(0);
    const forged = counted(() => verifyBundle(JSON.parse(forgedText), [keys.publicKey]));
    expect(forged.outcome).toMatchObject({ code: "MM_BUNDLE_BAD_SIGNATURE" });
    expect(forged.parses).toBe(0);
  });

  test("property: any key id or signature bytes but the signer's — refused, nothing parsed", () => {
    const json = JSON.parse(signedText) as { signature: { keyId: string; value: string } };
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.boolean(),
        (id, signature, keepId) => {
          const forged = {
            ...json,
            signature: {
              ...json.signature,
              keyId: keepId ? json.signature.keyId : Buffer.from(id).toString("hex"),
              value: Buffer.from(signature).toString("base64"),
            },
          };
          const { parses: n, outcome } = counted(() =>
            readVerifiedBundle(canonicalJsonPretty(forged), [keys.publicKey]),
          );
          expect(n).toBe(0);
          expect(outcome).toBeInstanceOf(
            keepId || Buffer.from(id).toString("hex") === keys.keyId
              ? BadSignatureError
              : UnknownKeyError,
          );
        },
      ),
      { seed: 2_104_217, numRuns: 40 },
    );
  });
});

describe("a genuine bundle's sources are parsed once", () => {
  test("readVerifiedBundle, and verifyBundle after readBundle, parse as much as one reading", () => {
    const once = counted(() => readBundle(signedText)).parses;
    expect(once).toBeGreaterThan(0);
    const inOnePass = counted(() => readVerifiedBundle(signedText, [keys.publicKey]));
    expect(inOnePass.outcome).toMatchObject({ verifiedBy: keys.keyId });
    expect(inOnePass.parses).toBe(once);
    const read = readBundle(signedText);
    const verified = counted(() => verifyBundle(read, [keys.publicKey]));
    expect(verified.outcome).toMatchObject({ verifiedBy: keys.keyId });
    expect(verified.parses).toBe(0);
  });

  test("a read bundle changed before verifying is checked in full again: a bad source signed by the key is malformed", () => {
    const read = readBundle(signedText) as unknown as {
      format: string;
      payload: { patches: { operations: { method: { source: string } }[] }[] };
      signature: { value: string };
    };
    read.payload.patches[0]!.operations[0]!.method.source = "m0() { this.n = (";
    read.signature.value = sign(
      null,
      signedBytes(read.format, read.payload as never),
      keys.privateKey,
    ).toString("base64");
    const verified = counted(() => verifyBundle(read as never, [keys.publicKey]));
    expect(verified.outcome).toMatchObject({
      code: "MM_BUNDLE_MALFORMED",
      details: { path: "payload.patches[0]" },
    });
    expect(verified.parses).toBeGreaterThan(0);
  });
});

describe("a service admitting a bundle (apply, replay, a cluster's check)", () => {
  test("a forged one is refused without a parse; a genuine one is parsed once", async () => {
    const { admitBundle } = await import("../../src/release/applyBundle.js");
    const { releaseTarget } = await import("../../src/release/server.js");
    const { service } = await import("./support.js");
    const target = releaseTarget({
      trust: [keys.publicKey],
      namespace: service().ns,
      version: "1",
    });
    for (const [text, code] of [
      [strangerText, "MM_BUNDLE_UNKNOWN_KEY"],
      [forgedText, "MM_BUNDLE_BAD_SIGNATURE"],
    ] as const) {
      const admitted = counted(() => admitBundle(target, text));
      expect(admitted.outcome).toMatchObject({ code });
      expect(admitted.parses).toBe(0);
    }
    const once = counted(() => readBundle(signedText)).parses;
    const genuine = counted(() => admitBundle(target, signedText));
    expect(genuine.parses).toBeLessThanOrEqual(once);
  });
});
