/**
 * A bundle's expiry (pack --expires, release/expiry.ts): signed into the
 * manifest, so that moving or dropping it breaks the signature; from that
 * time on a service refuses the bundle with MM_BUNDLE_EXPIRED before
 * anything changes — apply, prepare, a cluster's primary before any worker
 * is asked — while a bundle packed without one (every older bundle) applies
 * as before, and a worker replaying what its cluster already runs does not
 * look at it.
 */
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { ReleaseLog, replayBundles } from "../../src/release/catchUp.js";
import { ClusterControl } from "../../src/release/cluster.js";
import { refuseExpired } from "../../src/release/expiry.js";
import {
  BundleMalformedError,
  connect,
  generateKeys,
  listen,
  packBundle,
  readBundle,
} from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import type { Participant } from "../../src/release/transaction.js";
import { privateDir, release, service } from "./support.js";

const keys = generateKeys();
const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** Release 2, packed `createdAgo` ms ago to expire `lifetime` ms after that (never when undefined). */
function bundle(lifetime: number | undefined, createdAgo = HOUR, now = Date.now()) {
  const created = new Date(now - createdAgo);
  return packBundle(
    release(2),
    {
      fromVersion: "1.0.0",
      toVersion: "2.0.0",
      created,
      ...(lifetime !== undefined ? { expires: new Date(created.getTime() + lifetime) } : {}),
    },
    keys.privateKey,
  );
}

async function started() {
  const world = service();
  const { dir, remove } = await privateDir();
  cleanups.push(remove);
  const server = await listen({
    trust: [keys.publicKey],
    namespace: world.ns,
    version: "1.0.0",
    path: join(dir, "s.sock"),
  });
  cleanups.push(() => server.close());
  return { ...world, server, client: connect(server.path) };
}

describe("a bundle's expiry", () => {
  test("refused from the signed time on, not before (property over creation, lifetime and clock)", () => {
    const now = Date.UTC(2026, 0, 15);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 * 24 * HOUR }),
        fc.integer({ min: 1, max: 30 * 24 * HOUR }),
        fc.integer({ min: -30 * 24 * HOUR, max: 30 * 24 * HOUR }),
        (createdAgo, lifetime, skew) => {
          const read = readBundle(bundle(lifetime, createdAgo, now));
          const expiresAt = now - createdAgo + lifetime;
          const at = expiresAt + skew;
          if (at < expiresAt) expect(() => refuseExpired(read, at)).not.toThrow();
          else
            expect(() => refuseExpired(read, at)).toThrow(
              expect.objectContaining({
                code: "MM_BUNDLE_EXPIRED",
                details: {
                  expires: new Date(expiresAt).toISOString(),
                  now: new Date(at).toISOString(),
                },
              }),
            );
        },
      ),
      { seed: 20_260_115, numRuns: 60 },
    );
  });

  test("the service refuses an expired bundle, applied or prepared, with nothing changed; one not expired, or with no expiry, applies", async () => {
    const { client, counter, server } = await started();
    const expired = bundle(HOUR / 2);
    for (const answer of [
      await client.apply(expired),
      await client.request({ command: "prepare", bundle: expired }),
    ]) {
      expect(answer).toMatchObject({
        type: "error",
        code: "MM_BUNDLE_EXPIRED",
        message: expect.stringMatching(
          /^bundle v2 \(1\.0\.0 → 2\.0\.0\) expired at \S+, 30 min ago by this service's clock; nothing changed/,
        ),
      });
    }
    expect(counter.label()).toBe("v1:7");
    expect(server.history.version).toBe("1.0.0");
    expect(server.history.releases()).toHaveLength(1);

    expect(await client.apply(bundle(2 * HOUR))).toMatchObject({ ok: true, version: "2.0.0" });
    expect(counter.label()).toBe("v2:7");
    const other = await started();
    expect(await other.client.apply(bundle(undefined))).toMatchObject({
      ok: true,
      version: "2.0.0",
    });
  });

  test("the expiry is signed: moved or dropped, the bundle is refused as forged", async () => {
    const { client, counter } = await started();
    const text = bundle(HOUR / 2);
    const expires = JSON.parse(text).payload.manifest.expires as string;
    const later = new Date(Date.parse(expires) + 24 * HOUR).toISOString();
    const moved = text.replace(`"expires": "${expires}"`, `"expires": "${later}"`);
    const dropped = text.replace(/^ *"expires": .*\n/m, "");
    expect(moved).not.toBe(text);
    expect(dropped).not.toBe(text);
    expect(await client.apply(moved)).toMatchObject({ code: "MM_BUNDLE_BAD_SIGNATURE" });
    expect(await client.apply(dropped)).toMatchObject({ code: "MM_BUNDLE_BAD_SIGNATURE" });
    expect(counter.label()).toBe("v1:7");
  });

  test("an expiry not after the creation is refused when packing", () => {
    const created = new Date();
    expect(() =>
      packBundle(
        release(2),
        { fromVersion: "1.0.0", toVersion: "2.0.0", created, expires: created },
        keys.privateKey,
      ),
    ).toThrow(BundleMalformedError);
  });

  test("a cluster's primary refuses it before asking any worker", async () => {
    const s = service();
    const local = new LocalControl(
      releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1.0.0" }),
    );
    const asked: string[] = [];
    const worker: Participant = {
      pid: 7,
      call: async (request) => {
        asked.push(request.command);
        return { type: "result", ok: true, command: request.command };
      },
    };
    const control = new ClusterControl(local, { participants: () => [worker] });
    await expect(
      control.handle({ command: "apply", bundle: bundle(HOUR / 2) }, () => {}),
    ).rejects.toMatchObject({ code: "MM_BUNDLE_EXPIRED" });
    await expect(
      control.handle({ command: "prepare", bundle: bundle(HOUR / 2) }, () => {}),
    ).rejects.toMatchObject({ code: "MM_BUNDLE_EXPIRED" });
    expect(asked).toEqual([]);
  });

  test("a worker replaying what its cluster runs replays a bundle that expired since", () => {
    const s = service();
    const target = releaseTarget({ trust: [keys.publicKey], namespace: s.ns, version: "1.0.0" });
    const log = new ReleaseLog();
    log.committed(bundle(HOUR / 2));
    expect(replayBundles(target, log.catchUp)).toBe("2.0.0");
    expect(s.counter.label()).toBe("v2:7");
  });
});
