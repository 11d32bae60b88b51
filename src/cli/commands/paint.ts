/** ANSI colour for the release commands' output, applied only where the caller decided colour is allowed (see colourAllowed). */
import { inspect } from "node:util";

export type Colour = "red" | "green" | "yellow" | "cyan" | "gray";

export function paint(allowed: boolean, colour: Colour, text: string): string {
  if (!allowed) return text;
  const [open, close] = inspect.colors[colour] ?? [0, 0];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
