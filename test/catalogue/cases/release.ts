// Signed bundles and the release history (src/release): a refused bundle is
// never compiled — the deep snapshot includes the global object's keys, and
// each bundle here carries a migrator that would set a global if it ran.
import { patch } from "../../../src/index.js";
import {
  BadSignatureError,
  BundleMalformedError,
  BundleOversizeError,
  checkRelease,
  generateKeys,
  InvalidKeyError,
  packBundle,
  patchesOf,
  ReleaseHistory,
  ReleaseMismatchError,
  ReleaseStateError,
  readBundle,
  UnknownKeyError,
  UnverifiedBundleError,
  verifyBundle,
} from "../../../src/release/index.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const keys = generateKeys();
const stranger = generateKeys();

/** A v2 bundle whose migrator would leave a global behind if it were ever compiled and run. */
function bundleText(fromVersion = "1.0.0"): string {
  const v2 = patch("v2")
    .addField("Item", "stock", { default: 0 })
    .migrate("Item", () => {
      (globalThis as Record<string, unknown>).catalogueBundleRan = true;
    })
    .build();
  return packBundle(
    v2,
    { fromVersion, toVersion: "2.0.0", namespace: "shop", createdBy: "ci@build" },
    keys.privateKey,
  );
}

interface ReleaseWorld extends ShopWorld {
  readonly history: ReleaseHistory;
}
function releaseWorld(): ReleaseWorld {
  const w = shopWorld();
  return { ...w, history: new ReleaseHistory({ namespace: "shop", version: "1.0.0" }) };
}

/** The history keeps its state in private fields the deep snapshot cannot see: its public view must not move. */
function historyUnchanged(w: ReleaseWorld): void {
  const releases = w.history.releases();
  if (
    w.history.version !== "1.0.0" ||
    releases.length !== 1 ||
    releases[0]!.state !== "permanent"
  ) {
    throw new Error(`the history moved: ${JSON.stringify(releases)}`);
  }
}

export const releaseCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "a bundle that is not JSON",
    setup: shopWorld,
    act: () => readBundle("not a bundle"),
    refuse: { error: BundleMalformedError, code: "MM_BUNDLE_MALFORMED", names: ["JSON"] },
  }),
  kase<ShopWorld>({
    name: "a bundle larger than the bound",
    setup: shopWorld,
    act: () => readBundle(bundleText(), { maxBytes: 100 }),
    refuse: { error: BundleOversizeError, code: "MM_BUNDLE_OVERSIZE", names: ["100"] },
  }),
  kase<ShopWorld>({
    name: "packing a bundle with no patch",
    setup: shopWorld,
    act: () => packBundle([], { fromVersion: "1", toVersion: "2" }, keys.privateKey),
    refuse: {
      error: BundleMalformedError,
      code: "MM_BUNDLE_MALFORMED",
      names: ["at least one patch"],
    },
  }),
  kase<ShopWorld>({
    name: "a trusted key that is not a key",
    setup: shopWorld,
    act: () =>
      verifyBundle(readBundle(bundleText()), [
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
      ]),
    refuse: { error: InvalidKeyError, code: "MM_INVALID_KEY", names: ["key"] },
  }),
  kase<ShopWorld>({
    name: "a bundle signed by a key the process does not trust",
    setup: shopWorld,
    act: () => verifyBundle(readBundle(bundleText()), [stranger.publicKey]),
    refuse: {
      error: UnknownKeyError,
      code: "MM_BUNDLE_UNKNOWN_KEY",
      names: ["v2", "does not trust"],
    },
  }),
  kase<ShopWorld>({
    name: "a bundle changed after signing",
    setup: shopWorld,
    act: () => verifyBundle(readBundle(bundleText().replace("2.0.0", "9.0.0")), [keys.publicKey]),
    refuse: {
      error: BadSignatureError,
      code: "MM_BUNDLE_BAD_SIGNATURE",
      names: ["does not match"],
    },
  }),
  kase<ShopWorld>({
    name: "compiling a bundle that was never verified",
    setup: shopWorld,
    act: () => patchesOf(readBundle(bundleText())),
    refuse: {
      error: UnverifiedBundleError,
      code: "MM_BUNDLE_UNVERIFIED",
      names: ["v2", "not been verified"],
    },
  }),
  kase<ReleaseWorld>({
    name: "a bundle for another release than the one running (a replay)",
    setup: releaseWorld,
    act: (w) =>
      checkRelease(
        { namespace: w.ns, history: w.history, trust: [keys.publicKey] },
        verifyBundle(readBundle(bundleText("0.9.0")), [keys.publicKey]),
      ),
    refuse: {
      error: ReleaseMismatchError,
      code: "MM_RELEASE_MISMATCH",
      names: ["v2", "0.9.0", "1.0.0"],
    },
  }),
  kase<ReleaseWorld>({
    name: "rolling back the release the process started with",
    setup: releaseWorld,
    act: (w) => w.history.rollback(),
    refuse: { error: ReleaseStateError, code: "MM_RELEASE_STATE", names: ["1.0.0"] },
    after: historyUnchanged,
  }),
  kase<ReleaseWorld>({
    name: "making the start release permanent again",
    setup: releaseWorld,
    act: (w) => w.history.makePermanent(),
    refuse: { error: ReleaseStateError, code: "MM_RELEASE_STATE", names: ["1.0.0"] },
    after: historyUnchanged,
  }),
];
