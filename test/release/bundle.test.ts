import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  BadSignatureError,
  BundleMalformedError,
  BundleOversizeError,
  describeBundle,
  generateKeys,
  InvalidKeyError,
  isVerified,
  keyIdOf,
  packBundle,
  patchesOf,
  readBundle,
  UnknownKeyError,
  UnverifiedBundleError,
  verifyBundle,
} from "../../src/release/index.js";
import { generateKeyPairSync } from "node:crypto";
import { updateSync } from "../../src/index.js";
import { canonicalJsonPretty } from "../../src/release/canonicalJson.js";
import { release, service, sideEffectPatches } from "./support.js";

const keys = generateKeys();
const other = generateKeys();

function packed(overrides: Partial<Parameters<typeof packBundle>[1]> = {}): string {
  return packBundle(
    release(2),
    {
      fromVersion: "1.0.0",
      toVersion: "2.0.0",
      namespace: "shop",
      createdBy: "ci@build",
      created: new Date("2026-12-01T10:00:00Z"),
      forceQuiescence: true,
      timeoutMs: 2000,
      healthCheckWindowMs: 500,
      ...overrides,
    },
    keys.privateKey,
  );
}

describe("packing and reading", () => {
  test("a packed bundle reads back with its manifest, options and patches, as inert data", () => {
    const bundle = readBundle(packed());
    expect(bundle.payload.manifest).toEqual({
      name: "v2",
      namespace: "shop",
      fromVersion: "1.0.0",
      toVersion: "2.0.0",
      created: "2026-12-01T10:00:00.000Z",
      createdBy: "ci@build",
    });
    expect(bundle.payload.options).toEqual({
      forceQuiescence: true,
      timeoutMs: 2000,
      healthCheckWindowMs: 500,
    });
    expect(bundle.payload.patches).toHaveLength(1);
    expect(bundle.payload.patches[0]!.operations[0]).toMatchObject({
      op: "replaceMethod",
      className: "Counter",
    });
    expect(bundle.signature.keyId).toBe(keys.keyId);
    expect(isVerified(bundle)).toBe(false);
  });

  test("keys are PEM (SPKI public, PKCS#8 private) and named by the hash of the public key", () => {
    expect(keys.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(keys.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keyIdOf(keys.publicKey)).toBe(keys.keyId);
    expect(keys.keyId).not.toBe(other.keyId);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() =>
      packBundle(release(2), { fromVersion: "1", toVersion: "2" }, rsa.privateKey),
    ).toThrow(InvalidKeyError);
    expect(() => verifyBundle(readBundle(packed()), ["not a key"])).toThrow(InvalidKeyError);
  });

  test("describeBundle prints the manifest, the options and each patch's summary", () => {
    const text = describeBundle(readBundle(packed()));
    expect(text).toContain("release:   1.0.0 → 2.0.0 (namespace shop)");
    expect(text).toContain("created:   2026-12-01T10:00:00.000Z by ci@build");
    expect(text).toContain("forced quiescence, time-out 2000 ms, health-check window 500 ms");
    expect(text).toContain("not verified");
    expect(text).toContain(release(2).summary().split("\n")[0]!);
    expect(describeBundle(verifyBundle(readBundle(packed()), [keys.publicKey]))).toContain(
      "verified against a trusted key",
    );
  });

  test("malformed bundles are refused with the path at fault", () => {
    const good = JSON.parse(packed());
    const cases: [unknown, string][] = [
      ["{", "(file)"],
      [[], "(root)"],
      [{ ...good, format: "metamorph.bundle/0" }, "format"],
      [{ ...good, extra: 1 }, "(root).extra"],
      [{ ...good, payload: { ...good.payload, patches: [] } }, "payload.patches"],
      [{ ...good, payload: { ...good.payload, patches: [{ format: "x" }] } }, "payload.patches[0]"],
      [
        { ...good, payload: { ...good.payload, options: { policy: "soon" } } },
        "payload.options.policy",
      ],
      [
        { ...good, payload: { ...good.payload, options: { timeoutMs: -1 } } },
        "payload.options.timeoutMs",
      ],
      [
        {
          ...good,
          payload: { ...good.payload, manifest: { ...good.payload.manifest, fromVersion: "" } },
        },
        "payload.manifest.fromVersion",
      ],
      [{ ...good, signature: { ...good.signature, algorithm: "rsa" } }, "signature.algorithm"],
      [{ ...good, signature: { ...good.signature, value: "AAAA" } }, "signature.value"],
    ];
    for (const [value, path] of cases) {
      const text = typeof value === "string" ? value : `${JSON.stringify(value, null, 2)}\n`;
      let caught: unknown;
      try {
        readBundle(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, path).toBeInstanceOf(BundleMalformedError);
      expect((caught as BundleMalformedError).code).toBe("MM_BUNDLE_MALFORMED");
      expect((caught as BundleMalformedError).details.path, path).toBe(path);
    }
  });

  test("the same data spelled another way (whitespace, key order) is refused: only the packed bytes read", () => {
    const text = packed();
    expect(() => readBundle(JSON.stringify(JSON.parse(text)))).toThrow(/canonical form/);
    expect(() => readBundle(text.replace("\n", "\r\n"))).toThrow(BundleMalformedError);
  });

  test("an oversize bundle is refused before it is parsed", () => {
    const text = packed();
    expect(() => readBundle(text, { maxBytes: 100 })).toThrow(BundleOversizeError);
    expect(() => readBundle(`${"x".repeat(5 * 1024 * 1024)}`)).toThrow(BundleOversizeError);
  });
});

describe("verification", () => {
  test("a bundle signed by a trusted key verifies; its id is stable", () => {
    const text = packed();
    const verified = verifyBundle(readBundle(text), [other.publicKey, keys.publicKey]);
    expect(verified.verifiedBy).toBe(keys.keyId);
    expect(verified.id).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyBundle(readBundle(text), [keys.publicKey]).id).toBe(verified.id);
    expect(Object.isFrozen(verified.payload.patches[0])).toBe(true);
  });

  test("a bundle signed by another key is refused as unknown", () => {
    const error = (() => {
      try {
        verifyBundle(readBundle(packed()), [other.publicKey]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownKeyError);
    expect((error as UnknownKeyError).code).toBe("MM_BUNDLE_UNKNOWN_KEY");
    expect(() => verifyBundle(readBundle(packed()), [])).toThrow(UnknownKeyError);
  });

  test("a key id that names a trusted key but a signature by another key is a bad signature", () => {
    const forged = packBundle(
      release(2),
      { fromVersion: "1", toVersion: "2" },
      other.privateKey,
    ).replace(other.keyId, keys.keyId);
    expect(() => verifyBundle(readBundle(forged), [keys.publicKey])).toThrow(BadSignatureError);
  });

  test("one byte changed anywhere in the file is refused: malformed, unknown key or bad signature", () => {
    const text = packed();
    const bytes = Buffer.from(text, "utf8");
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const changed = Buffer.from(bytes);
        changed[at] = (changed[at]! + delta) % 256;
        let caught: unknown;
        try {
          verifyBundle(readBundle(changed), [keys.publicKey]);
        } catch (error) {
          caught = error;
        }
        return (
          caught instanceof BundleMalformedError ||
          caught instanceof UnknownKeyError ||
          caught instanceof BadSignatureError
        );
      }),
      { seed: 1412, numRuns: 400 },
    );
  });

  test("every byte position, changed by one, is refused", () => {
    const bytes = Buffer.from(packed(), "utf8");
    const accepted: number[] = [];
    for (let at = 0; at < bytes.length; at++) {
      const changed = Buffer.from(bytes);
      changed[at] = (changed[at]! + 1) % 256;
      try {
        verifyBundle(readBundle(changed), [keys.publicKey]);
        accepted.push(at);
      } catch (error) {
        if (
          !(
            error instanceof BundleMalformedError ||
            error instanceof UnknownKeyError ||
            error instanceof BadSignatureError
          )
        )
          throw error;
      }
    }
    expect(accepted).toEqual([]);
  });

  test("a change inside the patch's code keeps the file well formed and fails the signature", () => {
    const text = packed();
    const changed = text.replace("`v2:", "`v9:");
    expect(changed).not.toBe(text);
    expect(() => verifyBundle(readBundle(changed), [keys.publicKey])).toThrow(BadSignatureError);
  });

  test("a verified bundle cannot be changed afterwards; a structural copy is not verified", () => {
    const verified = verifyBundle(readBundle(packed()), [keys.publicKey]);
    expect(() => {
      (verified.payload.manifest as { fromVersion: string }).fromVersion = "0";
    }).toThrow(TypeError);
    const copy = JSON.parse(JSON.stringify(verified));
    expect(isVerified(copy)).toBe(false);
    expect(() => patchesOf(copy)).toThrow(UnverifiedBundleError);
  });
});

