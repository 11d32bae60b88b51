/**
 * How the page tells a refused edit (./vitePageRuntime.ts): the refusals no
 * later save can undo, which reload the page as `metamorph dev` restarts,
 * and Vite's error overlay for the others.
 */
import { MetamorphError } from "../errors.js";
import { PREFIX } from "./prefix.js";

/**
 * A refusal in Vite's error overlay too, where Vite shows its own errors:
 * in the console alone it went unseen (review advY5 b10). Vite closes the
 * overlay at its next update.
 */
export function overlay(path: string, text: string): void {
  const Overlay = globalThis.customElements?.get("vite-error-overlay");
  if (!Overlay || !globalThis.document?.body) return;
  for (const open of Array.from(document.querySelectorAll("vite-error-overlay"))) open.remove();
  const error = { message: `${PREFIX} ${text}`, stack: "", plugin: "metamorph", id: path };
  document.body.appendChild(new (Overlay as new (e: object) => HTMLElement)(error));
}

/**
 * A refusal no later save can undo: some instances of the class were never
 * recorded (src/mop/instances/untracked.ts), or the class has `#` members or
 * now extends a class metamorph does not manage (`metamorph dev` restarts
 * for those; the page said "save again to retry", review advY5 b10).
 */
export function cannotApplyInPlace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "MM_DEV_PRIVATE_MEMBERS" || code === "MM_DEV_UNMANAGED_SUPERCLASS") return true;
  if (code === "MM_DEV_CUSTOM_ELEMENT_DEFINITION") return true;
  return (
    error instanceof MetamorphError &&
    error.code === "MM_FINDER_UNAVAILABLE" &&
    typeof error.details.untracked === "number"
  );
}
