/**
 * A built-in's state in a snapshot line: a migrator that changes
 * `old.tags.set(…)` or `old.created.setUTCHours(0)` in place changes the
 * program's state as surely as one that assigns a field, and a snapshot
 * that saw such objects only by identity could not tell.
 */
import type { BuiltinState } from "./builtins.js";
import { builtinState } from "./builtins.js";

/** How a value inside the object is written: a literal, `#i` for a walked object, a label. */
export type Encode = (value: unknown) => string;

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined
    ? "(detached)"
    : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function render(state: BuiltinState, encode: Encode): string {
  switch (state.kind) {
    case "Map":
      return `entries [${state.entries.map(([k, v]) => `${encode(k)} => ${encode(v)}`).join(", ")}]`;
    case "Set":
      return `values [${state.values.map(encode).join(", ")}]`;
    case "Date":
      return `time ${String(state.time)}`;
    case "RegExp":
      return `pattern /${state.source}/${state.flags}`;
    case "ArrayBuffer":
    case "SharedArrayBuffer":
      return `bytes [${hex(state.bytes)}]`;
    case "TypedArray":
    case "DataView":
      return `${state.type} view of ${encode(state.buffer)} at ${state.offset}, length ${state.length}`;
    case "Box":
      return `${state.type} value ${encode(state.value)}`;
  }
}

/**
 * What `o` holds in a built-in's internal slots, in words (`entries [#4 => 1,
 * "a" => 2]`, `time 86400000`, `bytes [00ff]`), or undefined when it is no
 * built-in with such state. Objects inside (a Map's keys and values, a view's
 * buffer) are written by `encode`, so they are walked and compared in turn.
 */
export function slotContents(o: object, encode: Encode): string | undefined {
  const state = builtinState(o);
  return state === undefined ? undefined : render(state, encode);
}

/** Whether `o` is a typed array (its index keys are its buffer's bytes, written once as such). */
export function isTypedArray(o: object): boolean {
  return builtinState(o)?.kind === "TypedArray";
}
