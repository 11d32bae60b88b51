/**
 * Text from a bundle or a service, made safe to print on a terminal: a
 * manifest's name or a refusal's message could otherwise carry escape
 * sequences that rewrite what was printed before them (an untrusted
 * bundle's refusal shown as "verified … committed"), or bidirectional
 * overrides that reorder it. Such characters are shown as `\u{…}` escapes.
 */

/** C0 and C1 controls (DEL included, `\n` apart, the tab kept), line and paragraph separators, and the bidirectional embeddings, overrides and isolates. */
function unprintable(code: number, keepNewline: boolean): boolean {
  if (code === 0x0a) return !keepNewline;
  if (code === 0x09) return false; // a tab moves nothing back: sources are indented with it
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function escaped(text: string, keepNewline: boolean): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    out += unprintable(code, keepNewline) ? `\\u{${code.toString(16)}}` : c;
  }
  return out;
}

/** `text` with its control characters escaped; line breaks kept. */
export function printable(text: string): string {
  return escaped(text, true);
}

/** `text` as one line: its line breaks escaped too (a field that must not forge a line of its own). */
export function oneLine(text: string): string {
  return escaped(text, false);
}
