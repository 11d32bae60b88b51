/**
 * Turns of the event loop, for the adaptive finder's windows: a callback
 * after the current turn, and a count of constructions that runs to its end.
 */

/**
 * Counts constructions until the current turn of the event loop ends; true
 * past `cap` of them. Not per synchronous run: what a `WeakRef` keeps alive
 * is released only when the whole microtask checkpoint is over, so an
 * `async` loop awaiting between batches keeps every batch alive.
 */
export function turnCounter(cap: number): () => boolean {
  let inTurn = 0;
  let resetPending = false;
  const reset = () => {
    inTurn = 0;
    resetPending = false;
  };
  return () => {
    if (!resetPending) {
      resetPending = true;
      afterThisTurn(reset);
    }
    return ++inTurn > cap;
  };
}

/** Runs `callback` in a later turn of the event loop, without keeping a Node process alive. */
export function afterThisTurn(callback: () => void): void {
  if (typeof setImmediate !== "function") {
    setTimeout(callback, 0);
    return;
  }
  // A page's stand-in for setImmediate returns nothing to unref.
  const timer: { unref?: () => void } | undefined = setImmediate(callback);
  timer?.unref?.();
}
