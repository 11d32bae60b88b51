/**
 * Reading a saved file. An empty or vanished file is a save in progress (an
 * editor truncating before it writes, `: > cart.ts` then a copy), never a
 * version: read as one, it removed every class of the module and restarted
 * the program, its state lost (review of `metamorph dev` sessions, M3). Its
 * next change event reloads it.
 */
import { readFileSync } from "node:fs";

export type Saved =
  | { readonly text: string; readonly state?: undefined; readonly error?: undefined }
  | {
      readonly text?: undefined;
      readonly state: "is empty" | "is missing";
      readonly error?: unknown;
    };

/** The saved text, or why there is none to reload yet. */
export function readSaved(file: string): Saved {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { state: "is missing", error };
  }
  return text.trim() === "" ? { state: "is empty" } : { text };
}

/** Whether `file` still holds `text` (a restart is decided on a version that stayed). */
export function sameText(file: string, text: string): boolean {
  try {
    return readFileSync(file, "utf8") === text;
  } catch {
    return false;
  }
}
