// The release API refuses an options key it does not know (MM_INVALID_OPTION,
// as the lifecycle and update() do), naming it, the keys the call takes and
// the one likely meant, before anything happens. Before, `packBundle(p, {
// …, polcy: "lazy" })` signed an eager bundle, `listen({ …, requestTimeout:
// 500 })` kept the 10 s default, `new ReleaseHistory({ …, keepLast: 3 })`
// kept 50 records, `serveNamespace({ namespace, scoep })` compiled bundles
// without the names meant, all without a word.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InvalidOptionError } from "../../src/index.js";
import { CallTracker } from "../../src/lifecycle/index.js";
import {
  applyBundle,
  checkRelease,
  connect,
  generateKeys,
  listen,
  packBundle,
  readBundle,
  ReleaseHistory,
  serveNamespace,
  verifyBundle,
  watchHealth,
} from "../../src/release/index.js";
import { privateDir, release, service } from "./support.js";
import { keysCallersWrite, withKey } from "../support/optionKeys.js";

const keys = generateKeys();
let dir = "";
let remove = async () => {};
beforeAll(async () => {
  ({ dir, remove } = await privateDir());
});
afterAll(() => remove());

const text = () =>
  packBundle(release(2), { fromVersion: "1", toVersion: "2", namespace: "shop" }, keys.privateKey);

function world() {
  const w = service();
  const history = new ReleaseHistory({ namespace: "shop", version: "1" });
  const checks: string[] = [];
  return { ...w, history, checks };
}
type World = ReturnType<typeof world>;

const TARGET_KEYS = [
  "namespace",
  "history",
  "trust",
  "scope",
  "modules",
  "tracker",
  "healthCheck",
  "maxBundleBytes",
  "signal",
];
const BUNDLE_OPTIONS = [
  "policy",
  "forceQuiescence",
  "timeoutMs",
  "prepareTimeoutMs",
  "overTimeoutMs",
  "sliceSize",
  "healthCheckWindowMs",
];

interface Entry {
  readonly known: readonly string[];
  readonly where: string;
  readonly base: (w: World) => object;
  readonly run: (w: World, options: object) => unknown;
}

const ENTRIES: Readonly<Record<string, Entry>> = {
  listen: {
    known: [
      "trust",
      "namespace",
      "version",
      "path",
      "scope",
      "modules",
      "tracker",
      "healthCheck",
      "requestTimeoutMs",
      "maxMessageBytes",
      "maxBundleBytes",
      "history",
      "onControlEvent",
      "handler",
    ],
    where: "listen",
    base: (w) => ({ trust: [keys.publicKey], namespace: w.ns, path: join(dir, "never.sock") }),
    run: (_, options) => listen(options as never),
  },
  applyBundle: {
    known: TARGET_KEYS,
    where: "a release target",
    base: (w) => ({ namespace: w.ns, history: w.history, trust: [keys.publicKey] }),
    run: (_, target) => applyBundle(target as never, text()),
  },
  checkRelease: {
    known: TARGET_KEYS,
    where: "a release target",
    base: (w) => ({ namespace: w.ns, history: w.history, trust: [keys.publicKey] }),
    run: (_, target) =>
      checkRelease(target as never, verifyBundle(readBundle(text()), [keys.publicKey])),
  },
  connect: {
    known: ["timeoutMs", "maxMessageBytes"],
    where: "connect",
    base: () => ({ timeoutMs: 100 }),
    run: (_, options) => connect(join(dir, "none.sock"), options),
  },
  packBundle: {
    known: [
      ...BUNDLE_OPTIONS,
      "fromVersion",
      "toVersion",
      "name",
      "namespace",
      "createdBy",
      "created",
      "expires",
      "functions",
    ],
    where: "packBundle",
    base: () => ({ fromVersion: "1", toVersion: "2" }),
    run: (_, options) => packBundle(release(2), options as never, keys.privateKey),
  },
  readBundle: {
    known: ["maxBytes"],
    where: "readBundle",
    base: () => ({ maxBytes: 1 << 20 }),
    run: (_, options) => readBundle(text(), options),
  },
  "new ReleaseHistory": {
    known: ["namespace", "version", "keep", "pausesShown"],
    where: "new ReleaseHistory",
    base: () => ({ namespace: "shop", version: "1" }),
    run: (_, options) => new ReleaseHistory(options as never),
  },
  watchHealth: {
    known: ["history", "releaseId", "check", "windowMs", "intervalMs", "signal", "onEnd"],
    where: "watchHealth",
    base: (w) => ({
      history: w.history,
      releaseId: 1,
      windowMs: 50,
      check: () => {
        w.checks.push("check");
        return true;
      },
    }),
    run: (_, options) => watchHealth(options as never),
  },
  serveNamespace: {
    known: ["namespace", "scope", "tracker", "healthCheck"],
    where: "serveNamespace",
    base: (w) => ({ namespace: w.ns }),
    run: (_, served) => serveNamespace(served as never),
  },
};

const anyKey = keysCallersWrite(
  "polcy",
  "trusted",
  "keys",
  "socket",
  "requestTimeout",
  "timeout",
  "maxSize",
  "keepLast",
  "interval",
  "scoep",
  "from",
  "__proto__",
  "constructor",
  "toString",
);

async function refusalOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return "not refused";
}