describe("the trust boundary: nothing of an unverified bundle is compiled", () => {
  const GLOBAL = "__metamorphReleaseTestEffect";
  const effect = () => (globalThis as Record<string, unknown>)[GLOBAL];

  test("code that sets a global when compiled is refused unverified, and refused verified too, without running", () => {
    for (const evil of sideEffectPatches(GLOBAL)) {
      delete (globalThis as Record<string, unknown>)[GLOBAL];
      const untrusted = packBundle(evil, { fromVersion: "1", toVersion: "2" }, other.privateKey);
      const read = readBundle(untrusted);
      expect(describeBundle(read)).toContain(evil.name);
      expect(() => patchesOf(read)).toThrow(UnverifiedBundleError);
      expect(() => verifyBundle(read, [keys.publicKey])).toThrow(UnknownKeyError);
      const signed = JSON.parse(packed());
      signed.payload.patches = [evil.toJSON()];
      const tampered = canonicalJsonPretty(signed);
      expect(tampered).toContain(evil.name);
      expect(() => verifyBundle(readBundle(tampered), [keys.publicKey])).toThrow(BadSignatureError);
      expect(effect()).toBeUndefined();
    }
    // Verified, a source that is an expression rather than a function is
    // refused before any source of the patch is evaluated.
    const trusted = packBundle(
      sideEffectPatches(GLOBAL)[0]!,
      { fromVersion: "1", toVersion: "2" },
      keys.privateKey,
    );
    expect(() => patchesOf(verifyBundle(readBundle(trusted), [keys.publicKey]))).toThrow(
      expect.objectContaining({ code: "MM_INVALID_PATCH" }),
    );
    expect(effect()).toBeUndefined();
  });

  test("a verified bundle's patches compile into one patch that applies", () => {
    const { ns, counter } = service();
    const text = packBundle(
      [release(2), release(3)],
      { fromVersion: "1", toVersion: "3" },
      keys.privateKey,
    );
    const patch = patchesOf(verifyBundle(readBundle(text), [keys.publicKey]));
    expect(patch.name).toBe("v2 + v3");
    expect(patch.hydrated).toBe(true);
    updateSync(ns, patch);
    expect(counter.label()).toBe("v3:7");
  });
});

