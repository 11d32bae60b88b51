/**
 * Debian's Chromium for the browser tests (never a downloaded browser), with
 * the flags that keep it off a closed network: no background connections, no
 * component updates, no sync.
 */
export const CHROMIUM = process.env.METAMORPH_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];