describe("release options with keys a call does not know", () => {
  test("property: entry point × misspelt or random key × any value → MM_INVALID_OPTION naming the key, nothing done (seed 101)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(ENTRIES)),
        anyKey,
        fc.anything(),
        async (name, key, value) => {
          const entry = ENTRIES[name]!;
          fc.pre(!entry.known.includes(key));
          const w = world();
          const error = await refusalOf(() => entry.run(w, withKey(entry.base(w), key, value)));
          expect(error).toBeInstanceOf(InvalidOptionError);
          const refusal = error as InvalidOptionError;
          expect(refusal.message).toContain(
            `${name === "applyBundle" || name === "checkRelease" ? name : entry.where}: unknown option ${JSON.stringify(key)} (${entry.where} takes ${entry.known.join(", ")})`,
          );
          expect(refusal.details).toMatchObject({ option: key, known: entry.known });
          expect([w.ns.version, w.counter.label(), w.history.releases().length]).toEqual([
            1,
            "v1:7",
            1,
          ]);
          await new Promise((resolve) => setTimeout(resolve, 0));
          expect(w.checks).toEqual([]);
        },
      ),
      { seed: 101, numRuns: 300 },
    );
    // No socket was made for a refused listen.
    await expect(stat(join(dir, "never.sock"))).rejects.toThrow(/ENOENT/);
  });

  test.each([
    ["packBundle", { polcy: "lazy" }, "policy"],
    ["packBundle", { from: "0" }, "fromVersion"],
    ["packBundle", { healthWindow: 10 }, "healthCheckWindowMs"],
    ["listen", { trusted: [] }, "trust"],
    ["listen", { requestTimeout: 500 }, "requestTimeoutMs"],
    ["new ReleaseHistory", { keepLast: 3 }, "keep"],
    ["connect", { timeout: 5 }, "timeoutMs"],
  ] as const)("%s with %j suggests %s", async (name, extra, meant) => {
    const entry = ENTRIES[name]!;
    const w = world();
    const error = (await refusalOf(() =>
      entry.run(w, { ...entry.base(w), ...extra }),
    )) as InvalidOptionError;
    expect(error.message).toContain(`did you mean ${meant}?`);
    expect(error.details).toMatchObject({ meant });
  });

  test('packBundle(p, { polcy: "lazy" }) no longer signs an eager bundle; policy does', () => {
    expect(() =>
      packBundle(
        release(2),
        { fromVersion: "1", toVersion: "2", polcy: "lazy" } as never,
        keys.privateKey,
      ),
    ).toThrow(
      'packBundle: unknown option "polcy" (packBundle takes policy, forceQuiescence, timeoutMs, prepareTimeoutMs, overTimeoutMs, sliceSize, healthCheckWindowMs, fromVersion, toVersion, name, namespace, createdBy, created, expires, functions); did you mean policy?',
    );
    const lazy = packBundle(
      release(2),
      { fromVersion: "1", toVersion: "2", policy: "lazy" },
      keys.privateKey,
    );
    expect(readBundle(lazy).payload.options).toEqual({ policy: "lazy" });
  });

  test("every key is still taken", async () => {
    const w = world();
    const tracker = new CallTracker();
    const packed = packBundle(
      release(2),
      {
        fromVersion: "1",
        toVersion: "2",
        name: "two",
        namespace: "shop",
        createdBy: "me@here",
        created: new Date(0),
        expires: new Date(Date.now() + 3_600_000),
        functions: [],
        policy: "eager",
        forceQuiescence: false,
        timeoutMs: 1000,
        prepareTimeoutMs: 1000,
        overTimeoutMs: 100,
        sliceSize: 10,
        healthCheckWindowMs: 20,
      },
      keys.privateKey,
    );
    const bundle = readBundle(packed, { maxBytes: 1 << 20 });
    expect(bundle.payload.manifest).toMatchObject({ name: "two", createdBy: "me@here" });
    const target = {
      namespace: w.ns,
      history: new ReleaseHistory({ namespace: "shop", version: "1", keep: 5, pausesShown: 3 }),
      trust: [keys.publicKey],
      scope: {},
      modules: { root: dir, functionBinding: () => "no such function" },
      tracker,
      healthCheck: () => true,
      maxBundleBytes: 1 << 20,
      signal: new AbortController().signal,
    };
    checkRelease(target, verifyBundle(bundle, [keys.publicKey]));
    const outcome = await applyBundle(target, packed);
    expect([outcome.status, w.counter.label()]).toEqual(["committed", "v2:7"]);
    const ended: boolean[] = [];
    const stop = watchHealth({
      history: target.history,
      releaseId: target.history.releases().at(-1)!.id,
      check: () => true,
      windowMs: 10,
      intervalMs: 5,
      signal: new AbortController().signal,
      onEnd: (o) => ended.push(o.rolledBack),
    });
    stop();
    expect(serveNamespace({ namespace: w.ns, scope: {}, tracker, healthCheck: () => true })).toBe(
      false,
    );
    const path = join(dir, "all.sock");
    const server = await listen({
      trust: [keys.publicKey],
      namespace: service().ns,
      version: "1",
      path,
      scope: {},
      modules: { root: dir, functionBinding: () => "no such function" },
      tracker: new CallTracker(),
      healthCheck: () => true,
      requestTimeoutMs: 1000,
      maxMessageBytes: 1 << 16,
      maxBundleBytes: 1 << 20,
      history: new ReleaseHistory({ namespace: "shop", version: "1" }),
      onControlEvent: () => {},
      handler: (local) => local,
    });
    try {
      const client = connect(path, { timeoutMs: 5000, maxMessageBytes: 1 << 16 });
      expect(await client.status()).toMatchObject({ type: "result", ok: true });
    } finally {
      await server.close();
    }
  });
});
