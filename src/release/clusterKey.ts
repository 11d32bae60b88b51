/**
 * The key a cluster's primary and its workers share, so that a worker obeys
 * its primary's metamorph and nothing else. Their messages go over Node's
 * IPC channel with the program's own, and a program that relays data it
 * received (a pub/sub message, an admin endpoint) to its workers would
 * otherwise pass on a control request anyone wrote: the worker rolled
 * itself back outside the cluster's transaction (advZ21).
 *
 * The primary makes 32 random bytes and hands them to every worker it forks
 * through the environment the worker inherits — never over the channel,
 * where the program sees every message. The worker takes the key out of its
 * environment when this module loads, which `metamorph run` does before the
 * worker's entry, so the program does not come across it (nor do the
 * processes it starts). A message carries an HMAC of what it says, not the
 * key: the program on either side sees every message, and one it passes on
 * cannot be made into another, nor used twice (the worker takes each
 * sequence number once, in order).
 */
import cluster from "node:cluster";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const KEY_ENV = "METAMORPH_CLUSTER_KEY";
const KEY_BYTES = 32;

let primaryKey: Buffer | undefined;

/** In a primary: its key, made at the first call and put where the workers it forks from then on inherit it. */
export function primaryClusterKey(): Buffer {
  if (primaryKey === undefined) {
    primaryKey = randomBytes(KEY_BYTES);
    process.env[KEY_ENV] = primaryKey.toString("base64url");
  }
  return primaryKey;
}

/** In a worker: the key its primary handed it, taken out of the environment; undefined when it had none. */
function takeWorkerKey(): Buffer | undefined {
  const text = process.env[KEY_ENV];
  delete process.env[KEY_ENV];
  if (text === undefined) return undefined;
  const key = Buffer.from(text, "base64url");
  return key.length === KEY_BYTES ? key : undefined;
}

/** This worker's key (undefined in a primary, and in a worker whose primary is not metamorph's). */
export const workerClusterKey: Buffer | undefined = cluster.isWorker ? takeWorkerKey() : undefined;

/** The seal of a message: an HMAC of its kind and fields (the last may be any text). */
export function seal(key: Buffer, ...fields: readonly (string | number)[]): string {
  return createHmac("sha256", key).update(fields.join("\n")).digest("base64url");
}

/** Whether `mac` is the seal of these fields under `key` (false without a key). */
export function sealed(
  key: Buffer | undefined,
  mac: unknown,
  ...fields: readonly (string | number)[]
): boolean {
  if (key === undefined || typeof mac !== "string") return false;
  const expected = Buffer.from(seal(key, ...fields));
  const given = Buffer.from(mac);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
