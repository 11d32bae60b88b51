/**
 * A bundle whose to-release is the one running: the refusal tells a replay
 * of the bundle that made it ("applied already") from another bundle packed
 * with the same `--to` (a hotfix that is not live).
 */
import { expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { applyBundle } from "../../src/release/applyBundle.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { releaseTarget } from "../../src/release/server.js";
import { release, service } from "./support.js";

const keys = generateKeys();

test("the same bundle again is 'applied already'; another bundle with the same --to is named as not applied", async () => {
  const { ns, counter } = service();
  const target = releaseTarget({ trust: [keys.publicKey], namespace: ns, version: "1" });
  const manifest = { fromVersion: "1", toVersion: "2", namespace: "shop" };
  const v2 = packBundle(release(2), manifest, keys.privateKey);
  const v2b = packBundle(
    patch("v2b")
      .replaceMethods("Counter", {
        label(this: { count: number }) {
          return `v2b:${this.count}`;
        },
      })
      .build(),
    manifest,
    keys.privateKey,
  );
  expect(await applyBundle(target, v2)).toMatchObject({ status: "committed", version: "2" });
  await expect(applyBundle(target, v2)).rejects.toMatchObject({
    code: "MM_RELEASE_MISMATCH",
    message: expect.stringContaining("(it was applied already)"),
  });
  const hotfix = applyBundle(target, v2b);
  await expect(hotfix).rejects.toMatchObject({ code: "MM_RELEASE_MISMATCH" });
  const message = await hotfix.catch((e: Error) => e.message);
  expect(message).not.toContain("applied already");
  expect(message).toMatch(
    /release 2 runs from another bundle, [0-9a-f]{16}: this bundle was not applied/,
  );
  expect(counter.label()).toBe("v2:7");
});