describe("what a delivery must not let through (adversarial review advZ4)", () => {
  test("a release to the version it comes from is refused: delivered again and again, it would run its migrations each time", () => {
    expect(() => packed({ fromVersion: "1.0.0", toVersion: "1.0.0" })).toThrow(
      /payload\.manifest\.toVersion: the same as fromVersion \("1\.0\.0"\)/,
    );
    // Nor read, where it was signed by other means.
    const text = packed().replace(/("toVersion": ?)"2\.0\.0"/, '$1"1.0.0"');
    expect(text).toMatch(/"toVersion": ?"1\.0\.0"/);
    expect(() => readBundle(text)).toThrow(BundleMalformedError);
  });

  test("a duration past what a timer takes (2^31 - 1 ms) is refused: Node would run it after 1 ms", () => {
    expect(() => packed({ timeoutMs: 2 ** 31 })).toThrow(
      /payload\.options\.timeoutMs: expected a whole number of ms from 0 to 2147483647/,
    );
    expect(packed({ timeoutMs: 2 ** 31 - 1 })).toContain("2147483647");
  });

  test("bytes that are not UTF-8 are refused, not read as U+FFFD (a changed byte would keep the signature)", () => {
    const bytes = Buffer.from(packed({ name: "caf\uFFFD" }), "utf8");
    const at = bytes.indexOf(Buffer.from("\uFFFD", "utf8"));
    expect(readBundle(bytes).payload.manifest.name).toBe("caf\uFFFD");
    const changed = Buffer.from(bytes);
    changed[at] = 0xf0; // EF BF BD → F0 BF BD: not UTF-8, read leniently as U+FFFD again
    expect(changed.toString("utf8")).toBe(bytes.toString("utf8"));
    expect(() => readBundle(changed)).toThrow(/bundle \(file\): not UTF-8 text/);
  });

  test("inspect shows a bundle's text with control characters escaped: a name cannot rewrite the lines above it", () => {
    const forged =
      "x\u001b[1A\u001b[2K\r  signed by: key trusted (verified against a trusted key)\n";
    const text = describeBundle(
      readBundle(packed({ name: forged, createdBy: "ci\u202e@build" }), {}),
    );
    const unprintable = [...text].filter((c) => {
      const code = c.codePointAt(0)!;
      return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || code === 0x202e;
    });
    expect(unprintable).toEqual([]);
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "bundle x\\u{1b}[1A\\u{1b}[2K\\u{d}  signed by: key trusted (verified against a trusted key)\\u{a} " +
        lines[0]!.slice(lines[0]!.indexOf("(id ")),
    );
    expect(lines.filter((l) => l.startsWith("  signed by:"))).toHaveLength(1);
    expect(text).toContain("by ci\\u{202e}@build");
  });

  test("a refusal of a bundle nobody trusts names it on one line: its name cannot print a line of its own", () => {
    const forged = packBundle(
      release(2),
      { fromVersion: "1.0.0", toVersion: "2.0.0", name: "x\ncommitted: 1.0.0 → 2.0.0" },
      other.privateKey,
    );
    let message = "";
    try {
      verifyBundle(readBundle(forged), [keys.publicKey]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^bundle x\\u\{a\}committed: 1\.0\.0 → 2\.0\.0 is signed by key/);
    expect(message).not.toContain("\n");
  });
});
