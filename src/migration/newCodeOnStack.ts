/**
 * Whether code of an update's new version is running further up the stack
 * when a lazy migration fails at a first touch. The failure rolls the whole
 * update back; the touching call can then go on with the old version only
 * if everything above it is old code. A new method already running (it
 * migrated its own object, then touched another that fails) would go on
 * over objects back on the old layout and answer wrongly, silently: there
 * the touch throws instead.
 *
 * Read from the call stack, on the failure path only (guards cost nothing
 * more on their fast path): V8's structured call sites name each frame's
 * receiver class and member. A frame counts as new code when its receiver
 * is an object of a class the update changed (or of a subclass) and its
 * member is one such a class has, when it is the constructor of one, or a
 * static member of one. That errs on the side of throwing: an old method
 * of the same name still running from before the commit counts too. New
 * module functions (not members) are not seen. Where the platform gives no
 * structured stack (not V8), the touch throws.
 */
import type { Namespace } from "../namespace/namespace.js";

/** One caller, as V8's call sites describe it. */
export interface Frame {
  /** The receiver's class name (`Function` for a static call), if any. */
  readonly type: string | null;
  readonly name: string | null;
  readonly method: string | null;
  readonly constructs: boolean;
}

interface CallSite {
  getTypeName(): string | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
  isConstructor(): boolean;
}

type Capture = (holder: object, above: Function) => void;

/**
 * The frames that called `below`'s caller (`below` and its caller left
 * out), or undefined where the platform gives no structured stack.
 */
export function callersOf(below: Function): Frame[] | undefined {
  const capture = (Error as unknown as { captureStackTrace?: Capture }).captureStackTrace;
  if (typeof capture !== "function") return undefined;
  const settings = Error as unknown as { prepareStackTrace: unknown; stackTraceLimit: number };
  const { prepareStackTrace, stackTraceLimit } = settings;
  const holder: { stack?: unknown } = {};
  try {
    settings.stackTraceLimit = Number.POSITIVE_INFINITY;
    settings.prepareStackTrace = (_: unknown, sites: unknown) => sites;
    capture(holder, below);
    // V8 formats the stack when it is first read, with the hook in place then.
    const sites = holder.stack;
    if (!Array.isArray(sites)) return undefined;
    return (sites as CallSite[]).slice(1).map((site) => ({
      type: site.getTypeName(),
      name: site.getFunctionName(),
      method: site.getMethodName(),
      constructs: site.isConstructor(),
    }));
  } catch {
    return undefined;
  } finally {
    settings.prepareStackTrace = prepareStackTrace;
    settings.stackTraceLimit = stackTraceLimit;
  }
}

/** Own string keys of `object` and of its prototypes up to Object.prototype. */
function memberNames(object: object | null, into: Set<string>): void {
  for (let p = object; p !== null && p !== Object.prototype && p !== Function.prototype; ) {
    for (const key of Object.getOwnPropertyNames(p)) into.add(key);
    p = Object.getPrototypeOf(p) as object | null;
  }
}

/** `get x` / `set x` → `x`. */
const bare = (name: string | null): string | null =>
  name === null ? null : name.replace(/^(?:get|set) /, "");

/**
 * The first frame of `frames` running code of a class in `changed` (new
 * names; the namespace holds their new versions), as `Class.member`, or
 * undefined when every frame is other code.
 */
export function newCodeFrame(
  namespace: Namespace,
  changed: ReadonlySet<string>,
  frames: readonly Frame[],
): string | undefined {
  const changedPrototypes = new Set<object>();
  for (const name of changed) {
    if (namespace.has(name) && namespace.binding(name).kind === "class") {
      changedPrototypes.add(namespace.classNamed(name).prototype as object);
    }
  }
  const classes = new Set<string>();
  const members = new Set<string>();
  const statics = new Set<string>();
  for (const name of namespace.bindingNames()) {
    if (namespace.binding(name).kind !== "class") continue;
    const handle = namespace.classNamed(name);
    let derives = false;
    for (let p: object | null = handle.prototype as object; p !== null && !derives; ) {
      derives = changedPrototypes.has(p);
      p = Object.getPrototypeOf(p) as object | null;
    }
    if (!derives) continue;
    classes.add(name).add(handle.name);
    const own = Object.getOwnPropertyDescriptor(handle.prototype, "constructor")?.value as
      | { name?: unknown }
      | undefined;
    if (typeof own?.name === "string") classes.add(own.name);
    memberNames(handle.prototype as object, members);
    memberNames(handle, statics);
  }
  for (const frame of frames) {
    const member = frame.method ?? bare(frame.name);
    if (frame.constructs && frame.name !== null && classes.has(frame.name)) return frame.name;
    if (member === null) continue;
    if (frame.type !== null && classes.has(frame.type) && members.has(member)) {
      return `${frame.type}.${member}`;
    }
    if (frame.type === "Function" && statics.has(member)) return member;
  }
  return undefined;
}
