/**
 * Methods the running version binds in its constructor or another method
 * (`bus.on("click", this.onClick.bind(this))`, `addEventListener(…,
 * this.onKey.bind(this))`) and hands out: the bound functions are made
 * once, from the method of that moment, so an edit of the method never
 * reaches them (review advY5 H5). The engine's MM_STALE_CLOSURE speaks only
 * of members the new version drops (../migration/staleClosures.ts), and its
 * MM_STALE_FUNCTION_FIELD only of functions held in fields; a method bound
 * in the constructor and kept by a listener was changed without a word.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readClassSource } from "../mop/source/parse.js";

const BIND = /\bthis\s*\.\s*([A-Za-z_$][\w$]*)\s*\.\s*bind\s*\(\s*this\b/g;

/** Where the running version binds each of its methods: method name → "its constructor" | "m()". */
function boundBy(running: ClassDefinition): Map<string, string> {
  const out = new Map<string, string>();
  const scan = (source: string | null | undefined, where: string) => {
    for (const match of source?.matchAll(BIND) ?? []) {
      if (!out.has(match[1]!)) out.set(match[1]!, where);
    }
  };
  const ctor = constructorOfDefinition(running);
  try {
    if (ctor) scan(readClassSource(ctor).constructorSource, "its constructor");
  } catch {
    // A class whose source cannot be read: its methods are scanned below.
  }
  for (const m of running.methods) {
    if (!m.static && m.kind === "method") scan(m.source, `${memberKeyName(m.key)}()`);
  }
  return out;
}

/** Warnings for methods the edit changes that the running version bound and handed out. */
export function boundMethodWarnings(
  name: string,
  running: ClassDefinition,
  before: ClassDefinition,
  after: ClassDefinition,
): string[] {
  const bound = boundBy(running);
  if (bound.size === 0) return [];
  const source = (d: ClassDefinition, method: string) =>
    d.methods.find((m) => !m.static && m.kind === "method" && memberKeyName(m.key) === method)
      ?.source;
  const warnings: string[] = [];
  for (const [method, where] of bound) {
    const old = source(before, method);
    const next = source(after, method);
    if (old === undefined || next === undefined || old === next) continue;
    warnings.push(
      `MM_STALE_CLOSURE class ${name}: the running version binds \`${method}\` in ${where} (this.${method}.bind(this)) and hands the bound function out (a listener, a callback): existing objects' bound functions keep the old \`${method}\`, fresh objects get the new one — to follow edits, register an arrow function that calls the method (\`(e) => this.${method}(e)\`), or the object itself with a \`handleEvent\` method`,
    );
  }
  return warnings;
}
