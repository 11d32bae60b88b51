/**
 * An apply's answer counts the calls running at its commit that started on
 * the old version (`straddled`), and `metamorph apply` says so: they finish
 * on the code they started on, which an operator of forced quiescence wants
 * to know.
 */
import { expect, test } from "vitest";
import { CallTracker } from "../../src/lifecycle/index.js";
import { generateKeys, packBundle } from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import { release, service } from "./support.js";

test("a call in flight at the commit is counted as straddled in the answer", async () => {
  const keys = generateKeys();
  const { ns, Counter, counter } = service();
  const Clock = ns.defineClass<{ tick(ms: number): Promise<void> }>({
    name: "Clock",
    fields: [],
    methods: {
      async tick(ms: number) {
        await new Promise((r) => setTimeout(r, ms));
      },
    },
  });
  const tracker = new CallTracker().track(Counter).track(Clock);
  const local = new LocalControl(
    releaseTarget({ trust: [keys.publicKey], namespace: ns, version: "1", tracker }),
  );
  const ticking = new Clock().tick(200);
  const answer = await local.handle(
    {
      command: "apply",
      bundle: packBundle(
        release(2),
        { fromVersion: "1", toVersion: "2", namespace: "shop" },
        keys.privateKey,
      ),
    },
    () => {},
  );
  await ticking;
  expect(answer).toMatchObject({ ok: true, status: "committed", straddled: 1 });
  expect(counter.label()).toBe("v2:7");
});
