/**
 * What the Vite plugin (./vite.ts, on the dev server) tells the page runtime
 * (./vitePageUpdate.ts, in the page): a global set by the first statement of
 * the served runtime module, read when an edit arrives.
 */
export const PAGE_OPTIONS_KEY = "metamorph.vite.pageOptions";

export interface PageOptions {
  /** Instances above which an edit migrates progressively (absent: `metamorph dev`'s default). */
  readonly progressiveAbove?: number;
  /** How long an edit waits for calls in flight of its classes (ms; absent: `metamorph dev`'s default). */
  readonly quiescenceTimeoutMs?: number;
}
