// The code a reload evaluates, assembled from pieces of the saved version's
// JavaScript and scaffolding around them, with the way back from an offset
// of the code to the piece of JavaScript it came from — so that the code
// evaluated carries a source map to the user's file (./scopeEvaluate.ts)
// and stack positions in reloaded methods name the user's line.
import type { CodeOrigin } from "./scopeEvaluate.js";
import type { Origin } from "./sourceMap.js";

export class MappedCode {
  #text = "";
  readonly #pieces: { readonly start: number; readonly end: number; readonly jsEnd: number }[] = [];

  get text(): string {
    return this.#text;
  }

  // Appends scaffolding (maps nowhere).
  add(text: string): this {
    this.#text += text;
    return this;
  }

  // Appends `text`, which ends where the JavaScript offset `jsEnd` is (read backwards from there).
  addFrom(text: string, jsEnd: number): this {
    const start = this.#text.length;
    this.#text += text;
    this.#pieces.push({ start, end: this.#text.length, jsEnd });
    return this;
  }

  // The JavaScript offset an offset of the text came from, or undefined in scaffolding.
  jsOffset(offset: number): number | undefined {
    for (const piece of this.#pieces) {
      if (offset >= piece.start && offset < piece.end) return piece.jsEnd - (piece.end - offset);
    }
    return undefined;
  }

  // Where an offset of the text stands in the user's file, through the JavaScript's `origin`.
  origin(jsOrigin: Origin): CodeOrigin {
    return (offset) => {
      const js = this.jsOffset(offset);
      return js === undefined ? undefined : jsOrigin(js);
    };
  }
}
