/**
 * For a service run by `metamorph run` whose classes live in a namespace of
 * its own (made with `defineClass`, not ordinary classes the loader
 * manages): `serveNamespace` tells the run which namespace its bundles
 * update, with the names their code sees and the tracker its quiescence
 * uses. Outside `metamorph run` it does nothing and answers false, so the
 * same service also runs under plain node. The hook lives on a global
 * symbol because the service may load metamorph from another path (the
 * package) than the CLI does (its source).
 */
import type { CallTracker } from "../lifecycle/index.js";
import type { Namespace } from "../namespace/namespace.js";
import { keys, requireReleaseOptions } from "./optionKeys.js";

const HOOK = Symbol.for("metamorph.release.serveNamespace");

export interface ServedNamespace {
  readonly namespace: Namespace;
  /** Names the bundles' code sees when it is compiled (after verification). */
  readonly scope?: Readonly<Record<string, unknown>>;
  readonly tracker?: CallTracker;
  readonly healthCheck?: () => boolean | Promise<boolean>;
}

const SERVED_KEYS = keys<ServedNamespace>({
  namespace: true,
  scope: true,
  tracker: true,
  healthCheck: true,
});

/** Makes `served` the namespace the running `metamorph run` updates; false when not run by it. */
export function serveNamespace(served: ServedNamespace): boolean {
  // Checked under plain node too, where it does nothing: the mistake shows before deployment.
  requireReleaseOptions(served, SERVED_KEYS, "serveNamespace");
  const hook = (globalThis as Record<symbol, unknown>)[HOOK];
  if (typeof hook !== "function") return false;
  (hook as (s: ServedNamespace) => void)(served);
  return true;
}

/** `metamorph run`'s side: receives what the service serves. */
export function receiveServedNamespace(receive: (served: ServedNamespace) => void): void {
  (globalThis as Record<symbol, unknown>)[HOOK] = receive;
}
