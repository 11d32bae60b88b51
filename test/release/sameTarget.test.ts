/**
 * A bundle whose to-release is the one running: the refusal tells a replay
 * of the bundle that made it ("applied already") from another bundle packed
 * with the same `--to` (a hotfix that is not live).
 */
import { expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
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

/**
 * A bundle packed for a namespace whose name prints like the service's but
 * is another string (review advZ31 #5): "is for namespace café; this
 * process serves café" told the operator nothing. The refusal names both
 * names' code points; two names that merely differ get no such note.
 */
const servedAs = (name: string) => {
  const ns = new Namespace(name);
  ns.defineClass({ name: "Counter", fields: [{ name: "count", initializer: "0" }], methods: {} });
  return releaseTarget({ trust: [keys.publicKey], namespace: ns, version: "1" });
};
const refusalOf = (target: ReturnType<typeof servedAs>, namespace: string) =>
  applyBundle(
    target,
    packBundle(release(2), { fromVersion: "1", toVersion: "2", namespace }, keys.privateKey),
  ).then(
    () => undefined,
    (e: { code: string; message: string }) => e,
  );

test.each([
  ["caf\u00e9", "caf\u0065\u0301", "U+0065 U+0301"],
  ["shop", "shop\u200b", "U+200B"],
])(
  "a bundle for a look-alike namespace is refused naming the code points (%j, %j)",
  async (served, name, points) => {
    const refused = await refusalOf(servedAs(served), name);
    expect(refused).toMatchObject({ code: "MM_RELEASE_MISMATCH" });
    expect(refused!.message).toContain(points);
    expect(refused!.message).toContain("look alike");
  },
);

test("a bundle for a namespace that merely differs is refused without a look-alike note", async () => {
  const refused = await refusalOf(servedAs("shop"), "shop2");
  expect(refused!.message).toContain("is for namespace shop2; this process serves shop");
  expect(refused!.message).not.toContain("look alike");
});
