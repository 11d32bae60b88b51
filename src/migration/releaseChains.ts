/**
 * The classes whose code built a class's objects, in each release: the
 * class and those it extends. Read from the definitions, not from the
 * constructors' own [[Prototype]] links: after the commit the running
 * subclass extends the new release's superclass (its `super` calls reach
 * the new code), so walking its links read the new release's base as the
 * running one's (a priority queue's base constructor as 6's, never 5's).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import {
  constructorOfDefinition,
  isClassHandle,
  isNativeClass,
  versionStates,
} from "../mop/classHandle.js";
import type { BuildResult } from "./build.js";

export interface ReleaseChains {
  /** The running release's classes, the class first. */
  readonly before: readonly Function[];
  /** The new release's (or the running one's, for a class the update leaves), the class first. */
  readonly now: readonly Function[];
}

export function releaseChains(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): ReleaseChains {
  const running = (name: string | null) => {
    const d = name === null ? undefined : oldDefs.get(name);
    return d && constructorOfDefinition(d);
  };
  const before: Function[] = [];
  const seen = new Set<string>();
  for (let n = build.classes.get(className)?.oldName ?? null; n !== null && !seen.has(n); ) {
    seen.add(n);
    const c = running(n);
    if (c !== undefined) before.push(c);
    n = oldDefs.get(n)?.superclass ?? null;
  }
  const now: Function[] = [];
  seen.clear();
  for (let n: string | null = className; n !== null && !seen.has(n); ) {
    seen.add(n);
    const cls = build.classes.get(n);
    const c = cls?.implementation ?? running(cls?.oldName ?? null);
    if (c !== undefined) now.push(c);
    n = cls?.definition.superclass ?? null;
  }
  return { before: beyond(before), now: beyond(now) };
}

/**
 * The chain with the classes outside the namespace above its root (a
 * package's base a class was registered over with `externalSuperclass`),
 * which no update re-links.
 */
function beyond(chain: Function[]): Function[] {
  const last = chain[chain.length - 1];
  if (last === undefined) return chain;
  for (let c: unknown = Object.getPrototypeOf(last); typeof c === "function"; ) {
    if (c === Function.prototype || isNativeClass(c) || isClassHandle(c) || versionStates.has(c))
      break;
    chain.push(c);
    c = Object.getPrototypeOf(c);
  }
  return chain;
}
