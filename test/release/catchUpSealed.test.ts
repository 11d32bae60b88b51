/**
 * A starting worker takes the cluster's bundles only from its primary's
 * sealed reply to its own request (clusterKey.ts, catchUp.ts). Unsealed, a
 * program relaying data to its workers could answer for the primary: no
 * bundles (the worker starts on the code on disk while the cluster runs a
 * later release) or "held" (it waits 15 minutes) — review advZ21 left this
 * after the control requests were sealed.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { expect, test } from "vitest";
import { askCatchUp, type CatchUp, catchUpReply } from "../../src/release/catchUp.js";

const TAG = "metamorph.catchUp";

/** A worker's channel: what it sends is listed; `deliver` hands it a message as Node's IPC would (a JSON copy). */
function channel() {
  const emitter = new EventEmitter();
  const sent: { nonce: string }[] = [];
  return {
    sent,
    on: (e: "message", l: (m: unknown) => void) => emitter.on(e, l),
    off: (e: "message", l: (m: unknown) => void) => emitter.off(e, l),
    send: (m: unknown) => sent.push(m as { nonce: string }),
    deliver: (m: unknown) => emitter.emit("message", JSON.parse(JSON.stringify(m))),
  };
}

const real: CatchUp = { bundles: ["b1", "b2"], permanent: 1 };

test("look-alike replies are passed by; the primary's sealed reply to this request is taken", async () => {
  const key = randomBytes(32);
  const other = randomBytes(32);
  const forged = fc.oneof(
    fc.record({ bundles: fc.array(fc.string(), { maxLength: 3 }), permanent: fc.nat(3) }),
    fc.constant("held" as const),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(forged, { maxLength: 5 }),
      fc.array(fc.nat(3), { maxLength: 5 }),
      async (replies, kinds) => {
        const c = channel();
        const asked = askCatchUp(5_000, 5_000, c, key);
        const nonce = c.sent[0]!.nonce;
        expect(typeof nonce).toBe("string");
        replies.forEach((reply, i) => {
          const how = kinds[i] ?? 0;
          const made = catchUpReply(
            how === 0 ? other : key,
            how === 1 ? "old-nonce" : nonce,
            reply,
          );
          // 0: sealed with another key; 1: a real seal of another request; 2: no seal; 3: a seal cut short.
          if (how === 2) c.deliver({ ...made, mac: undefined });
          else if (how === 3) c.deliver({ ...made, mac: made.mac!.slice(1) });
          else c.deliver(made);
        });
        // A genuine reply's bundles changed on the way: not taken either.
        c.deliver({ ...catchUpReply(key, nonce, real), bundles: ["evil"] });
        c.deliver(catchUpReply(key, nonce, real));
        expect(await asked).toEqual(real);
      },
    ),
    { seed: 7321, numRuns: 40 },
  );
});

test("a worker without its primary's key takes no reply (and times out, typed)", async () => {
  const c = channel();
  const asked = askCatchUp(50, 50, c, undefined);
  c.deliver({ [TAG]: "bundles", bundles: [], permanent: 0, nonce: c.sent[0]!.nonce });
  await expect(asked).rejects.toMatchObject({ code: "MM_CONTROL_TIMEOUT" });
});
