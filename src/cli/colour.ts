/**
 * Colour in what `metamorph dev` prints: only when the stream is a terminal
 * and NO_COLOR (https://no-color.org) is not set to a non-empty value.
 */
import { inspect } from "node:util";
import { PREFIX } from "../dev/prefix.js";

export function colourAllowed(stream: { readonly isTTY?: boolean }): boolean {
  const noColour = process.env.NO_COLOR;
  return stream.isTTY === true && (noColour === undefined || noColour === "");
}

/** ANSI colour, decided here (Node's styleText may decide by itself where the text goes). */
function styleText(colour: "cyan" | "red" | "yellow", text: string): string {
  const [open, close] = inspect.colors[colour] ?? [0, 0];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Colours the prefix, `error:` and `warning:` of a line. */
export function colourLine(line: string): string {
  return line
    .replace(PREFIX, styleText("cyan", PREFIX))
    .replace(/\berror:/, styleText("red", "error:"))
    .replace(/\bwarning:/, styleText("yellow", "warning:"));
}

/** A line writer for `stream`, coloured where colour is allowed. */
export function styledWriter(stream: NodeJS.WriteStream): (line: string) => void {
  const colour = colourAllowed(stream);
  return (line) => stream.write(`${colour ? colourLine(line) : line}\n`);
}
