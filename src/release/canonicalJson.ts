/**
 * The canonical serialisation a bundle's signature covers: JSON with object
 * keys sorted and no insignificant whitespace, so that signer and verifier
 * hash the same bytes whatever order a program built the object in. (Keys
 * that look like array indices come first in numeric order, as JavaScript
 * objects keep them: still one form per value, though not RFC 8785's.) Only JSON data is accepted: a value JSON
 * cannot carry (undefined, a function, NaN, a cycle) is a bug of the caller,
 * not something to drop silently. No dependency does just this, so it is
 * written here (a few lines over `JSON.stringify`).
 */

export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [key: string]: Json };

function sorted(value: unknown, path: string, seen: Set<object>): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not JSON data`);
    return value;
  }
  if (typeof value !== "object") throw new TypeError(`${path}: a ${typeof value} is not JSON data`);
  if (seen.has(value)) throw new TypeError(`${path}: a cycle is not JSON data`);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => sorted(v, `${path}[${i}]`, seen));
    // No prototype: a key named __proto__ is data here, as it is in JSON.parse's result.
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) {
      out[key] = sorted((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** The canonical, compact form (what is signed). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value, "(root)", new Set()));
}

/** The canonical, indented form (what a bundle file holds, so that it reads well in a review). */
export function canonicalJsonPretty(value: unknown): string {
  return `${JSON.stringify(sorted(value, "(root)", new Set()), null, 2)}\n`;
}
