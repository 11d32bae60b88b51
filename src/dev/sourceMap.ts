/**
 * Source maps for the loader's rewrite. The rewrite inserts and replaces a
 * few spans of a module's JavaScript (which may itself be the output of tsx,
 * with an inline source map back to the user's TypeScript). The map written
 * here sends every token of the rewritten code back to the user's file: the
 * position in the JavaScript is moved by the edits before it, then looked up
 * in the incoming map (Node's `SourceMap` reads it), so stack traces name the
 * user's line and column.
 *
 * Node decodes source maps but has no encoder; the Base64 VLQ encoding below
 * is the part of the format (ECMA-426) this needs. A library such as
 * @jridgewell/gen-mapping or magic-string would replace it.
 */
import { SourceMap } from "node:module";

/** A replacement of `input.slice(start, end)` by `text`. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const INLINE_MAP =
  /\n?\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

/** The inline source map at the end of `code` (as tsx and esbuild write it), and the code without it. */
export function splitInlineMap(code: string): { code: string; map: SourceMap | undefined } {
  const match = INLINE_MAP.exec(code);
  if (!match) return { code, map: undefined };
  try {
    const payload = JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8"));
    return { code: code.slice(0, match.index), map: new SourceMap(payload) };
  } catch {
    return { code: code.slice(0, match.index), map: undefined };
  }
}

/** 1-based line, 0-based column of offsets in a text. */
export class LineIndex {
  readonly #starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1))
      this.#starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.#starts[low]! };
  }
}

/** Where an offset of the JavaScript stands in the user's file (1-based line, 0-based column). */
export type Origin = (offset: number) => { source: string; line: number; column: number };

/** Positions in `js` in the user's file: through `map` when there is one, else `js` is the user's file. */
export function originOf(js: string, file: string, map: SourceMap | undefined): Origin {
  const lines = new LineIndex(js);
  return (offset) => {
    const at = lines.position(offset);
    const entry = map?.findEntry(at.line - 1, at.column);
    if (entry && "originalLine" in entry) {
      return {
        source: entry.originalSource,
        line: entry.originalLine + 1,
        column: entry.originalColumn,
      };
    }
    return { source: file, line: at.line, column: at.column };
  };
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/**
 * Applies edits to `input` and maps each point of `anchors` (offsets in
 * `input`, e.g. token starts) to its place in the output and in the user's
 * file. Anchors inside a replaced span map to the span's start.
 */
export function applyEdits(
  input: string,
  edits: readonly Edit[],
  anchors: readonly number[],
  origin: Origin,
): { code: string; map: object } {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let code = "";
  let from = 0;
  for (const edit of sorted) {
    code += input.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  code += input.slice(from);
  // Output offset of an input offset: moved by every edit that ends at or before it.
  const shifted = (offset: number): number => {
    let delta = 0;
    for (const edit of sorted) {
      if (edit.start > offset || (edit.start === offset && edit.end > edit.start)) break;
      if (edit.end > offset) return edit.start + delta;
      delta += edit.text.length - (edit.end - edit.start);
    }
    return offset + delta;
  };
  const points = [...new Set([...anchors, ...sorted.map((e) => e.start)])].sort((a, b) => a - b);
  return {
    code,
    map: encode(
      code,
      points.map((p) => [shifted(p), origin(p)] as const),
    ),
  };
}

type Segment = readonly [column: number, source: number, line: number, column: number];

function encode(
  code: string,
  points: readonly (readonly [number, { source: string; line: number; column: number }])[],
): object {
  const out = new LineIndex(code);
  const sources: string[] = [];
  const lines: Segment[][] = [];
  for (const [offset, original] of points) {
    const at = out.position(offset);
    let source = sources.indexOf(original.source);
    if (source < 0) source = sources.push(original.source) - 1;
    (lines[at.line - 1] ??= []).push([at.column, source, original.line - 1, original.column]);
  }
  // Columns are relative within a line; sources, lines and original columns across the map.
  let previous: Segment = [0, 0, 0, 0];
  const encoded: string[] = [];
  for (let l = 0; l < out.position(code.length).line; l++) {
    let column = 0;
    const segments = (lines[l] ?? []).sort((a, b) => a[0] - b[0]);
    encoded.push(
      segments
        .map((segment) => {
          const [c, s, ol, oc] = segment;
          const text =
            vlq(c - column) + vlq(s - previous[1]) + vlq(ol - previous[2]) + vlq(oc - previous[3]);
          column = c;
          previous = segment;
          return text;
        })
        .join(","),
    );
  }
  return { version: 3, sources, names: [], mappings: encoded.join(";") };
}

/** `code` with `map` as an inline source map comment. */
export function withInlineMap(code: string, map: object): string {
  const data = Buffer.from(JSON.stringify(map)).toString("base64");
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${data}`;
}
