/**
 * A bundle's expiry (`pack --expires`): a bundle is meant for one rollout,
 * and one found later — in an old artifact store, a stale CI cache, a
 * mailbox — is refused instead of applied. The time is in the signed
 * manifest, so nobody can move it without the key; it is compared with this
 * process's clock, when the bundle is admitted (apply, prepare, a cluster's
 * primary before any worker sees it). A worker replaying what its cluster
 * already runs does not ask: that bundle was admitted when it was applied.
 */
import type { Bundle } from "./bundle.js";
import { BundleExpiredError } from "./errors.js";
import { oneLine } from "./printable.js";

function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}

/** Throws BundleExpiredError when `now` is at or past the bundle's expiry; a bundle without one never expires. */
export function refuseExpired(bundle: Bundle, now: number = Date.now()): void {
  const { manifest } = bundle.payload;
  if (manifest.expires === undefined) return;
  const at = Date.parse(manifest.expires);
  if (now < at) return;
  throw new BundleExpiredError(
    `bundle ${oneLine(manifest.name)} (${oneLine(manifest.fromVersion)} → ${oneLine(manifest.toVersion)}) expired at ${manifest.expires}, ${ago(now - at)} ago by this service's clock; nothing changed — pack it again (metamorph pack --expires …) if it is still meant to go out`,
    { expires: manifest.expires, now: new Date(now).toISOString() },
  );
}
